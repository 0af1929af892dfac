package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mingbai/internal/store/storetest"
)

// TestJourneyBoardSearchAndVerify: a resident finds 党费收缴标准 on 锁金四村
// 社区's board by search, opens it and follows its leaf to the log's proof.
func TestJourneyBoardSearchAndVerify(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	var text string
	run(chromedp.Navigate(p.URL+"/c/suojin-4"), chromedp.WaitVisible(`.board-section`, chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	for _, want := range []string{"党费收缴标准和收缴情况", "本期已公开", "居委会收支情况", "从未公开"} {
		if !strings.Contains(text, want) {
			t.Errorf("board lacks %q", want)
		}
	}
	screenshots(t, ctx, "board")
	run(chromedp.SendKeys(`#board-q`, "党费收缴标准", chromedp.ByQuery), chromedp.Submit(`#board-q`, chromedp.ByQuery),
		chromedp.WaitVisible(`ol.hits`, chromedp.ByQuery), chromedp.Text("ol.hits", &text, chromedp.ByQuery))
	if !strings.Contains(text, "锁金四村社区党费收缴标准") {
		t.Fatalf("search results lack the standard:\n%s", text)
	}
	screenshots(t, ctx, "board-search")
	run(chromedp.Click(`//ol[@class="hits"]//a[contains(., "党费收缴标准") and not(contains(., "情况"))]`, chromedp.BySearch),
		chromedp.WaitVisible(`article.disclosure`, chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery))
	for _, want := range []string{"0.5%", "日志叶子序号", "内容哈希"} {
		if !strings.Contains(text, want) {
			t.Errorf("disclosure page lacks %q", want)
		}
	}
	screenshots(t, ctx, "board-disclosure")
	// Verify in the browser: the page checks the leaf's inclusion proof
	// against the signed checkpoint itself.
	var leaf string
	run(chromedp.Text(`.leaf`, &leaf, chromedp.ByQuery),
		chromedp.WaitVisible(`.verify-button`, chromedp.ByQuery),
		chromedp.Click(`.verify-button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.verify-result.verify-ok, .verify-result.verify-bad`, chromedp.ByQuery),
		chromedp.Text(`.verify-result`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "验证通过") || !strings.Contains(text, "第 "+leaf+" 号记录") {
		t.Errorf("verifying leaf %s: %q", leaf, text)
	}
	screenshots(t, ctx, "board-verified")
}

// TestJourneyPublishAndCorrect: a cadre publishes, then corrects with a
// reason, and a resident sees what changed.
func TestJourneyPublishAndCorrect(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	login(t, ctx, p.URL, "ganbu")
	var text string
	run(chromedp.Navigate(p.URL+"/c/suojin-4/drafts"), chromedp.WaitVisible(`#d-item`, chromedp.ByQuery))
	var value string
	run(chromedp.Evaluate(`[...document.querySelectorAll('#d-item option')].find(o => o.textContent.includes('收费情况')).value`, &value))
	run(chromedp.SetValue(`#d-item`, value, chromedp.ByQuery),
		chromedp.SendKeys(`#d-title`, "停车收费情况", chromedp.ByQuery),
		chromedp.SendKeys(`#d-period`, "本季度", chromedp.ByQuery),
		chromedp.SendKeys(`#d-body`, "| 项目 | 金额 |\n|---|---|\n| 停车费 | 1,200.00 |", chromedp.ByQuery))
	screenshots(t, ctx, "board-new-draft")
	run(chromedp.Submit(`#d-title`, chromedp.ByQuery), chromedp.WaitVisible(`section.preview`, chromedp.ByQuery))
	screenshots(t, ctx, "board-preview")
	run(chromedp.Click(`form[action$="/publish"] button`, chromedp.ByQuery), chromedp.WaitVisible(`article.disclosure`, chromedp.ByQuery))
	var url string
	run(chromedp.Location(&url))
	run(chromedp.Click(`//a[text()="更正"]`, chromedp.BySearch), chromedp.WaitVisible(`#c-reason`, chromedp.ByQuery),
		chromedp.SetValue(`#d-body`, "| 项目 | 金额 |\n|---|---|\n| 停车费 | 1,260.00 |", chromedp.ByQuery),
		chromedp.SendKeys(`#c-reason`, "停车费少记一笔60元", chromedp.ByQuery))
	screenshots(t, ctx, "board-correct")
	run(chromedp.Submit(`#c-reason`, chromedp.ByQuery), chromedp.WaitVisible(`section.diff`, chromedp.ByQuery))

	// A resident, in a fresh browser, sees the diff and the reason.
	rctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	base := url
	if i := strings.Index(base, "?"); i >= 0 {
		base = base[:i]
	}
	if err := chromedp.Run(rctx, chromedp.Navigate(base), chromedp.WaitVisible(`section.diff`, chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"第2版", "停车费少记一笔60元", "新增", "删除", "1,260.00", "1,200.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("resident's page lacks %q", want)
		}
	}
	screenshots(t, rctx, "board-diff")
}

// TestJourneyPrintBoard: the printed board renders, prints to PDF through
// Chromium, and the PDF's first page is not blank.
func TestJourneyPrintBoard(t *testing.T) {
	needBrowser(t)
	ctx := browser(t)
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		storetest.Unconfigured(t, "pdftoppm not found: print test skipped (install poppler-utils, as scripts/test does)")
	}
	p := startDemo(t)
	var pdf []byte
	var text string
	err = chromedp.Run(ctx, chromedp.Navigate(p.URL+"/c/suojin-4/print?size=A4"), chromedp.WaitVisible(`.print-foot`, chromedp.ByQuery),
		chromedp.Text(".print-foot", &text, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "树大小") || !strings.Contains(text, "根哈希前16位") {
		t.Errorf("print foot lacks the checkpoint: %q", text)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "board.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	if b, err := exec.Command(pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", filepath.Join(dir, "board.pdf"), out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if dark := darkShare(img); dark < 0.01 {
		t.Errorf("the printed page is blank: %.4f of it is dark", dark)
	}
	os.WriteFile(filepath.Join(shotDir(t), "print-a4.png"), raw, 0o644)
}

// darkShare is the share of an image's pixels that are dark.
func darkShare(img image.Image) float64 {
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy())
}
