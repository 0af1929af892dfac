package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai"

	"mingbai/internal/qa"
	"mingbai/internal/store/storetest"
)

// TestCalendarAndRulesPages: the district admin's settings pages over
// HTTP: provisional years flagged, a year pasted in the shipped file's
// format, bad input refused with a Chinese message and the typed text kept,
// the rules form with its change log.
func TestCalendarAndRulesPages(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	admin := f.loggedIn("admin")
	base := "/admin/districts/" + id(f.demo.District)

	page := body(t, admin.get(base+"/calendar"))
	if !strings.Contains(page, "暂定：尚无放假安排") || !strings.Contains(page, "国庆节") {
		t.Fatalf("calendar page lacks the provisional flag or the shipped rows:\n%s", page)
	}
	bad := "2030-01-01\tholiday\t元旦\n2030-01-02 oops"
	resp := admin.post(base+"/calendar", url.Values{"mode": {"tsv"}, "tsv": {bad}})
	b := body(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "第 2 行") || !strings.Contains(b, "2030-01-02 oops") {
		t.Errorf("bad paste: %d\n%s", resp.StatusCode, b)
	}
	resp = admin.post(base+"/calendar", url.Values{"mode": {"tsv"}, "tsv": {"date\tkind\tname\n2030-01-01\tholiday\t元旦\n2030-02-02\tworkday\t春节"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("paste: %d %s", resp.StatusCode, body(t, resp))
	}
	resp = admin.post(base+"/calendar", url.Values{"date": {"2030-01-02"}, "kind": {"workday"}, "name": {"错误"}})
	if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "无需设为调休上班日") {
		t.Errorf("make-up day on a Wednesday: %d", resp.StatusCode)
	}
	page = body(t, admin.get(base+"/calendar"))
	if !strings.Contains(page, "2030年2月2日") || !strings.Contains(page, "调休上班") {
		t.Errorf("added rows not listed:\n%s", page)
	}
	if !f.qa.Calendar().IsWorkday(mustDate(t, "2030-02-02")) {
		t.Error("the pasted make-up day is not in the service's calendar")
	}

	resp = admin.post(base+"/qa-rules", url.Values{"ack_workdays": {"1"}, "reply_workdays": {"abc"}, "max_extension_workdays": {"7"}, "reopen_days": {"15"}, "ip_per_hour": {"10"}, "account_per_day": {"20"}})
	if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "请填写整数") || !strings.Contains(b, `value="abc"`) {
		t.Errorf("bad rule: %d\n%s", resp.StatusCode, b)
	}
	resp = admin.post(base+"/qa-rules", url.Values{"ack_workdays": {"2"}, "reply_workdays": {"7"}, "max_extension_workdays": {"7"}, "reopen_days": {"15"}, "ip_per_hour": {"10"}, "account_per_day": {"20"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rules: %d %s", resp.StatusCode, body(t, resp))
	}
	page = body(t, admin.get(base+"/qa-rules"))
	if !strings.Contains(page, "受理时限（工作日）") || !strings.Contains(page, "测试admin") || !strings.Contains(page, "工作日历") {
		t.Errorf("rules page lacks the logged change:\n%s", page)
	}
	// A street's id is not a district.
	if resp := admin.get("/admin/districts/" + id(f.demo.Suojincun) + "/calendar"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a street's calendar: %d, want 404", resp.StatusCode)
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, mingbai.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

// TestStatsCountDemoReferral: the community statistics page, with no
// period chosen, counts every referral of the demo's half year. The
// demo's referral is among its oldest items; the default period used to
// start up to a month too late and showed 转办 0.
func TestStatsCountDemoReferral(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	ctx := context.Background()
	if err := qa.SeedDemo(ctx, f.qa, f.demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	var want int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM qa_items WHERE community_id = ? AND referred_to IS NOT NULL AND status <> 'merged'", f.demo.Suojin4).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want < 2 {
		t.Fatalf("%d referrals in 锁金四村 (the fixture's and the demo's expected)", want)
	}
	page := body(t, f.client().get("/c/suojin-4/qa/stats"))
	m := regexp.MustCompile(`<th scope="row">转办</th><td>(\d+)</td>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no 转办 row on the stats page:\n%s", page)
	}
	if m[1] != strconv.Itoa(want) {
		t.Errorf("转办 %s on the stats page, want %d", m[1], want)
	}
}
