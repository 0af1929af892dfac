package disclosure_test

import (
	"context"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// A holiday a district admin enters through the 提问栏's settings moves the
// board's due dates, as serve wires the two services to one calendar.
func TestHolidayMovesBoardDueDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		demo, err := org.SeedDemo(ctx, org.NewService(db, mingbai.SystemClock), 0)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		l, err := tlog.OpenWith(ctx, db, dir, "test.mingbai/log", mingbai.SystemClock, tlog.Options{NoIntegrator: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		q := qa.NewService(db, l, zh.NewCalendar(), mingbai.SystemClock)
		d := disclosure.NewService(db, l, zh.NewCalendar(), dir, mingbai.SystemClock)
		d.UseCalendar(q.Calendar)
		sh := func(y int, m time.Month, day int) time.Time {
			return time.Date(y, m, day, 10, 0, 0, 0, mingbai.Shanghai)
		}
		it := &disclosure.Item{Cadence: disclosure.Monthly}
		// May's report published on 10 June 2031 (no official rows yet):
		// June's is due at the end of June plus the grace working days.
		before := d.Freshness(it, sh(2031, 6, 10), sh(2031, 6, 15)).Due
		au := auth.NewService(db, mingbai.SystemClock)
		u, err := au.CreateUser(ctx, auth.NewUser{Username: "admin", Name: "区管理员甲", Password: "test-pass-123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := au.Grant(ctx, u.ID, mingbai.RoleDistrictAdmin, demo.District, 0); err != nil {
			t.Fatal(err)
		}
		admin, err := au.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.AddCalendarRows(ctx, admin, demo.District, []zh.Day{{Date: time.Date(2031, 7, 1, 0, 0, 0, 0, mingbai.Shanghai), Kind: zh.Holiday, Name: "建党节"}}); err != nil {
			t.Fatal(err)
		}
		after := d.Freshness(it, sh(2031, 6, 10), sh(2031, 6, 15)).Due
		if !after.After(before) {
			t.Fatalf("due %s before the holiday, %s after: the board ignores the district's holiday", before.Format(time.DateOnly), after.Format(time.DateOnly))
		}
	})
}
