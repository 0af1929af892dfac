package disclosure

import (
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/zh"
)

func TestFreshness(t *testing.T) {
	s := &Service{cal: zh.NewCalendar(), rules: DefaultRules}
	sh := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, mingbai.Shanghai) }
	q := &Item{Cadence: Quarterly}
	m := &Item{Cadence: Monthly}
	y := &Item{Cadence: Yearly}
	st := &Item{Cadence: Standing}
	cases := []struct {
		name      string
		it        *Item
		last, now time.Time
		state     string
		due       string
		days      int
	}{
		{"never", q, time.Time{}, sh(2026, 9, 15), "never", "", 0},
		// Published in Q2 2026: the next is due at the end of Q3 (Wednesday
		// 2026-09-30) plus 10 working days, skipping the National Day
		// holiday 10-01..10-07 and counting the make-up Saturday 10-10.
		{"quarterly fresh", q, sh(2026, 5, 10), sh(2026, 8, 1), "fresh", "2026-10-20", 0},
		{"quarterly soon", q, sh(2026, 5, 10), sh(2026, 10, 12), "soon", "2026-10-20", 0},
		{"quarterly overdue", q, sh(2026, 5, 10), sh(2026, 10, 31), "overdue", "2026-10-20", 11},
		{"monthly", m, sh(2026, 6, 3), sh(2026, 8, 20), "overdue", "2026-08-14", 6},
		{"yearly", y, sh(2025, 3, 1), sh(2026, 6, 1), "fresh", "2027-01-14", 0},
		{"standing", st, sh(2020, 1, 1), sh(2026, 6, 1), "fresh", "", 0},
		// Periods follow the Shanghai date: 23:30 on 30 June is Q2, 00:30 on
		// 1 July (still 30 June in UTC) is Q3. 2027 is not announced yet, so
		// its due date counts weekends alone.
		{"boundary", q, time.Date(2026, 6, 30, 15, 30, 0, 0, time.UTC), sh(2026, 8, 1), "fresh", "2026-10-20", 0},
		{"boundary next", q, time.Date(2026, 6, 30, 16, 30, 0, 0, time.UTC), sh(2026, 8, 1), "fresh", "2027-01-14", 0},
	}
	for _, c := range cases {
		f := s.Freshness(c.it, c.last, c.now)
		due := ""
		if !f.Due.IsZero() {
			due = f.Due.Format("2006-01-02")
		}
		if f.State != c.state || due != c.due || f.DaysOverdue != c.days {
			t.Errorf("%s: got %s due %s (%d days), want %s due %s (%d)", c.name, f.State, due, f.DaysOverdue, c.state, c.due, c.days)
		}
	}
	if l := (Freshness{State: "overdue", DaysOverdue: 3}).Label(); l != "逾期3天" {
		t.Errorf("label %q", l)
	}
}
