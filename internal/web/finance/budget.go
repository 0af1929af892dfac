package finance

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/web"
	"mingbai/internal/zh"
)

// financeBudgetView is a budget with its chart, for the "finbudget"
// partial on the board and the budget page.
type financeBudgetView struct {
	Budget *finance.Budget
	Chart  template.HTML
}

func (s *handlers) budgetView(r *http.Request, communityID int64, year int) (*financeBudgetView, error) {
	b, err := s.finance.BudgetOf(r.Context(), web.Actor(r), communityID, year)
	if err != nil {
		return nil, err
	}
	return &financeBudgetView{Budget: b, Chart: budgetChart(b)}, nil
}

type financeBudgetData struct {
	financeNav
	View       *financeBudgetView
	Years      []int
	Categories []finance.Category
	Form       *web.Form
}

func (s *handlers) financeBudget(w http.ResponseWriter, r *http.Request) error {
	return s.renderBudget(w, r, http.StatusOK, nil)
}

// budgetYear is the ?year of the page (or the posted year), this year by
// default.
func (s *handlers) budgetYear(r *http.Request) (int, error) {
	v := r.URL.Query().Get("year")
	if r.Method == http.MethodPost {
		v = r.PostFormValue("year")
	}
	if v == "" {
		return s.now().In(mingbai.Shanghai).Year(), nil
	}
	y, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || y < 2000 || y > 2199 {
		return 0, mingbai.FieldError("year", "年份不对。")
	}
	return y, nil
}

func (s *handlers) renderBudget(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	year, err := s.budgetYear(r)
	if err != nil {
		return err
	}
	d := &financeBudgetData{Form: f}
	if d.financeNav, err = s.financeNav(r, strconv.Itoa(year)+"年预算", "budget"); err != nil {
		return err
	}
	if d.View, err = s.budgetView(r, d.Community.ID, year); err != nil {
		return err
	}
	this := s.now().In(mingbai.Shanghai).Year()
	for y := this + 1; y >= this-3; y-- {
		d.Years = append(d.Years, y)
	}
	if d.Access.Post {
		if d.Categories, err = s.finance.Categories(r.Context(), d.Community.DistrictID); err != nil {
			return err
		}
	}
	if d.Form == nil {
		d.Form = web.NewForm(r)
		for _, l := range d.View.Budget.Lines {
			if l.Budgeted {
				d.Form.Values["budget_"+strconv.FormatInt(l.CategoryID, 10)] = l.Budget.String()
			}
		}
	}
	s.Render(w, r, status, "finance_budget", d)
	return nil
}

// financeSetBudget takes budget_<category id> fields in 元; empty fields
// are left as they were.
func (s *handlers) financeSetBudget(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	f := web.NewForm(r)
	err := func() error {
		year, err := s.budgetYear(r)
		if err != nil {
			return err
		}
		amounts := map[int64]zh.Fen{}
		for k, vs := range r.PostForm {
			rest, ok := strings.CutPrefix(k, "budget_")
			if !ok || len(vs) == 0 {
				continue
			}
			v := strings.TrimSpace(vs[0])
			f.Values[k] = v
			if v == "" {
				continue
			}
			id, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				return mingbai.FieldError("budget", "预算科目不对。")
			}
			amt, err := yuan(k, v)
			if err != nil {
				return err
			}
			amounts[id] = amt
		}
		return s.finance.SetBudget(r.Context(), web.Actor(r), st.Community.ID, year, amounts)
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderBudget)
	}
	http.Redirect(w, r, "/c/"+st.Community.Slug+"/finance/budget?done=saved&year="+r.PostFormValue("year"), http.StatusSeeOther)
	return nil
}
