package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"mingbai"
)

// writeCashbook writes an XLSX cashbook with the common headings.
func writeCashbook(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"日期", "凭证号", "摘要", "科目", "收入", "支出", "余额"})
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestJourneyFinance: a cadre imports a cashbook with one bad row, sees
// that row's error, fixes it and imports; closes last month; the
// supervisor returns the statement with a comment; the cadre answers; the
// supervisor approves; a resident reads the statement with its 大写 total
// and finds the link that verifies it against the log.
func TestJourneyFinance(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	var text string
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	login := func(user string) {
		t.Helper()
		run(network.ClearBrowserCookies(), chromedp.Navigate(p.URL+"/login"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#login`, user, chromedp.ByQuery), chromedp.SendKeys(`#password`, demoPassword, chromedp.ByQuery),
			chromedp.Submit(`#password`, chromedp.ByQuery), chromedp.WaitVisible(`//header//a[@href="/account"]`, chromedp.BySearch))
	}
	now := time.Now().In(mingbai.Shanghai)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, mingbai.Shanghai).AddDate(0, -1, 0)
	period := last.Format("2006-01")
	day := last.Format("2006-01-") + "28"
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.xlsx"), filepath.Join(dir, "good.xlsx")
	writeCashbook(t, bad, [][]any{
		{day, "记101", "购买茶叶", "办公费", "", "30.00", ""},
		{day, "记102", "购买纸杯", "茶水费", "", "12.00", ""},
	})
	writeCashbook(t, good, [][]any{
		{day, "记101", "购买茶叶", "办公费", "", "30.00", ""},
		{day, "记102", "购买纸杯", "办公费", "", "12.00", ""},
	})
	chooseCash := chromedp.Evaluate(`(() => { const s = document.querySelector('#i-account'); s.value = [...s.options].find(o => o.text === '现金').value; return s.value })()`, nil)

	login("ganbu")
	run(chromedp.Navigate(p.URL+"/c/suojin-4/finance/import"), chromedp.WaitVisible(`#i-file`, chromedp.ByQuery), chooseCash,
		chromedp.SetUploadFiles(`#i-file`, []string{bad}, chromedp.ByQuery), chromedp.Submit(`#i-file`, chromedp.ByQuery),
		chromedp.WaitVisible(`table.import-errors`, chromedp.ByQuery), chromedp.Text(`table.import-errors`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "第 3 行") || !strings.Contains(text, "没有“茶水费”这个科目") || strings.Contains(text, "第 2 行") {
		t.Fatalf("import errors: %q", text)
	}
	screenshots(t, ctx, "finance-import-error")
	run(chooseCash, chromedp.SetUploadFiles(`#i-file`, []string{good}, chromedp.ByQuery), chromedp.Submit(`#i-file`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "日记账已全部导入") || !strings.Contains(text, "购买纸杯") {
		t.Fatalf("after import: %q", text)
	}
	run(chromedp.Click(`form[action$="/close"] button`, chromedp.ByQuery), chromedp.WaitVisible(`span.status-closed`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "待审核") {
		t.Fatalf("after close: %q", text)
	}
	statement := fmt.Sprintf("%s/c/suojin-4/finance/statements/%s", p.URL, period)

	login("jiandu")
	run(chromedp.Navigate(statement), chromedp.WaitVisible(`#comment`, chromedp.ByQuery),
		chromedp.SendKeys(`#comment`, "纸杯和茶叶请附发票照片。", chromedp.ByQuery),
		chromedp.Click(`form[action$="/return"] button`, chromedp.ByQuery), chromedp.WaitVisible(`span.status-returned`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	screenshots(t, ctx, "finance-returned")
	if !strings.Contains(text, "已退回") || !strings.Contains(text, "纸杯和茶叶请附发票照片") {
		t.Fatalf("after return: %q", text)
	}

	login("ganbu")
	run(chromedp.Navigate(statement), chromedp.WaitVisible(`#answer`, chromedp.ByQuery),
		chromedp.SendKeys(`#answer`, "发票已补拍上传。", chromedp.ByQuery),
		chromedp.Click(`form[action$="/answer"] button`, chromedp.ByQuery), chromedp.WaitVisible(`span.status-closed`, chromedp.ByQuery))
	// The cadre has no approve button.
	var approveButtons int
	run(chromedp.Evaluate(`document.querySelectorAll('form[action$="/approve"]').length`, &approveButtons))
	if approveButtons != 0 {
		t.Fatal("the cadre is offered the approve button")
	}

	login("jiandu")
	run(chromedp.Navigate(statement), chromedp.WaitVisible(`form[action$="/approve"]`, chromedp.ByQuery),
		chromedp.Click(`form[action$="/approve"] button`, chromedp.ByQuery), chromedp.WaitVisible(`span.status-published`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "已公开") {
		t.Fatalf("after approve: %q", text)
	}

	// A resident, without an account.
	run(network.ClearBrowserCookies(), chromedp.Navigate(p.URL+"/c/suojin-4/finance"), chromedp.WaitVisible(`section.fin-latest`, chromedp.ByQuery),
		chromedp.Text(`section.fin-latest`, &text, chromedp.ByQuery))
	if !strings.Contains(text, last.Format("2006年1月")) || !strings.Contains(text, "人民币") {
		t.Fatalf("board latest: %q", text)
	}
	screenshots(t, ctx, "finance-board")
	run(chromedp.Click(`section.fin-latest a.button`, chromedp.ByQuery), chromedp.WaitVisible(`.verify-button`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "人民币") || !strings.Contains(text, "购买纸杯") || !strings.Contains(text, "验证") {
		t.Fatalf("statement for the resident: %q", text)
	}
	// The in-page 验证 button checks the statement's leaf against the log.
	var verdict string
	run(chromedp.Click(`.verify-button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.verify-result.verify-ok, .verify-result.verify-bad`, chromedp.ByQuery),
		chromedp.Text(`.verify-result`, &verdict, chromedp.ByQuery))
	if !strings.Contains(verdict, "验证通过") {
		t.Fatalf("verify button on the statement: %q", verdict)
	}
	screenshots(t, ctx, "finance-statement")
	run(chromedp.Navigate(p.URL+"/c/suojin-4/finance/special/relief"), chromedp.WaitVisible(`section.donation`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "张**") || strings.Contains(text, "张建国") {
		t.Fatalf("relief trace: %q", text)
	}
	screenshots(t, ctx, "finance-relief")
}
