package zh

import (
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai"
)

// sh is a Shanghai date and time, the way a resident would say it.
func sh(date string, hour int) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, mingbai.Shanghai)
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(hour) * time.Hour)
}

func TestEmbeddedCalendar(t *testing.T) {
	c := NewCalendar()
	if got := len(c.Days(2025)); got != 33 {
		t.Errorf("2025 has %d rows, want 33", got)
	}
	if got := len(c.Days(2026)); got != 39 {
		t.Errorf("2026 has %d rows, want 39", got)
	}
	days := c.Days(2026)
	if first := days[0]; !first.Date.Equal(sh("2026-01-01", 0)) || first.Kind != Holiday || first.Name != "元旦" {
		t.Errorf("first 2026 row = %+v", first)
	}
	if len(c.Days(2027)) != 0 {
		t.Errorf("2027 has rows in the embedded data")
	}
	for year, want := range map[int]bool{2024: true, 2025: false, 2026: false, 2027: true} {
		if got := c.Provisional(year); got != want {
			t.Errorf("Provisional(%d) = %v, want %v", year, got, want)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	c := NewCalendar()
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2025-01-24", true, "Friday before the 2025 Spring Festival"},
		{"2025-01-25", false, "Saturday"},
		{"2025-01-26", true, "Sunday made a working day (春节调休上班)"},
		{"2025-01-27", true, "Monday, 除夕 is not a holiday in 2025"},
		{"2025-01-28", false, "春节"},
		{"2025-02-04", false, "Tuesday, last day of 春节"},
		{"2025-02-05", true, "Wednesday after 春节"},
		{"2025-02-08", true, "Saturday made a working day"},
		{"2025-02-09", false, "Sunday"},
		{"2025-09-28", true, "Sunday made a working day (国庆节调休上班)"},
		{"2025-10-01", false, "国庆节"},
		{"2025-10-08", false, "Wednesday, 国庆节、中秋节"},
		{"2025-10-09", true, "Thursday after National Day"},
		{"2025-10-11", true, "Saturday made a working day"},
		{"2026-01-02", false, "Friday, 元旦"},
		{"2026-01-04", true, "Sunday made a working day (元旦调休上班)"},
		{"2026-02-14", true, "Saturday made a working day"},
		{"2026-02-16", false, "Monday, 春节"},
		{"2026-02-23", false, "Monday, last day of 春节"},
		{"2026-02-24", true, "Tuesday after 春节"},
		{"2026-02-28", true, "Saturday made a working day"},
		{"2026-09-20", true, "Sunday made a working day"},
		{"2026-09-25", false, "Friday, 中秋节"},
		{"2026-10-07", false, "Wednesday, 国庆节"},
		{"2026-10-10", true, "Saturday made a working day"},
		{"2027-01-01", true, "Friday of a year without data: weekdays alone"},
		{"2027-01-02", false, "Saturday of a year without data"},
	}
	for _, tt := range tests {
		for _, hour := range []int{0, 15, 23} {
			if got := c.IsWorkday(sh(tt.date, hour)); got != tt.want {
				t.Errorf("IsWorkday(%s %02d:00) = %v, want %v (%s)", tt.date, hour, got, tt.want, tt.why)
			}
		}
	}
	// 2025-01-27 23:30 in Shanghai is 15:30 UTC the same day; 2025-01-27
	// 17:00 UTC is already 01:00 on the 28th, 春节, in Shanghai.
	if !c.IsWorkday(time.Date(2025, 1, 27, 15, 30, 0, 0, time.UTC)) {
		t.Error("2025-01-27 15:30 UTC is a Monday working day in Shanghai")
	}
	if c.IsWorkday(time.Date(2025, 1, 27, 17, 0, 0, 0, time.UTC)) {
		t.Error("2025-01-27 17:00 UTC is 春节 in Shanghai")
	}
}

func TestAddWorkdays(t *testing.T) {
	c := NewCalendar()
	tests := []struct {
		start       time.Time
		n           int
		due         string
		provisional bool
		why         string
	}{
		{sh("2026-03-06", 15), 1, "2026-03-09", false, "Friday afternoon + 1 is Monday"},
		{sh("2026-03-07", 10), 1, "2026-03-09", false, "Saturday + 1 is Monday"},
		{sh("2026-03-06", 15), 0, "2026-03-06", false, "n = 0 is the start date"},
		{sh("2026-03-06", 15), 7, "2026-03-17", false, "the default reply limit"},
		// A Friday 00:30 in Shanghai is still Thursday in UTC: the count is
		// in Shanghai dates.
		{time.Date(2026, 3, 5, 16, 30, 0, 0, time.UTC), 1, "2026-03-09", false, "Shanghai Friday 00:30"},
		// 2025 Spring Festival: 01-26 (Sun) and 02-08 (Sat) are make-up days.
		{sh("2025-01-24", 16), 1, "2025-01-26", false, "Friday + 1 is the make-up Sunday"},
		{sh("2025-01-24", 16), 2, "2025-01-27", false, ""},
		{sh("2025-01-24", 16), 3, "2025-02-05", false, "skips 春节 01-28..02-04"},
		{sh("2025-01-27", 9), 7, "2025-02-12", false, "counts the make-up Saturday 02-08"},
		{sh("2025-01-30", 9), 1, "2025-02-05", false, "asked during the holiday"},
		// 2026 Spring Festival: 02-14 (Sat) and 02-28 (Sat) are make-up days.
		{sh("2026-02-13", 16), 1, "2026-02-14", false, "Friday + 1 is the make-up Saturday"},
		{sh("2026-02-13", 16), 2, "2026-02-24", false, "skips 春节 02-15..02-23"},
		{sh("2026-02-13", 16), 7, "2026-03-02", false, "counts the make-up Saturday 02-28"},
		// National Day 2025 with its make-up Sunday and Saturday.
		{sh("2025-09-26", 16), 1, "2025-09-28", false, "the make-up Sunday"},
		{sh("2025-09-26", 16), 4, "2025-10-09", false, "skips 10-01..10-08"},
		{sh("2025-09-26", 16), 7, "2025-10-13", false, "counts the make-up Saturday 10-11"},
		// National Day 2026: 中秋节 09-25..27, 国庆节 10-01..07, 10-10 make-up.
		{sh("2026-09-24", 16), 1, "2026-09-28", false, "skips 中秋节"},
		{sh("2026-09-30", 16), 1, "2026-10-08", false, "skips 国庆节"},
		{sh("2026-09-30", 16), 3, "2026-10-10", false, "the make-up Saturday"},
		{sh("2026-09-30", 16), 4, "2026-10-12", false, ""},
		// Counting back.
		{sh("2025-10-13", 9), -1, "2025-10-11", false, "the make-up Saturday before"},
		{sh("2026-02-24", 9), -1, "2026-02-14", false, "back over 春节"},
		// Into a year without data.
		{sh("2026-12-30", 9), 1, "2026-12-31", false, "still 2026"},
		{sh("2026-12-31", 9), 1, "2027-01-01", true, "2027 not yet announced"},
		{sh("2027-02-05", 16), 1, "2027-02-08", true, "a 2027 Friday + 1 is Monday, provisional"},
	}
	for _, tt := range tests {
		due, prov := c.AddWorkdays(tt.start, tt.n)
		if want := sh(tt.due, 0); !due.Equal(want) || prov != tt.provisional {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s, %v (%s)",
				tt.start.In(mingbai.Shanghai).Format(time.DateTime), tt.n, due.In(mingbai.Shanghai).Format(time.DateTime), prov, tt.due, tt.provisional, tt.why)
		}
		if due.Location() != mingbai.Shanghai || due.Hour() != 0 || due.Minute() != 0 {
			t.Errorf("AddWorkdays due %v is not midnight in Shanghai", due)
		}
	}
}

// TestWorkdaysBetweenInvertsAddWorkdays checks, for every start date
// across the two announced years and the start of the next, that counting
// the working days up to the due date gives n back.
func TestWorkdaysBetweenInvertsAddWorkdays(t *testing.T) {
	c := NewCalendar()
	for d := sh("2024-12-20", 14); d.Before(sh("2027-01-10", 0)); d = d.AddDate(0, 0, 1) {
		for _, n := range []int{0, 1, 2, 5, 7, 20} {
			due, _ := c.AddWorkdays(d, n)
			if got := c.WorkdaysBetween(d, due); got != n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, want %d", d.Format(time.DateOnly), due.Format(time.DateOnly), got, n)
			}
			if n > 0 && !c.IsWorkday(due) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day", d.Format(time.DateOnly), n, due.Format(time.DateOnly))
			}
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := NewCalendar()
	tests := []struct {
		a, b time.Time
		want int
	}{
		{sh("2026-03-06", 15), sh("2026-03-06", 20), 0},
		{sh("2026-03-06", 15), sh("2026-03-09", 8), 1},
		{sh("2026-03-09", 8), sh("2026-03-06", 15), -1},
		{sh("2026-02-13", 0), sh("2026-02-28", 0), 6},   // 14, 24, 25, 26, 27, 28
		{sh("2025-09-30", 0), sh("2025-10-08", 0), 0},   // the whole holiday
		{sh("2025-01-01", 0), sh("2026-01-01", 0), 248}, // 261 weekdays - 18 on holidays + 5 make-up days
		{sh("2026-01-01", 0), sh("2027-01-01", 0), 249}, // 248 in 2026, and 2027-01-01 counts as a provisional Friday
	}
	for _, tt := range tests {
		if got := c.WorkdaysBetween(tt.a, tt.b); got != tt.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCalendarAdd(t *testing.T) {
	c := NewCalendar()
	// A district admin enters 2027's New Year when it is announced.
	if err := c.Add(sh("2027-01-01", 0), Holiday, "元旦"); err != nil {
		t.Fatal(err)
	}
	if c.Provisional(2027) {
		t.Error("2027 still provisional after a row was added")
	}
	if due, prov := c.AddWorkdays(sh("2026-12-31", 9), 1); !due.Equal(sh("2027-01-04", 0)) || prov {
		t.Errorf("after adding 元旦 2027: due %s, %v; want 2027-01-04, false", due, prov)
	}
	if err := c.Add(sh("2027-02-06", 0), Workday, "春节调休上班"); err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkday(sh("2027-02-06", 12)) {
		t.Error("added make-up Saturday is not a working day")
	}
	// A later row for the same date replaces the earlier one.
	if err := c.Add(sh("2026-10-10", 0), Holiday, "更正"); err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(sh("2026-10-10", 0)) {
		t.Error("replaced row still a working day")
	}
	// Calendars do not share rows.
	if fresh := NewCalendar(); !fresh.Provisional(2027) || !fresh.IsWorkday(sh("2026-10-10", 0)) {
		t.Error("rows added to one calendar leak into a new one")
	}

	bad := []struct {
		day         time.Time
		kind        DayKind
		name, field string
	}{
		{sh("2027-02-05", 0), Workday, "调休", "date"}, // a Friday is a working day already
		{sh("2027-02-06", 0), "rest", "调休", "kind"},
		{sh("2027-02-06", 0), Holiday, "  ", "name"},
	}
	for _, b := range bad {
		err := c.Add(b.day, b.kind, b.name)
		if mingbai.ErrorCode(err) != mingbai.EINVALID || mingbai.ErrorField(err) != b.field {
			t.Errorf("Add(%s, %q, %q) = %v; want EINVALID on field %s", b.day.Format(time.DateOnly), b.kind, b.name, err, b.field)
		}
	}
}

func TestParseCalendarRejects(t *testing.T) {
	for _, data := range []string{
		"",
		"# only a comment\n",
		"2025-01-01\tholiday\t元旦\n",
		"date\tkind\tname\n2025-01-01\tholiday\n",
		"date\tkind\tname\n2025-13-01\tholiday\t元旦\n",
		"date\tkind\tname\n2025-01-01\tholiday\t元旦\n2025-01-01\tholiday\t元旦\n",
		"date\tkind\tname\n2025-01-01\tday off\t元旦\n",
		"date\tkind\tname\n2025-01-02\tworkday\t调休\n", // a Thursday
	} {
		if _, err := parseCalendar(strings.NewReader(data)); err == nil {
			t.Errorf("parseCalendar(%q) accepted bad data", data)
		}
	}
}

func TestCalendarConcurrent(t *testing.T) {
	c := NewCalendar()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				day := sh("2027-01-01", 0).AddDate(0, 0, i*50+j)
				if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
					_ = c.Add(day, Workday, "调休")
				} else {
					_ = c.Add(day, Holiday, "节日")
				}
				c.AddWorkdays(sh("2026-12-20", 0), 10)
				c.WorkdaysBetween(sh("2026-12-20", 0), day)
			}
		})
	}
	wg.Wait()
	// Every 2027 day in the first 200 is now a row: weekends work, weekdays rest.
	if c.IsWorkday(sh("2027-01-04", 0)) || !c.IsWorkday(sh("2027-01-09", 0)) {
		t.Error("concurrent Adds lost rows")
	}
}
