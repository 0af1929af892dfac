package qa

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// A district admin's settings of the 提问栏: the official calendar rows of a
// newly announced year (the State Council publishes each year's holidays
// in November of the year before, after Mingbai was built), and the rules
// (deadlines and limits). Every change is written to qa_settings_log with
// who made it, when, and the value before and after.

// CalendarRow is a calendar row a district admin added.
type CalendarRow struct {
	ID        int64
	Date      time.Time // midnight, Shanghai
	Kind      zh.DayKind
	Name      string
	CreatedBy string // the admin's name
	CreatedAt time.Time
}

// KindLabel is the Chinese name of the row's kind.
func (r CalendarRow) KindLabel() string { return DayKindLabel(r.Kind) }

// DayKindLabel is the Chinese name of a calendar row's kind.
func DayKindLabel(k zh.DayKind) string {
	if k == zh.Workday {
		return "调休上班"
	}
	return "放假"
}

// SettingChange is one logged change of a district's settings.
type SettingChange struct {
	Subject   string
	Old, New  string
	ChangedBy string
	At        time.Time
}

// Label is the Chinese name of what was changed.
func (c SettingChange) Label() string {
	if l, ok := ruleLabels[c.Subject]; ok {
		return l
	}
	if c.Subject == "calendar" {
		return "工作日历"
	}
	return c.Subject
}

// ruleLabels name the columns of qa_rules, in form order.
var ruleLabels = map[string]string{
	"ack_workdays":           "受理时限（工作日）",
	"reply_workdays":         "答复时限（工作日）",
	"max_extension_workdays": "延期最多（工作日）",
	"reopen_days":            "重新提出期限（天）",
	"ip_per_hour":            "每个网络地址每小时提交上限",
	"account_per_day":        "每个账号每天提交上限",
}

// Fields lists the rules as (column, label, value) in form order.
func (r Rules) Fields() []RuleField {
	return []RuleField{
		{"ack_workdays", ruleLabels["ack_workdays"], r.AckWorkdays},
		{"reply_workdays", ruleLabels["reply_workdays"], r.ReplyWorkdays},
		{"max_extension_workdays", ruleLabels["max_extension_workdays"], r.MaxExtensionWorkdays},
		{"reopen_days", ruleLabels["reopen_days"], r.ReopenDays},
		{"ip_per_hour", ruleLabels["ip_per_hour"], r.IPPerHour},
		{"account_per_day", ruleLabels["account_per_day"], r.AccountPerDay},
	}
}

// RuleField is one rule as a form shows it.
type RuleField struct {
	Name, Label string
	Value       int
}

// RulesFromFields reads rules from form values by column name; a missing
// or non-numeric value is a field error.
func RulesFromFields(get func(string) string) (Rules, error) {
	var r Rules
	dst := map[string]*int{
		"ack_workdays": &r.AckWorkdays, "reply_workdays": &r.ReplyWorkdays, "max_extension_workdays": &r.MaxExtensionWorkdays,
		"reopen_days": &r.ReopenDays, "ip_per_hour": &r.IPPerHour, "account_per_day": &r.AccountPerDay,
	}
	for _, f := range DefaultRules.Fields() {
		v, err := strconv.Atoi(strings.TrimSpace(get(f.Name)))
		if err != nil {
			return r, mingbai.FieldError(f.Name, "%s请填写整数", f.Label)
		}
		*dst[f.Name] = v
	}
	return r, nil
}

// logSetting records one change of a district's settings.
func logSetting(ctx context.Context, tx *store.Tx, district int64, subject, old, new string, by int64, at time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO qa_settings_log (district_id, subject, old_value, new_value, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, district, subject, old, new, nullInt(by), at); err != nil {
		return fmt.Errorf("log qa setting %s: %w", subject, err)
	}
	return nil
}

// SettingsLog returns the changes of a district's settings, newest first;
// only its admin may read them.
func (s *Service) SettingsLog(ctx context.Context, a *mingbai.Actor, district int64) ([]SettingChange, error) {
	if !a.IsDistrictAdmin(district) {
		return nil, errNotAdmin
	}
	var out []SettingChange
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT l.subject, l.old_value, l.new_value, COALESCE(u.name, ''), l.changed_at
			FROM qa_settings_log l LEFT JOIN users u ON u.id = l.changed_by WHERE l.district_id = ? ORDER BY l.id DESC`, district)
		if err != nil {
			return fmt.Errorf("qa settings log: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c SettingChange
			if err := rows.Scan(&c.Subject, &c.Old, &c.New, &c.ChangedBy, &c.At); err != nil {
				return fmt.Errorf("scan qa settings log: %w", err)
			}
			c.At = c.At.UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

var errNotAdmin = mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以修改提问栏的设置。")

// ---- the calendar ----

// LoadCalendar rebuilds the working-day calendar: the rows compiled into
// Mingbai with every row district admins added laid over them, in the
// order they were added. Serve calls it at start; the service calls it
// after each change. Holidays are national, so a row any district's admin
// entered counts for every deadline the service computes.
func (s *Service) LoadCalendar(ctx context.Context) error {
	cal := copyCalendar(s.base)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT day, kind, name FROM qa_calendar_days ORDER BY id")
		if err != nil {
			return fmt.Errorf("load calendar rows: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var day, kind, name string
			if err := rows.Scan(&day, &kind, &name); err != nil {
				return fmt.Errorf("scan calendar row: %w", err)
			}
			d, err := time.ParseInLocation(time.DateOnly, day, mingbai.Shanghai)
			if err != nil {
				return fmt.Errorf("calendar row %q: %w", day, err)
			}
			if err := cal.Add(d, zh.DayKind(kind), name); err != nil {
				return fmt.Errorf("calendar row %s: %w", day, err)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	s.cal.Store(cal)
	return nil
}

// calendarYears bounds the years a calendar is copied over and listed in.
const firstCalendarYear, lastCalendarYear = 2000, 2100

// copyCalendar returns a new calendar with the rows of c, so that a row
// removed from the database disappears when the calendar is rebuilt.
func copyCalendar(c *zh.Calendar) *zh.Calendar {
	out := zh.NewCalendar()
	for y := firstCalendarYear; y <= lastCalendarYear; y++ {
		for _, d := range c.Days(y) {
			// The rows come from a calendar, so they are valid.
			_ = out.Add(d.Date, d.Kind, d.Name)
		}
	}
	return out
}

// CalendarYear is one year of the calendar as the settings page lists it.
type CalendarYear struct {
	Year        int
	Provisional bool // no official rows: weekends alone count
	Days        []zh.Day
}

// CalendarYears returns the years from the first with official rows to
// two years after now's, each with its rows.
func (s *Service) CalendarYears() []CalendarYear {
	cal := s.Calendar()
	now := s.clock().In(mingbai.Shanghai).Year()
	first := now
	for y := firstCalendarYear; y <= now; y++ {
		if !cal.Provisional(y) {
			first = y
			break
		}
	}
	var out []CalendarYear
	for y := first; y <= now+2; y++ {
		out = append(out, CalendarYear{Year: y, Provisional: cal.Provisional(y), Days: cal.Days(y)})
	}
	return out
}

// CalendarRows returns the rows a district's admins added, by date.
func (s *Service) CalendarRows(ctx context.Context, a *mingbai.Actor, district int64) ([]CalendarRow, error) {
	if !a.IsDistrictAdmin(district) {
		return nil, errNotAdmin
	}
	var out []CalendarRow
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, c.day, c.kind, c.name, COALESCE(u.name, ''), c.created_at
			FROM qa_calendar_days c LEFT JOIN users u ON u.id = c.created_by WHERE c.district_id = ? ORDER BY c.day`, district)
		if err != nil {
			return fmt.Errorf("calendar rows: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r CalendarRow
			var day, kind string
			if err := rows.Scan(&r.ID, &day, &kind, &r.Name, &r.CreatedBy, &r.CreatedAt); err != nil {
				return fmt.Errorf("scan calendar row: %w", err)
			}
			if r.Date, err = time.ParseInLocation(time.DateOnly, day, mingbai.Shanghai); err != nil {
				return fmt.Errorf("calendar row %q: %w", day, err)
			}
			r.Kind, r.CreatedAt = zh.DayKind(kind), r.CreatedAt.UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ParseCalendarRow reads one row as a form gives it: a date (2027-01-01),
// a kind (holiday or workday, or 放假/休 and 上班/班) and a name.
func ParseCalendarRow(date, kind, name string) (zh.Day, error) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(date), mingbai.Shanghai)
	if err != nil {
		return zh.Day{}, mingbai.FieldError("date", "日期请写成 2027-01-01 的样子")
	}
	var k zh.DayKind
	switch strings.TrimSpace(kind) {
	case "holiday", "放假", "休", "节假日":
		k = zh.Holiday
	case "workday", "上班", "班", "调休上班":
		k = zh.Workday
	default:
		return zh.Day{}, mingbai.FieldError("kind", "类型请选择放假或调休上班")
	}
	// Add refuses a row without a name, in its own words.
	name, err = zh.Text{Field: "name", Label: "名称", Max: 20}.Clean(name)
	if err != nil {
		return zh.Day{}, err
	}
	// zh.Calendar.Add holds the rules of a row (a make-up working day is a
	// weekend day, a row has a name): check them on a scratch calendar.
	if err := zh.NewCalendar().Add(d, k, name); err != nil {
		return zh.Day{}, err
	}
	return zh.Day{Date: d, Kind: k, Name: name}, nil
}

// ParseCalendarTSV reads rows pasted in the format of the calendar file
// shipped with Mingbai: "date<TAB>kind<TAB>name" per line, an optional
// "date kind name" header, # comments and blank lines skipped. Two or more
// spaces also separate fields, since a tab rarely survives a copy from a
// web page. An error names the line.
func ParseCalendarTSV(text string) ([]zh.Day, error) {
	var out []zh.Day
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fields := strings.Split(l, "\t")
		if len(fields) != 3 {
			fields = strings.Fields(l)
		}
		if len(fields) != 3 {
			return nil, mingbai.FieldError("tsv", "第 %d 行应有三项：日期、类型、名称，用制表符分开", line)
		}
		if fields[0] == "date" {
			continue
		}
		d, err := ParseCalendarRow(fields[0], fields[1], fields[2])
		if err != nil {
			return nil, mingbai.FieldError("tsv", "第 %d 行：%s", line, mingbai.ErrorMessage(err))
		}
		key := d.Date.Format(time.DateOnly)
		if prev, dup := seen[key]; dup {
			return nil, mingbai.FieldError("tsv", "第 %d 行的日期 %s 与第 %d 行重复", line, key, prev)
		}
		seen[key] = line
		out = append(out, d)
	}
	if sc.Err() != nil {
		// A line beyond the scanner's buffer: say so rather than keep
		// the rows read before it and drop the rest unnoticed.
		return nil, mingbai.FieldError("tsv", "第 %d 行太长，无法读取", line+1)
	}
	if len(out) == 0 {
		return nil, mingbai.FieldError("tsv", "没有读到任何日期")
	}
	return out, nil
}

// AddCalendarRows stores rows for a district, replacing the district's
// row of the same date, logs each change, and reloads the calendar. Only
// the district's admin may. Deadlines already given are not moved: an
// open item whose due date was provisional keeps it, and the settings page
// lists it (see ProvisionalItems).
func (s *Service) AddCalendarRows(ctx context.Context, a *mingbai.Actor, district int64, days []zh.Day) error {
	if !a.IsDistrictAdmin(district) {
		return errNotAdmin
	}
	if len(days) == 0 {
		return mingbai.FieldError("date", "请至少填写一个日期")
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := checkDistrict(ctx, tx, district); err != nil {
			return err
		}
		now := s.clock()
		for _, d := range days {
			day := d.Date.In(mingbai.Shanghai).Format(time.DateOnly)
			row := fmt.Sprintf("%s %s %s", day, DayKindLabel(d.Kind), d.Name)
			var old string
			var oldKind, oldName string
			err := tx.QueryRow(ctx, "SELECT kind, name FROM qa_calendar_days WHERE district_id = ? AND day = ?", district, day).Scan(&oldKind, &oldName)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("calendar row %s: %w", day, err)
			default:
				if oldKind == string(d.Kind) && oldName == d.Name {
					continue
				}
				old = fmt.Sprintf("%s %s %s", day, DayKindLabel(zh.DayKind(oldKind)), oldName)
				if _, err := tx.Exec(ctx, "DELETE FROM qa_calendar_days WHERE district_id = ? AND day = ?", district, day); err != nil {
					return fmt.Errorf("replace calendar row %s: %w", day, err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO qa_calendar_days (district_id, day, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				district, day, string(d.Kind), d.Name, nullInt(a.UserID), now); err != nil {
				return fmt.Errorf("add calendar row %s: %w", day, err)
			}
			if err := logSetting(ctx, tx, district, "calendar", old, row, a.UserID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.LoadCalendar(ctx)
}

// RemoveCalendarRow deletes a row a district's admin added (a mistake),
// logs it and reloads the calendar.
func (s *Service) RemoveCalendarRow(ctx context.Context, a *mingbai.Actor, district, id int64) error {
	if !a.IsDistrictAdmin(district) {
		return errNotAdmin
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var day, kind, name string
		err := tx.QueryRow(ctx, "SELECT day, kind, name FROM qa_calendar_days WHERE district_id = ? AND id = ?", district, id).Scan(&day, &kind, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到这一行日历。")
		}
		if err != nil {
			return fmt.Errorf("calendar row %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM qa_calendar_days WHERE district_id = ? AND id = ?", district, id); err != nil {
			return fmt.Errorf("remove calendar row %d: %w", id, err)
		}
		return logSetting(ctx, tx, district, "calendar", fmt.Sprintf("%s %s %s", day, DayKindLabel(zh.DayKind(kind)), name), "", a.UserID, s.clock())
	})
	if err != nil {
		return err
	}
	return s.LoadCalendar(ctx)
}

// checkDistrict fails unless id is a district.
func checkDistrict(ctx context.Context, tx *store.Tx, id int64) error {
	var kind string
	err := tx.QueryRow(ctx, "SELECT kind FROM org_units WHERE id = ?", id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) || err == nil && kind != "district" {
		return mingbai.Errorf(mingbai.ENOTFOUND, "找不到这个区。")
	}
	if err != nil {
		return fmt.Errorf("district %d: %w", id, err)
	}
	return nil
}

// ProvisionalItem is an open item whose due date was counted on a year
// without official rows.
type ProvisionalItem struct {
	*Item
	CommunityName, CommunitySlug string
	// StillProvisional: a year the deadline counts over still has no
	// official rows. Otherwise the year has been added since, and
	// Workdays is the number of working days to the due date on the
	// calendar as it is now, for the admin to compare with the rules.
	StillProvisional bool
	Workdays         int
}

// ProvisionalItems lists the open items of a district whose due date is
// provisional, by due date. Only the district's admin may.
func (s *Service) ProvisionalItems(ctx context.Context, a *mingbai.Actor, district int64) ([]ProvisionalItem, error) {
	if !a.IsDistrictAdmin(district) {
		return nil, errNotAdmin
	}
	cal := s.Calendar()
	var out []ProvisionalItem
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		items, err := queryItems(ctx, tx, "WHERE i.district_id = ? AND i.due_provisional = ? AND i.status IN ('received', 'studying', 'referred') ORDER BY i.reply_due, i.id LIMIT 500", district, true)
		if err != nil {
			return err
		}
		names := map[int64][2]string{}
		for _, it := range items {
			n, ok := names[it.CommunityID]
			if !ok {
				if err := tx.QueryRow(ctx, "SELECT name, slug FROM org_units WHERE id = ?", it.CommunityID).Scan(&n[0], &n[1]); err != nil {
					return fmt.Errorf("community of item %d: %w", it.ID, err)
				}
				names[it.CommunityID] = n
			}
			p := ProvisionalItem{Item: it, CommunityName: n[0], CommunitySlug: n[1], Workdays: cal.WorkdaysBetween(it.ReceivedAt, it.ReplyDue)}
			for y := it.ReceivedAt.In(mingbai.Shanghai).Year(); y <= it.ReplyDue.In(mingbai.Shanghai).Year(); y++ {
				if cal.Provisional(y) {
					p.StillProvisional = true
				}
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
