package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestFinanceBudget enters a budget through the form and reads it back on
// the public board as a table and a server-rendered SVG chart.
func TestFinanceBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ff := f.fin
		if err := ff.svc.Approve(ctx, ff.super, f.demo.Suojin4, ff.closed, ""); err != nil {
			t.Fatal(err)
		}
		cats, _ := ff.svc.Categories(ctx, f.demo.District)
		var office, work int64
		for _, c := range cats {
			switch c.Name {
			case "办公费":
				office = c.ID
			case "工作经费":
				work = c.ID
			}
		}
		year := fmt.Sprint(ff.closed.Year())
		cadre := f.loggedIn("cadreA")
		// A bad amount re-renders the form with the message beside the field.
		resp := cadre.post("/c/suojin-4/finance/budget", url.Values{"year": {year}, fmt.Sprintf("budget_%d", office): {"1.234"}})
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "field-error") || !strings.Contains(b, "1.234") {
			t.Fatalf("bad amount: %d", resp.StatusCode)
		}
		resp = cadre.post("/c/suojin-4/finance/budget", url.Values{"year": {year}, fmt.Sprintf("budget_%d", office): {"100"}, fmt.Sprintf("budget_%d", work): {"5,000"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set budget: %d", resp.StatusCode)
		}
		// B's cadre cannot set A's budget.
		resp = f.loggedIn("cadreB").post("/c/suojin-4/finance/budget", url.Values{"year": {year}, fmt.Sprintf("budget_%d", office): {"1"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("cadre B set A's budget: %d", resp.StatusCode)
		}

		b := body(t, f.client().get("/c/suojin-4/finance"))
		for _, want := range []string{year + "年预算执行情况", `<svg class="chart"`, year + "年预算与实际", "预算 100.00 元", "实际 123.45 元（超预算）", "超预算", "201 办公费"} {
			if !strings.Contains(b, want) {
				t.Errorf("board lacks %q", want)
			}
		}
		b = body(t, f.client().get("/c/suojin-4/finance/budget?year="+year))
		if !strings.Contains(b, "5,000.00") || strings.Contains(b, "保存预算") {
			t.Errorf("public budget page: figures missing or the form shown")
		}
		b = body(t, cadre.get("/c/suojin-4/finance/budget?year="+year))
		if !strings.Contains(b, "保存预算") || !strings.Contains(b, `value="100.00"`) {
			t.Errorf("cadre's budget page lacks the filled form")
		}
	})
}
