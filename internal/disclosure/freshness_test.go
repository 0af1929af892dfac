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
	plan := &Item{Cadence: Yearly, Timing: TimingStart}
	cases := []struct {
		name      string
		it        *Item
		last, now time.Time
		state     string
		due       string
		days      int
	}{
		{"never", q, time.Time{}, sh(2026, 9, 15), "never", "", 0},
		// Q2's report, published in July: Q3's is due at the end of Q3
		// (Wednesday 2026-09-30) plus 10 working days, skipping the
		// National Day holiday 10-01..10-07 and counting the make-up
		// Saturday 10-10.
		{"quarterly fresh", q, sh(2026, 7, 10), sh(2026, 8, 1), "fresh", "2026-10-20", 0},
		{"quarterly soon", q, sh(2026, 7, 10), sh(2026, 10, 12), "soon", "2026-10-20", 0},
		{"quarterly overdue", q, sh(2026, 7, 10), sh(2026, 10, 31), "overdue", "2026-10-20", 11},
		{"monthly", m, sh(2026, 7, 3), sh(2026, 8, 20), "overdue", "2026-08-14", 6},
		// 2025's results, published in January 2026: 2026's are due in
		// January 2027, not a year later.
		{"yearly", y, sh(2026, 1, 20), sh(2026, 6, 1), "fresh", "2027-01-14", 0},
		// Published in the last third of Q2 (from 1 June), a report counts
		// for Q2 itself; earlier, for Q1.
		{"quarterly in its last month", q, sh(2026, 6, 17), sh(2026, 8, 1), "fresh", "2026-10-20", 0},
		{"quarterly early", q, sh(2026, 5, 10), sh(2026, 8, 1), "overdue", "2026-07-14", 18},
		{"standing", st, sh(2020, 1, 1), sh(2026, 6, 1), "fresh", "", 0},
		// Periods follow the Shanghai date: 22:30 on 31 May is before Q2's
		// last third, 00:30 on 1 June (still 31 May in UTC) inside it.
		{"boundary", q, time.Date(2026, 5, 31, 14, 30, 0, 0, time.UTC), sh(2026, 8, 1), "overdue", "2026-07-14", 18},
		// A yearly plan is due within 20 working days of 1 January: the
		// 2026 goals published on 13 January are current until those of
		// 2027 are due (2027 unannounced: weekends alone, 1 January
		// counted as a working day).
		{"plan published", plan, sh(2026, 1, 13), sh(2026, 6, 1), "fresh", "2027-01-28", 0},
		{"plan published in December for next year", plan, sh(2025, 12, 20), sh(2026, 3, 1), "fresh", "2027-01-28", 0},
		// Last year's plan only: this year's is due 20 working days into
		// 2026, skipping the New Year holiday of 1-3 January and counting
		// the make-up Sunday of 4 January.
		{"plan due", plan, sh(2025, 6, 1), sh(2026, 1, 10), "soon", "2026-01-29", 0},
		{"plan overdue", plan, sh(2025, 6, 1), sh(2026, 2, 20), "overdue", "2026-01-29", 22},
		{"plan never, not yet due", plan, time.Time{}, sh(2026, 1, 10), "never", "2026-01-29", 0},
		{"plan never, overdue", plan, time.Time{}, sh(2026, 3, 1), "overdue", "2026-01-29", 31},
		{"boundary next", q, time.Date(2026, 5, 31, 16, 30, 0, 0, time.UTC), sh(2026, 8, 1), "fresh", "2026-10-20", 0},
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
