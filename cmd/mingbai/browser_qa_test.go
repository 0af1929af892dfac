package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestJourneyQuestion: an anonymous resident asks, gets a tracking code; a
// cadre answers from the inbox; the resident follows the code and
// confirms; the street officer sees the demo's overdue items.
func TestJourneyQuestion(t *testing.T) {
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
	run(chromedp.Navigate(p.URL+"/c/suojin-4/qa"), chromedp.WaitVisible(`.qa-list`, chromedp.ByQuery))
	screenshots(t, ctx, "qa-board")
	run(chromedp.Click(`//a[contains(., "我要提问")]`, chromedp.BySearch), chromedp.WaitVisible(`#body`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "110") {
		t.Error("the form does not say it is not for emergencies")
	}
	screenshots(t, ctx, "qa-new")
	run(chromedp.SetValue(`#category`, "设施维修", chromedp.ByQuery),
		chromedp.SendKeys(`#body`, "浏览器测试：18幢的单元门坏了，关不上。", chromedp.ByQuery),
		chromedp.SendKeys(`#nickname`, "周阿姨", chromedp.ByQuery),
		chromedp.Submit(`#body`, chromedp.ByQuery), chromedp.WaitVisible(`.code-box`, chromedp.ByQuery),
		chromedp.Text(`.code-box .code`, &text, chromedp.ByQuery))
	code := strings.ReplaceAll(strings.TrimSpace(text), "-", "")
	if !regexp.MustCompile(`^[2-9A-Z]{10}$`).MatchString(code) {
		t.Fatalf("tracking code %q", text)
	}
	screenshots(t, ctx, "qa-code")

	login(t, ctx, p.URL, "ganbu")
	run(chromedp.Navigate(p.URL+"/c/suojin-4/qa/inbox"), chromedp.WaitVisible(`table.inbox`, chromedp.ByQuery))
	screenshots(t, ctx, "qa-inbox")
	run(chromedp.Click(`//tr[contains(., "18幢的单元门")]//a`, chromedp.BySearch), chromedp.WaitVisible(`#reply-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#reply-body`, "已通知物业今天修好单元门。", chromedp.ByQuery),
		chromedp.Click(`input[name=outcome][value=adopted]`, chromedp.ByQuery),
		chromedp.Submit(`#reply-body`, chromedp.ByQuery), chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "已通知物业") || !strings.Contains(text, "验证") {
		t.Errorf("reply or verify button missing:\n%s", text)
	}
	run(chromedp.Navigate(p.URL+"/account"), chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery),
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`//header//a[text()="登录"]`, chromedp.BySearch))

	run(chromedp.Navigate(p.URL+"/qa/track"), chromedp.SendKeys(`#code`, strings.ToLower(code), chromedp.ByQuery),
		chromedp.Submit(`#code`, chromedp.ByQuery), chromedp.WaitVisible(`form[action$="/confirm"]`, chromedp.ByQuery))
	screenshots(t, ctx, "qa-track")
	run(chromedp.Click(`form[action$="/confirm"] button`, chromedp.ByQuery), chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "居民已确认") || !strings.Contains(text, "周**") {
		t.Errorf("after confirming:\n%s", text)
	}

	login(t, ctx, p.URL, "jiedao")
	run(chromedp.Navigate(p.URL+"/s/suojincun/qa/overdue"), chromedp.WaitVisible(`table.overdue`, chromedp.ByQuery),
		chromedp.Text("table.overdue", &text, chromedp.ByQuery))
	if !strings.Contains(text, "锁金四村社区") || !strings.Contains(text, "个工作日") {
		t.Errorf("street overdue list lacks 锁金四村 items:\n%s", text)
	}
	screenshots(t, ctx, "qa-overdue")
	run(chromedp.Navigate(p.URL+"/c/suojin-4/qa/stats"), chromedp.WaitVisible(`svg.chart`, chromedp.ByQuery))
	screenshots(t, ctx, "qa-stats")
}

// TestJourneyCalendarSettings: the district admin finds the calendar from
// the district's page, sees next year flagged as provisional, pastes the
// year's rows, and changes a rule.
func TestJourneyCalendarSettings(t *testing.T) {
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
	login(t, ctx, p.URL, "admin")
	// The admin lands on the workbench; 管理 in the header opens the district.
	run(chromedp.Click(`//header//a[text()="管理"]`, chromedp.BySearch), chromedp.WaitVisible(`//h1[contains(., "区管理")]`, chromedp.BySearch),
		chromedp.Click(`//a[text()="玄武区"]`, chromedp.BySearch),
		chromedp.Click(`//a[text()="工作日历"]`, chromedp.BySearch), chromedp.WaitVisible(`.qa-calendar`, chromedp.ByQuery),
		chromedp.Text(`.qa-calendar`, &text, chromedp.ByQuery))
	year := time.Now().Year() + 2 // never announced in the compiled-in data
	if !strings.Contains(text, "暂定") {
		t.Fatalf("no year flagged as provisional:\n%s", text)
	}
	screenshots(t, ctx, "qa-calendar")
	rows := fmt.Sprintf("date\tkind\tname\n%d-01-01\tholiday\t元旦\n", year)
	run(chromedp.SetValue(`#cal-tsv`, rows, chromedp.ByQuery), chromedp.Submit(`#cal-tsv`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, fmt.Sprintf("%d年1月1日", year)) {
		t.Errorf("the pasted row is not listed:\n%s", text)
	}
	run(chromedp.Click(`//a[text()="答复时限和提交上限"]`, chromedp.BySearch), chromedp.WaitVisible(`#rule-reply_workdays`, chromedp.ByQuery),
		chromedp.SetValue(`#rule-reply_workdays`, "10", chromedp.ByQuery), chromedp.Submit(`#rule-reply_workdays`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery), chromedp.Text(`main`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "答复时限（工作日）") || !strings.Contains(text, "陈明") {
		t.Errorf("the rule change is not in the log:\n%s", text)
	}
	screenshots(t, ctx, "qa-rules")
}
