package qa

import (
	"fmt"
	"net/http"
	"strings"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/web"
	"mingbai/internal/zh"
)

// A district admin's settings of the 提问栏: the working-day calendar (a
// newly announced year's holidays and make-up days) and the rules
// (deadlines and limits), each change logged.

// settingsDistrict is the district of a settings page: the {unit} of the
// path must be a district (the districtAdmin policy has checked its admin).
func settingsDistrict(r *http.Request) (*org.Unit, error) {
	u := web.State(r).Unit
	if u == nil || u.Kind != org.District {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到这个区。")
	}
	return u, nil
}

type qaCalendarData struct {
	web.Page
	District    *org.Unit
	Years       []qa.CalendarYear
	Rows        []qa.CalendarRow
	Provisional []qa.ProvisionalItem
	Add         *web.Form
	Paste       *web.Form
	Kinds       []zh.DayKind
}

func (s *handlers) qaCalendarPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCalendar(w, r, http.StatusOK, web.NewForm(r), web.NewForm(r))
}

func (s *handlers) renderCalendar(w http.ResponseWriter, r *http.Request, status int, add, paste *web.Form) error {
	d, err := settingsDistrict(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	data := &qaCalendarData{Page: s.NewPage(r, "工作日历 · "+d.Name), District: d, Years: s.qa.CalendarYears(), Add: add, Paste: paste,
		Kinds: []zh.DayKind{zh.Holiday, zh.Workday}}
	if data.Rows, err = s.qa.CalendarRows(r.Context(), a, d.ID); err != nil {
		return err
	}
	if data.Provisional, err = s.qa.ProvisionalItems(r.Context(), a, d.ID); err != nil {
		return err
	}
	s.Render(w, r, status, "qa_calendar", data)
	return nil
}

// qaAddCalendar adds one row from the form's fields, or every line of the
// pasted text when there is one.
func (s *handlers) qaAddCalendar(w http.ResponseWriter, r *http.Request) error {
	d, err := settingsDistrict(r)
	if err != nil {
		return err
	}
	add, paste := web.NewForm(r, "date", "kind", "name"), web.NewForm(r)
	pasted := strings.TrimSpace(r.PostFormValue("tsv")) != "" || r.PostFormValue("mode") == "tsv"
	var days []zh.Day
	if pasted {
		add, paste = web.NewForm(r), &web.Form{Values: map[string]string{"tsv": r.PostFormValue("tsv")}, Errors: map[string]string{}}
		days, err = qa.ParseCalendarTSV(r.PostFormValue("tsv"))
	} else {
		var day zh.Day
		day, err = qa.ParseCalendarRow(add.Values["date"], add.Values["kind"], add.Values["name"])
		days = []zh.Day{day}
	}
	if err == nil {
		err = s.qa.AddCalendarRows(r.Context(), web.Actor(r), d.ID, days)
	}
	if web.FormError(err) {
		if pasted {
			paste.Fail(err)
		} else {
			add.Fail(err)
		}
		return s.renderCalendar(w, r, web.StatusOf(mingbai.ErrorCode(err)), add, paste)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/districts/%d/calendar?done=saved", d.ID), http.StatusSeeOther)
	return nil
}

func (s *handlers) qaRemoveCalendar(w http.ResponseWriter, r *http.Request) error {
	d, err := settingsDistrict(r)
	if err != nil {
		return err
	}
	row, err := web.PathID(r, "row")
	if err != nil {
		return err
	}
	if err := s.qa.RemoveCalendarRow(r.Context(), web.Actor(r), d.ID, row); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/districts/%d/calendar?done=saved", d.ID), http.StatusSeeOther)
	return nil
}

// ruleInput is one rule on the form.
type ruleInput struct {
	qa.RuleField
	Default int
	Typed   string
}

type qaRulesData struct {
	web.Page
	District *org.Unit
	Fields   []ruleInput
	Defaults qa.Rules
	History  []qa.SettingChange
	Form     *web.Form
}

func (s *handlers) qaRulesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRules(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderRules(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	d, err := settingsDistrict(r)
	if err != nil {
		return err
	}
	rules, err := s.qa.Rules(r.Context(), d.ID)
	if err != nil {
		return err
	}
	data := &qaRulesData{Page: s.NewPage(r, "提问栏规则 · "+d.Name), District: d, Defaults: qa.DefaultRules, Form: f}
	defaults := qa.DefaultRules.Fields()
	for i, fl := range rules.Fields() {
		in := ruleInput{RuleField: fl, Default: defaults[i].Value, Typed: fmt.Sprint(fl.Value)}
		// A form sent back with errors shows what the admin typed.
		if v, ok := f.Values[fl.Name]; ok {
			in.Typed = v
		}
		data.Fields = append(data.Fields, in)
	}
	if data.History, err = s.qa.SettingsLog(r.Context(), web.Actor(r), d.ID); err != nil {
		return err
	}
	s.Render(w, r, status, "qa_rules", data)
	return nil
}

func (s *handlers) qaSetRules(w http.ResponseWriter, r *http.Request) error {
	d, err := settingsDistrict(r)
	if err != nil {
		return err
	}
	var names []string
	for _, fl := range qa.DefaultRules.Fields() {
		names = append(names, fl.Name)
	}
	f := web.NewForm(r, names...)
	rules, err := qa.RulesFromFields(func(k string) string { return f.Values[k] })
	if err == nil {
		err = s.qa.SetRules(r.Context(), web.Actor(r), d.ID, rules)
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderRules(w, r, status, f) },
		func() string { return fmt.Sprintf("/admin/districts/%d/qa-rules?done=saved", d.ID) })
}
