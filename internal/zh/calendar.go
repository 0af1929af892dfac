package zh

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"mingbai"
)

// holidaysTSV is the official calendar as the State Council announced it,
// one row per holiday or make-up working day; its header names the notices.
//
//go:embed holidays-cn.tsv
var holidaysTSV []byte

// DayKind says what an official calendar row makes of a date.
type DayKind string

const (
	// Holiday is a public holiday (法定节假日 and the days joined to it):
	// no work even on a weekday.
	Holiday DayKind = "holiday"
	// Workday is a make-up working day (调休上班): work even on a weekend.
	Workday DayKind = "workday"
)

// Day is one row of the official calendar. Date is midnight at the start
// of the day in Asia/Shanghai.
type Day struct {
	Date time.Time
	Kind DayKind
	Name string
}

// civil is a calendar date as yyyymmdd, the key of a Calendar's rows.
type civil int32

func civilOf(t time.Time) civil {
	y, m, d := t.In(mingbai.Shanghai).Date()
	return civil(y*10000 + int(m)*100 + d)
}

func (c civil) year() int { return int(c) / 10000 }

func (c civil) time() time.Time {
	return time.Date(int(c)/10000, time.Month(int(c)/100%100), int(c)%100, 0, 0, 0, 0, mingbai.Shanghai)
}

// next returns the date step days after c (step is +1 or -1).
func (c civil) next(step int) civil {
	t := c.time()
	return civilOf(time.Date(t.Year(), t.Month(), t.Day()+step, 0, 0, 0, 0, mingbai.Shanghai))
}

// Calendar is the working-day calendar of mainland China: Monday to Friday
// are working days, Saturday and Sunday are not, except where an official
// row makes a date a holiday or a make-up working day. A year with no rows
// at all counts weekends alone and is provisional: its deadlines may move
// once the State Council announces that year's holidays (usually in
// November of the year before).
//
// All dates are Asia/Shanghai dates whatever the location of the times
// passed in. A Calendar is safe for concurrent use.
type Calendar struct {
	mu    sync.RWMutex
	days  map[civil]Day
	years map[int]bool // years that have at least one row
}

// NewCalendar returns a calendar holding the official rows compiled into
// Mingbai (2025 and 2026 at this writing). Each call returns a new calendar,
// so rows added to one do not leak into another.
func NewCalendar() *Calendar {
	c, err := parseCalendar(bytes.NewReader(holidaysTSV))
	if err != nil {
		// The data is compiled in and checked by the tests.
		panic(fmt.Sprintf("zh: embedded holidays-cn.tsv: %v", err))
	}
	return c
}

// parseCalendar reads rows "date<TAB>kind<TAB>name" after a "date kind name"
// header; lines starting with # are comments.
func parseCalendar(r io.Reader) (*Calendar, error) {
	c := &Calendar{days: map[civil]Day{}, years: map[int]bool{}}
	sc := bufio.NewScanner(r)
	line, header := 0, false
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want 3 tab-separated fields, got %d", line, len(fields))
		}
		if !header {
			if fields[0] != "date" || fields[1] != "kind" || fields[2] != "name" {
				return nil, fmt.Errorf("line %d: want header date, kind, name", line)
			}
			header = true
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, fields[0], mingbai.Shanghai)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, dup := c.days[civilOf(d)]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", line, fields[0])
		}
		if err := c.Add(d, DayKind(fields[1]), fields[2]); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read calendar: %w", err)
	}
	if !header {
		return nil, fmt.Errorf("no header line")
	}
	return c, nil
}

// Add records one official row: the Shanghai date of day becomes a
// holiday or a make-up working day. A district admin adds a new year's
// rows when the State Council announces them, all of them at once: the
// first row of a year ends that year's provisional status. A row for a
// date that already has one replaces it, so a correction stored later wins
// over the compiled-in data.
func (c *Calendar) Add(day time.Time, kind DayKind, name string) error {
	name = strings.TrimSpace(name)
	date := civilOf(day)
	switch kind {
	case Holiday:
	case Workday:
		if wd := date.time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			return mingbai.FieldError("date", "%s 是工作日，无需设为调休上班日", date.time().Format(time.DateOnly))
		}
	default:
		return mingbai.FieldError("kind", "日期类型应为节假日或调休上班日")
	}
	if name == "" {
		return mingbai.FieldError("name", "请填写节日名称")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.days[date] = Day{Date: date.time(), Kind: kind, Name: name}
	c.years[date.year()] = true
	return nil
}

// Days returns the official rows of a year in date order.
func (c *Calendar) Days(year int) []Day {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Day
	for k, d := range c.days {
		if k.year() == year {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out
}

// Provisional reports whether year has no official rows, so that its
// working days are weekdays alone and may change.
func (c *Calendar) Provisional(year int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.years[year]
}

// IsWorkday reports whether the Shanghai date of t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.isWorkday(civilOf(t))
}

func (c *Calendar) isWorkday(d civil) bool {
	if row, ok := c.days[d]; ok {
		return row.Kind == Workday
	}
	wd := d.time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the date n working days after the Shanghai date of
// start, as midnight at the start of that date in Asia/Shanghai: the day
// of start is not counted (期间开始之日不计算在期间内), so a question asked on
// a Friday afternoon with n = 1 is due on Monday, and one asked on a
// Saturday is due on Monday too. Something due on that date is late once
// the Shanghai date is after it. A negative n counts back to the n-th
// working day before start; n = 0 gives start's own date.
//
// provisional is true when any day counted falls in a year without
// official rows: the due date may then move when that year is announced.
func (c *Calendar) AddWorkdays(start time.Time, n int) (due time.Time, provisional bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := civilOf(start)
	for n > 0 {
		d = d.next(step)
		if !c.years[d.year()] {
			provisional = true
		}
		if c.isWorkday(d) {
			n--
		}
	}
	return d.time(), provisional
}

// WorkdaysBetween counts the working days after the Shanghai date of a up
// to and including that of b, so that WorkdaysBetween(a, AddWorkdays(a, n))
// is n. It is negative when b is before a, and 0 on the same date.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	from, to := civilOf(a), civilOf(b)
	sign := 1
	if to < from {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from; d < to; {
		d = d.next(1)
		if c.isWorkday(d) {
			n++
		}
	}
	return sign * n
}
