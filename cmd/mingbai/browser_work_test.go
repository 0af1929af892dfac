package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyWorkbenchPerRole: each member of staff logs in, lands on the
// workbench, and reaches every line of it by clicking only: from the
// workbench, through the header's 工作台 link back to it, and on to the
// next line. Each page must open without an error page. The workbench
// and the finance pages are saved for docs/screenshots.
func TestJourneyWorkbenchPerRole(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	for _, who := range []string{"ganbu", "jiandu", "jiedao", "admin", "shuji", "minzheng"} {
		t.Run(who, func(t *testing.T) {
			ctx := browser(t)
			run := func(actions ...chromedp.Action) {
				t.Helper()
				if err := chromedp.Run(ctx, actions...); err != nil {
					t.Fatal(err)
				}
			}
			login(t, ctx, p.URL, who)
			var path string
			run(chromedp.Evaluate(`location.pathname`, &path))
			if path != "/work" {
				t.Fatalf("%s landed on %s, not the workbench", who, path)
			}
			screenshots(t, ctx, "work-"+who)
			var n int
			run(chromedp.Evaluate(`document.querySelectorAll("ul.work a").length`, &n))
			if n < 2 {
				t.Fatalf("%s's workbench has %d lines", who, n)
			}
			for i := range n {
				var label, href, path, title, text string
				link := fmt.Sprintf(`(//ul[@class="work"]//a)[%d]`, i+1)
				run(
					chromedp.Click(`//header//a[text()="工作台"]`, chromedp.BySearch),
					chromedp.WaitVisible(`ul.work`, chromedp.ByQuery),
					chromedp.Text(link+`/span[@class="work-label"]`, &label, chromedp.BySearch),
					chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll("ul.work a")[%d].getAttribute("href")`, i), &href),
					chromedp.Click(link, chromedp.BySearch),
					// Every page a line opens is another page: no workbench on it.
					chromedp.WaitNotPresent(`ul.work`, chromedp.ByQuery),
					chromedp.WaitReady(`main`, chromedp.ByQuery),
					chromedp.Evaluate(`location.pathname + location.search`, &path),
					chromedp.Title(&title),
					chromedp.Text(`main`, &text, chromedp.ByQuery),
				)
				if path != href {
					t.Errorf("%s: %q links %s but opened %s", who, label, href, path)
				}
				var failed bool
				run(chromedp.Evaluate(`document.querySelector(".error-page") !== null`, &failed))
				if failed {
					t.Errorf("%s: %q opens an error page: %s\n%s", who, label, title, text)
				}
			}
		})
	}
}
