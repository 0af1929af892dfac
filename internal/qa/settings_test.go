package qa_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/zh"
)

// newAdmin makes the district admin of the demo district.
func newAdmin(t *testing.T, e *env) *mingbai.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Username: "admin", Name: "区管理员甲", Password: "test-pass-123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.auth.Grant(ctx, u.ID, mingbai.RoleDistrictAdmin, e.demo.District, 0); err != nil {
		t.Fatal(err)
	}
	a, err := e.auth.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCalendarSettings: a due date in a year with no official rows is
// counted on weekends alone and flagged; the district admin adds the year
// (pasted in the shipped file's format), which the service loads at once
// and after a restart; the change is logged; nobody else may change it.
func TestCalendarSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := newAdmin(t, e)
		anon := &mingbai.Actor{}
		// Wednesday 30 December 2026: seven working days reach into 2027,
		// which has no rows yet.
		*e.now = at("2026-12-30 10:00")
		if !e.svc.Calendar().Provisional(2027) {
			t.Fatal("2027 should have no official rows yet")
		}
		rc, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "设施维修", Body: "跨年的提问：楼道灯坏了。", IP: "192.0.2.10"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.ByCode(ctx, rc.Code)
		if err != nil {
			t.Fatal(err)
		}
		// 31 Dec (Thu), then 1, 4, 5, 6, 7, 8 January on weekends alone.
		if got := v.Item.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly); got != "2027-01-08" || !v.Item.DueProvisional {
			t.Fatalf("reply due %s provisional %v, want 2027-01-08 provisional", got, v.Item.DueProvisional)
		}
		years := e.svc.CalendarYears()
		var flagged bool
		for _, y := range years {
			if y.Year == 2027 {
				flagged = y.Provisional
			}
			if y.Year == 2026 && y.Provisional {
				t.Error("2026 has official rows and must not be provisional")
			}
		}
		if !flagged {
			t.Errorf("2027 not flagged as provisional in %+v", years)
		}
		items, err := e.svc.ProvisionalItems(ctx, admin, e.demo.District)
		if err != nil || len(items) != 1 || items[0].ID != rc.ID || !items[0].StillProvisional {
			t.Fatalf("provisional items %+v, %v", items, err)
		}

		// Only the district's admin may change the calendar.
		days, err := qa.ParseCalendarTSV("date\tkind\tname\n# 2027 (test rows)\n2027-01-01\tholiday\t元旦\n2027-01-04\tholiday\t元旦补休\n2027-01-09\tworkday\t元旦\n")
		if err != nil {
			t.Fatal(err)
		}
		other := &mingbai.Actor{UserID: admin.UserID, Grants: []mingbai.Grant{{Role: mingbai.RoleDistrictAdmin, UnitID: e.demo.District + 1000}}}
		for _, a := range []*mingbai.Actor{anon, e.cadre, e.off, other} {
			if err := e.svc.AddCalendarRows(ctx, a, e.demo.District, days); code(t, err) != mingbai.EFORBIDDEN {
				t.Errorf("actor %+v adding calendar rows: %v", a.Grants, err)
			}
		}
		if !e.svc.Calendar().Provisional(2027) {
			t.Fatal("a refused change reached the calendar")
		}
		if err := e.svc.AddCalendarRows(ctx, admin, e.demo.District, days); err != nil {
			t.Fatal(err)
		}
		cal := e.svc.Calendar()
		if cal.Provisional(2027) || cal.IsWorkday(time.Date(2027, 1, 4, 12, 0, 0, 0, mingbai.Shanghai)) || !cal.IsWorkday(time.Date(2027, 1, 9, 12, 0, 0, 0, mingbai.Shanghai)) {
			t.Fatal("the added rows are not in the service's calendar")
		}
		// A new submission counts on the announced year: 31 Dec, 5, 6, 7,
		// 8, 9 (Saturday, a make-up day), 11 January.
		rc2, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "设施维修", Body: "日历补充后的提问：路灯坏了。", IP: "192.0.2.11"})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := e.svc.ByCode(ctx, rc2.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got := v2.Item.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly); got != "2027-01-11" || v2.Item.DueProvisional {
			t.Errorf("after the year was added: due %s provisional %v, want 2027-01-11 not provisional", got, v2.Item.DueProvisional)
		}
		// The first item keeps the date it was given, and is listed as no
		// longer provisional with its working days on the new calendar.
		items, err = e.svc.ProvisionalItems(ctx, admin, e.demo.District)
		if err != nil || len(items) != 1 || items[0].StillProvisional || items[0].Workdays != 5 {
			t.Fatalf("provisional items after adding the year %+v, %v", items, err)
		}

		// Logged, and loaded again by a new service (a restart).
		log, err := e.svc.SettingsLog(ctx, admin, e.demo.District)
		if err != nil || len(log) != 3 || log[0].Subject != "calendar" || log[0].ChangedBy != "区管理员甲" || !strings.Contains(log[2].New, "2027-01-01 放假 元旦") {
			t.Fatalf("settings log %+v, %v", log, err)
		}
		if _, err := e.svc.SettingsLog(ctx, e.cadre, e.demo.District); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre reading the settings log: %v", err)
		}
		fresh := qa.NewService(db, e.log, zh.NewCalendar(), func() time.Time { return *e.now })
		if !fresh.Calendar().Provisional(2027) {
			t.Fatal("a new calendar should start from the compiled-in rows")
		}
		if err := fresh.LoadCalendar(ctx); err != nil || fresh.Calendar().Provisional(2027) {
			t.Fatalf("restart: 2027 rows not loaded (%v)", err)
		}

		// A row entered by mistake comes out again, logged.
		rows, err := e.svc.CalendarRows(ctx, admin, e.demo.District)
		if err != nil || len(rows) != 3 {
			t.Fatalf("calendar rows %+v, %v", rows, err)
		}
		if err := e.svc.RemoveCalendarRow(ctx, e.cadre, e.demo.District, rows[1].ID); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre removing a row: %v", err)
		}
		if err := e.svc.RemoveCalendarRow(ctx, admin, e.demo.District, rows[1].ID); err != nil {
			t.Fatal(err)
		}
		if !e.svc.Calendar().IsWorkday(time.Date(2027, 1, 4, 12, 0, 0, 0, mingbai.Shanghai)) {
			t.Error("the removed holiday still counts")
		}
		log, _ = e.svc.SettingsLog(ctx, admin, e.demo.District)
		if len(log) != 4 || !strings.Contains(log[0].Old, "2027-01-04") || log[0].New != "" {
			t.Errorf("removal not logged: %+v", log)
		}
	})
}

func TestParseCalendarRows(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"2027-01-01\tholiday\t元旦\nbad line", "第 2 行"},
		{"2027-01-06\tworkday\t春节", "无需设为调休上班日"}, // a Wednesday
		{"2027-13-01\tholiday\t元旦", "日期"},
		{"2027-01-01\tholiday\t元旦\n2027-01-01\tholiday\t元旦", "重复"},
		{"# nothing\n", "没有读到"},
	} {
		_, err := qa.ParseCalendarTSV(c.text)
		if mingbai.ErrorCode(err) != mingbai.EINVALID || !strings.Contains(mingbai.ErrorMessage(err), c.want) {
			t.Errorf("%q: %v, want a message with %q", c.text, err, c.want)
		}
	}
	// Spaces instead of tabs, as a copy from a web page gives.
	days, err := qa.ParseCalendarTSV("2027-02-06  放假  春节\n2027-02-20  上班  春节")
	if err != nil || len(days) != 2 || days[1].Kind != zh.Workday {
		t.Errorf("space-separated rows: %+v, %v", days, err)
	}
}

// TestRulesChangesLogged: a district admin changes the rules; each changed
// rule is logged with who, when, old and new; bad values are refused.
func TestRulesChangesLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := newAdmin(t, e)
		r := qa.DefaultRules
		r.ReplyWorkdays, r.IPPerHour = 10, 5
		if err := e.svc.SetRules(ctx, e.cadre, e.demo.District, r); code(t, err) != mingbai.EFORBIDDEN {
			t.Fatalf("cadre setting rules: %v", err)
		}
		if err := e.svc.SetRules(ctx, admin, e.demo.District, r); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Rules(ctx, e.demo.District); got != r {
			t.Fatalf("rules %+v, want %+v", got, r)
		}
		// The same rules again change nothing and log nothing.
		if err := e.svc.SetRules(ctx, admin, e.demo.District, r); err != nil {
			t.Fatal(err)
		}
		bad := r
		bad.ReplyWorkdays = 0
		if err := e.svc.SetRules(ctx, admin, e.demo.District, bad); mingbai.ErrorField(err) != "reply_workdays" {
			t.Errorf("reply within 0 days: %v", err)
		}
		log, err := e.svc.SettingsLog(ctx, admin, e.demo.District)
		if err != nil || len(log) != 2 {
			t.Fatalf("log %+v, %v", log, err)
		}
		got := map[string]string{}
		for _, c := range log {
			got[c.Subject] = c.Old + "→" + c.New
			if c.ChangedBy != "区管理员甲" || !c.At.Equal(*e.now) {
				t.Errorf("change %+v lacks who or when", c)
			}
		}
		if got["reply_workdays"] != "7→10" || got["ip_per_hour"] != "10→5" {
			t.Errorf("logged changes %v", got)
		}
		// The new reply limit counts for the next submission.
		rc, err := e.svc.Submit(ctx, &mingbai.Actor{}, e.demo.Suojin4, qa.Submission{Category: "设施维修", Body: "新规则下的提问：电梯坏了。", IP: "192.0.2.20"})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := e.svc.ByCode(ctx, rc.Code)
		if n := e.svc.Calendar().WorkdaysBetween(v.Item.ReceivedAt, v.Item.ReplyDue); n != 10 {
			t.Errorf("reply due after %d working days, want 10", n)
		}
	})
}
