package finance

import (
	"fmt"
	"html/template"
	"io"
	"mingbai/internal/disclosure"
	"mingbai/internal/export"
	"mingbai/internal/web"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/zh"
)

// financePages are the pages of 财务公开.
var financePages = map[string][]string{
	"finance_board":     {"finance/board.html", "finance/parts.html", "partials/fields.html", "partials/boarditems.html"},
	"finance_statement": {"finance/statement.html", "finance/parts.html", "partials/fields.html", "partials/verify.html"},
	"finance_entry":     {"finance/entry.html", "finance/parts.html", "partials/fields.html", "partials/verify.html"},
	"finance_special":   {"finance/special.html", "finance/parts.html", "partials/fields.html"},
	"finance_ledger":    {"finance/ledger.html", "finance/parts.html", "partials/fields.html"},
	"finance_flagged":   {"finance/flagged.html", "finance/parts.html"},
	"finance_import":    {"finance/import.html", "finance/parts.html", "partials/fields.html"},
	"finance_street":    {"finance/street.html", "finance/parts.html", "partials/fields.html"},
	"finance_district":  {"finance/district.html", "finance/parts.html", "partials/fields.html"},
	"finance_budget":    {"finance/budget.html", "finance/parts.html", "partials/fields.html"},
}

func (s *handlers) registerFinanceRoutes() {
	if s.finance == nil {
		return
	}
	const c = "/c/{community}/finance"
	s.Handle("GET "+c, web.Public, s.financeBoard)
	s.Handle("GET "+c+"/statements/{period}", web.Public, s.financeStatement)
	s.Handle("GET "+c+"/statements/{period}/export", web.Public, s.financeStatementExport)
	s.Handle("GET "+c+"/entries/{entry}", web.Public, s.financeEntry)
	s.Handle("GET "+c+"/receipts/{attachment}", web.Public, s.financeReceipt)
	s.Handle("GET "+c+"/special/{kind}", web.Public, s.financeSpecial)
	s.Handle("GET "+c+"/flagged", web.Public, s.financeFlagged)
	s.Handle("GET "+c+"/export", web.Public, s.financeExport)
	s.Handle("GET "+c+"/budget", web.Public, s.financeBudget)
	s.Handle("POST "+c+"/budget", web.CadreOfCommunity, s.financeSetBudget)

	s.Handle("GET "+c+"/ledger", web.CadreOfCommunity, s.financeLedger)
	s.Handle("POST "+c+"/books", web.CadreOfCommunity, s.financeOpenBooks)
	s.Handle("POST "+c+"/accounts", web.CadreOfCommunity, s.financeAddAccount)
	s.Handle("POST "+c+"/entries", web.CadreOfCommunity, s.financePost)
	s.Handle("POST "+c+"/entries/{entry}/reverse", web.CadreOfCommunity, s.financeReverse)
	s.HandleUpload("POST "+c+"/entries/{entry}/attachments", web.CadreOfCommunity, maxFinanceUpload, s.financeAttach)
	s.Handle("POST "+c+"/receipts/{attachment}/clear", web.CadreOfCommunity, s.financeClearReceipt)
	s.Handle("POST "+c+"/receipts/{attachment}/redact", web.CadreOfCommunity, s.financeRedact)
	s.Handle("GET "+c+"/import", web.CadreOfCommunity, s.financeImportPage)
	s.HandleUpload("POST "+c+"/import", web.CadreOfCommunity, maxFinanceUpload, s.financeImport)
	s.Handle("POST "+c+"/periods/{period}/close", web.CadreOfCommunity, s.financeClose)
	s.Handle("POST "+c+"/statements/{period}/answer", web.CadreOfCommunity, s.financeAnswer)
	s.Handle("POST "+c+"/statements/{period}/return", web.SupervisorOfCommunity, s.financeReturn)
	s.Handle("POST "+c+"/statements/{period}/approve", web.SupervisorOfCommunity, s.financeApprove)
	s.Handle("POST "+c+"/special/{kind}", web.CadreOfCommunity, s.financeAddSpecial)
	s.Handle("POST "+c+"/donations/{donation}/distributions", web.CadreOfCommunity, s.financeDistribute)

	const api = "/api/v1/c/{community}/finance"
	s.Handle("GET "+api+"/statements", web.Public, s.apiFinanceStatements)
	s.Handle("GET "+api+"/statements/{period}", web.Public, s.apiFinanceStatement)
	s.Handle("GET "+api+"/statements/{period}/entries", web.Public, s.apiFinanceEntries)

	s.Handle("GET /s/{street}/finance", web.OverseerOfStreet, s.financeStreet)
	s.Handle("GET /admin/units/{unit}/finance", web.DistrictAdmin, s.financeDistrict)
	s.Handle("POST /admin/units/{unit}/finance/rules", web.DistrictAdmin, s.financeSetRules)
	s.Handle("POST /admin/units/{unit}/finance/categories", web.DistrictAdmin, s.financeAddCategory)
	s.Handle("POST /admin/units/{unit}/finance/categories/{category}/archive", web.DistrictAdmin, s.financeArchiveCategory)
}

// financeNav is what every finance page shows above its content.
type financeNav struct {
	web.Page
	Community *org.Unit
	Street    *org.Unit
	Access    finance.Access
	Tab       string
	Done      string // what was just done, for the notice
}

func (s *handlers) financeNav(r *http.Request, title, tab string) (financeNav, error) {
	st := web.State(r)
	acc, err := s.finance.AccessTo(r.Context(), web.Actor(r), st.Community.ID)
	if err != nil {
		return financeNav{}, err
	}
	p := s.NewPage(r, title+" · "+st.Community.Name)
	p.Feeds = web.CommunityFeeds(st.Community, "finance")
	return financeNav{Page: p, Community: st.Community, Street: st.Street, Access: acc, Tab: tab, Done: financeDone[r.URL.Query().Get("done")]}, nil
}

func pathPeriod(r *http.Request) (finance.Period, error) {
	p, err := finance.ParsePeriod(r.PathValue("period"))
	if err != nil {
		return 0, web.ErrNotFound
	}
	return p, nil
}

// yuan parses a form's amount field, naming the field in its error.
func yuan(field, v string) (zh.Fen, error) {
	f, err := zh.ParseYuan(v)
	if err != nil {
		return 0, &mingbai.Error{Code: mingbai.EINVALID, Field: field, Message: mingbai.ErrorMessage(err)}
	}
	return f, nil
}

// financeFlagged lists the large expenses with neither decision nor
// reason that the reader may see: all of them for the community's cadres,
// supervisors and overseers, those of published months for the public.
func (s *handlers) financeFlagged(w http.ResponseWriter, r *http.Request) error {
	nav, err := s.financeNav(r, "大额支出未附决议或说明", "board")
	if err != nil {
		return err
	}
	entries, err := s.finance.Entries(r.Context(), web.Actor(r), nav.Community.ID, finance.EntryFilter{OnlyFlagged: true})
	if err != nil {
		return err
	}
	rules, err := s.finance.RulesOf(r.Context(), nav.Community.DistrictID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "finance_flagged", &struct {
		financeNav
		Entries   []finance.Entry
		Threshold zh.Fen
	}{nav, entries, rules.ExpenseThreshold})
	return nil
}

// ---- the public board ----

type financeBoardData struct {
	financeNav
	Books     *finance.Books
	Latest    *finance.StatementView
	Periods   []finance.PeriodInfo
	Monthly   template.HTML
	ByCat     template.HTML
	YearVs    template.HTML
	YearTotal zh.Fen
	LastTotal zh.Fen
	Flagged   []finance.Entry
	Budget    *financeBudgetView // nil unless a budget was entered for the year
	// Catalog is the board's 财务 section: the catalog items (公开目录)
	// with their newest disclosures and freshness.
	Catalog []disclosure.BoardItem
}

func (s *handlers) financeBoard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := &financeBoardData{}
	var err error
	if d.financeNav, err = s.financeNav(r, "财务公开", "board"); err != nil {
		return err
	}
	c := d.Community.ID
	d.Books, err = s.finance.BooksOf(ctx, c)
	if err != nil && mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
		return err
	}
	if d.Books != nil {
		if d.Periods, err = s.finance.Periods(ctx, web.Actor(r), c); err != nil {
			return err
		}
		latest, err := s.finance.LatestPublished(ctx, c)
		if err != nil {
			return err
		}
		if latest != 0 {
			if d.Latest, err = s.finance.StatementOf(ctx, &mingbai.Actor{}, c, latest); err != nil {
				return err
			}
			d.Flagged, err = s.finance.Entries(ctx, &mingbai.Actor{}, c, finance.EntryFilter{Year: latest.Year(), OnlyFlagged: true})
			if err != nil {
				return err
			}
			d.Monthly, d.YearVs, d.YearTotal, d.LastTotal = monthlyCharts(d.Periods, latest)
			d.ByCat = categoryChart(d.Latest.Statement.Categories)
		}
		year := s.now().In(mingbai.Shanghai).Year()
		if latest != 0 {
			year = latest.Year()
		}
		bv, err := s.budgetView(r, c, year)
		if err != nil {
			return err
		}
		if bv.Budget.Entered {
			d.Budget = bv
		}
	}
	if s.disclosure != nil {
		board, err := s.disclosure.Board(ctx, c)
		if err != nil {
			return err
		}
		for _, bs := range board {
			if string(bs.Section) == "finance" {
				d.Catalog = bs.Items
			}
		}
	}
	s.Render(w, r, http.StatusOK, "finance_board", d)
	return nil
}

type financeStatementData struct {
	financeNav
	V          *finance.StatementView
	CanReview  bool
	CanAnswer  bool
	Form       *web.Form
	ReturnForm *web.Form
}

func (s *handlers) financeStatement(w http.ResponseWriter, r *http.Request) error {
	return s.renderStatement(w, r, http.StatusOK, nil)
}

func (s *handlers) renderStatement(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	d := &financeStatementData{Form: f}
	if d.financeNav, err = s.financeNav(r, p.Label()+"财务公开表", "history"); err != nil {
		return err
	}
	if d.V, err = s.finance.StatementOf(r.Context(), web.Actor(r), d.Community.ID, p); err != nil {
		return err
	}
	d.CanReview = d.Access.Review && d.V.Status == finance.StatusClosed
	d.CanAnswer = d.Access.Post && d.V.Status == finance.StatusReturned
	if d.Form == nil {
		d.Form = web.NewForm(r)
	}
	s.Render(w, r, status, "finance_statement", d)
	return nil
}

func (s *handlers) financeStatementExport(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	v, err := s.finance.StatementOf(r.Context(), web.Actor(r), web.State(r).Community.ID, p)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-财务公开表", web.State(r).Community.Slug, p)
	return web.WriteTables(w, r, name, finance.StatementTables(v)...)
}

type financeEntryData struct {
	financeNav
	E          *finance.Entry
	Form       *web.Form
	RedactRows []int
}

func (s *handlers) financeEntry(w http.ResponseWriter, r *http.Request) error {
	return s.renderEntry(w, r, http.StatusOK, nil)
}

func (s *handlers) renderEntry(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	id, err := web.PathID(r, "entry")
	if err != nil {
		return err
	}
	d := &financeEntryData{Form: f, RedactRows: redactRows}
	if d.financeNav, err = s.financeNav(r, "收支记录", "history"); err != nil {
		return err
	}
	if d.E, err = s.finance.Entry(r.Context(), web.Actor(r), d.Community.ID, id); err != nil {
		return err
	}
	d.Title = "凭证 " + d.E.Voucher() + " · " + d.Community.Name
	if d.Form == nil {
		d.Form = web.NewForm(r)
	}
	s.Render(w, r, status, "finance_entry", d)
	return nil
}

func (s *handlers) financeReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "attachment")
	if err != nil {
		return err
	}
	original := r.URL.Query().Get("original") == "1"
	at, f, err := s.finance.OpenAttachmentVersion(r.Context(), web.Actor(r), web.State(r).Community.ID, id, original)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", at.MIME)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(at.Name))
	// The same URL serves a newer version once the receipt is redacted,
	// so caches must revalidate (the ETag makes that cheap); an original
	// or an unpublished receipt is never stored by a shared cache.
	w.Header().Set("ETag", `"`+at.Served+`"`)
	if at.Cleared && !original {
		w.Header().Set("Cache-Control", "public, no-cache")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}

type financeSpecialData struct {
	financeNav
	Kind  string
	Label string
	Sp    *finance.Specials
	Form  *web.Form
	Year  int
	Years []int
}

// financeDone are the notices after a finance action.
var financeDone = map[string]string{
	"posted":    "已记账。",
	"imported":  "日记账已全部导入。",
	"closed":    "已结账，财务公开表已提交居务监督委员会审核。",
	"returned":  "已退回，等待社区干部答复。",
	"answered":  "已答复并重新提交审核。",
	"published": "审核通过，财务公开表已公开并记入公开日志。",
	"saved":     "已保存。",
	"redacted":  "已遮盖。公开的是遮盖后的图片，原件只有本社区干部和监督委员会成员能看。",
}

var specialKinds = map[string]string{"subsidies": "干部补贴和奖金", "relief": "救灾救济款物", "fees": "收费情况"}

func (s *handlers) financeSpecial(w http.ResponseWriter, r *http.Request) error {
	return s.renderSpecial(w, r, http.StatusOK, nil)
}

func (s *handlers) renderSpecial(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	kind := r.PathValue("kind")
	label, ok := specialKinds[kind]
	if !ok {
		return web.ErrNotFound
	}
	d := &financeSpecialData{Kind: kind, Label: label, Form: f}
	var err error
	if d.financeNav, err = s.financeNav(r, label, kind); err != nil {
		return err
	}
	if d.Sp, err = s.finance.SpecialsOf(r.Context(), web.Actor(r), d.Community.ID, 0, 0); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = web.NewForm(r)
	}
	s.Render(w, r, status, "finance_special", d)
	return nil
}

func (s *handlers) financeExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st := web.State(r)
	q := r.URL.Query()
	switch q.Get("what") {
	case "", "ledger":
		year := s.now().In(mingbai.Shanghai).Year()
		if v := q.Get("year"); v != "" {
			y, err := strconv.Atoi(v)
			if err != nil || y < 2000 || y > 2199 {
				return mingbai.FieldError("year", "年份不对。")
			}
			year = y
		}
		rows, err := s.finance.LedgerRows(ctx, web.Actor(r), st.Community.ID, finance.EntryFilter{Year: year}, 0)
		if err != nil {
			return err
		}
		return web.WriteTables(w, r, fmt.Sprintf("%s-%d-账簿", st.Community.Slug, year), export.Table{Name: "账簿", Header: finance.LedgerHeader, Rows: rows})
	case "special":
		sp, err := s.finance.SpecialsOf(ctx, web.Actor(r), st.Community.ID, 0, 0)
		if err != nil {
			return err
		}
		return web.WriteTables(w, r, st.Community.Slug+"-专项公开", finance.SpecialTables(sp)...)
	}
	return mingbai.FieldError("what", "只能导出账簿（ledger）或专项公开（special）。")
}

// ---- the cadre's ledger ----

type financeLedgerData struct {
	financeNav
	Books      *finance.Books
	Balances   []finance.Balance
	Categories []finance.Category
	Entries    []finance.Entry
	Periods    []finance.PeriodInfo
	ToClose    finance.Period
	Form       *web.Form
	Today      string
}

// AccountKinds are the kinds a cadre may open an account of, earmarked
// first: a new account is most often a new fund.
func (financeLedgerData) AccountKinds() []finance.AccountKind {
	return []finance.AccountKind{finance.Earmarked, finance.Bank, finance.Cash}
}

func (s *handlers) financeLedger(w http.ResponseWriter, r *http.Request) error {
	return s.renderLedger(w, r, http.StatusOK, nil)
}

func (s *handlers) renderLedger(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	d := &financeLedgerData{Form: f, Today: finance.DateOf(s.now()).String()}
	var err error
	if d.financeNav, err = s.financeNav(r, "记账", "ledger"); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &web.Form{Values: map[string]string{"date": d.Today}, Errors: map[string]string{}}
	}
	c := d.Community.ID
	if d.Books, err = s.finance.BooksOf(ctx, c); err != nil {
		if mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
			return err
		}
		d.Books = nil
		s.Render(w, r, status, "finance_ledger", d)
		return nil
	}
	if d.Balances, err = s.finance.Balances(ctx, web.Actor(r), c); err != nil {
		return err
	}
	if d.Categories, err = s.finance.Categories(ctx, web.State(r).Community.DistrictID); err != nil {
		return err
	}
	if d.Periods, err = s.finance.Periods(ctx, web.Actor(r), c); err != nil {
		return err
	}
	// Entries of the months not yet closed, oldest open month first.
	from := d.Books.Start
	for _, p := range d.Periods {
		if p.Status != finance.StatusOpen {
			from = p.Period.Next()
			break
		}
	}
	for i := len(d.Periods) - 1; i >= 0; i-- {
		if d.Periods[i].Status == finance.StatusOpen {
			d.ToClose = d.Periods[i].Period
			break
		}
	}
	if d.Entries, err = s.finance.Entries(ctx, web.Actor(r), c, finance.EntryFilter{From: from}); err != nil {
		return err
	}
	s.Render(w, r, status, "finance_ledger", d)
	return nil
}

func (s *handlers) financeOpenBooks(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "start", "cash", "bank")
	st := web.State(r)
	err := func() error {
		start, err := finance.ParsePeriod(f.Values["start"])
		if err != nil {
			return err
		}
		cash, err := yuan("cash", orZero(f.Values["cash"]))
		if err != nil {
			return err
		}
		bank, err := yuan("bank", orZero(f.Values["bank"]))
		if err != nil {
			return err
		}
		return s.finance.OpenBooks(r.Context(), web.Actor(r), st.Community.ID, start, []finance.NewAccount{
			{Name: "现金", Kind: finance.Cash, Opening: cash}, {Name: "银行存款", Kind: finance.Bank, Opening: bank}, {Name: "救灾救济", Kind: finance.Earmarked},
		})
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, "/c/"+st.Community.Slug+"/finance/ledger?done=saved", http.StatusSeeOther)
	return nil
}

// financeAddAccount opens another account, such as a new earmarked fund
// (a donation campaign's money is spent only on its purpose).
func (s *handlers) financeAddAccount(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name", "kind")
	st := web.State(r)
	if _, err := s.finance.AddAccount(r.Context(), web.Actor(r), st.Community.ID, f.Values["name"], finance.AccountKind(f.Values["kind"])); err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, "/c/"+st.Community.Slug+"/finance/ledger?done=saved", http.StatusSeeOther)
	return nil
}

func orZero(v string) string {
	if strings.TrimSpace(v) == "" {
		return "0"
	}
	return v
}

// formFailed re-renders a page with the form's errors when the error is
// the user's; anything else goes to the error page.
func (s *handlers) formFailed(w http.ResponseWriter, r *http.Request, err error, f *web.Form, render func(http.ResponseWriter, *http.Request, int, *web.Form) error) error {
	switch mingbai.ErrorCode(err) {
	case mingbai.EINVALID, mingbai.ECONFLICT:
		f.Fail(err)
		status := http.StatusBadRequest
		if mingbai.ErrorCode(err) == mingbai.ECONFLICT {
			status = http.StatusConflict
		}
		return render(w, r, status, f)
	}
	return err
}

func (s *handlers) financePost(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "account", "date", "category", "amount", "summary", "counterparty", "decision", "reason")
	st := web.State(r)
	var e *finance.Entry
	err := func() error {
		date, err := finance.ParseDate(f.Values["date"])
		if err != nil {
			return err
		}
		amt, err := yuan("amount", f.Values["amount"])
		if err != nil {
			return err
		}
		acct, _ := strconv.ParseInt(f.Values["account"], 10, 64)
		cat, _ := strconv.ParseInt(f.Values["category"], 10, 64)
		keep, err := web.ReviewNumbers(r, f, f.Values["summary"], f.Values["counterparty"], f.Values["decision"], f.Values["reason"])
		if err != nil {
			return err
		}
		e, err = s.finance.Post(r.Context(), web.Actor(r), st.Community.ID, finance.NewEntry{
			AccountID: acct, Date: date, CategoryID: cat, Amount: amt, Summary: f.Values["summary"],
			Counterparty: f.Values["counterparty"], Decision: f.Values["decision"], Reason: f.Values["reason"], PublicPhones: keep,
		})
		return err
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/ledger?done=posted&voucher=%s", st.Community.Slug, e.Voucher()), http.StatusSeeOther)
	return nil
}

func (s *handlers) financeReverse(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "entry")
	if err != nil {
		return err
	}
	f := web.NewForm(r, "reason")
	st := web.State(r)
	rev, err := s.finance.Reverse(r.Context(), web.Actor(r), st.Community.ID, id, f.Values["reason"])
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderEntry)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/entries/%d?done=saved", st.Community.Slug, rev.ID), http.StatusSeeOther)
	return nil
}

// maxFinanceUpload bounds an upload's request body: a receipt or a cashbook.
const maxFinanceUpload = 24 << 20

func (s *handlers) financeAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "entry")
	if err != nil {
		return err
	}
	st := web.State(r)
	f := web.NewForm(r)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.formFailed(w, r, mingbai.FieldError("file", "请选择要上传的收据照片或 PDF。"), f, s.renderEntry)
	}
	defer file.Close()
	if _, err := s.finance.Attach(r.Context(), web.Actor(r), st.Community.ID, id, hdr.Filename, io.LimitReader(file, maxFinanceUpload)); err != nil {
		return s.formFailed(w, r, err, f, s.renderEntry)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/entries/%d?done=saved", st.Community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *handlers) financeClearReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "attachment")
	if err != nil {
		return err
	}
	st := web.State(r)
	if err := s.finance.ClearAttachment(r.Context(), web.Actor(r), st.Community.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, web.LocalPath(r.PostFormValue("next"), "/c/"+st.Community.Slug+"/finance/ledger")+"?done=saved", http.StatusSeeOther)
	return nil
}

type financeImportData struct {
	financeNav
	Books  *finance.Books
	Form   *web.Form
	Result *finance.ImportResult
}

func (s *handlers) financeImportPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, http.StatusOK, nil, nil)
}

func (s *handlers) renderImport(w http.ResponseWriter, r *http.Request, status int, f *web.Form, res *finance.ImportResult) error {
	d := &financeImportData{Form: f, Result: res}
	var err error
	if d.financeNav, err = s.financeNav(r, "导入日记账", "ledger"); err != nil {
		return err
	}
	if d.Books, err = s.finance.BooksOf(r.Context(), d.Community.ID); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = web.NewForm(r)
	}
	s.Render(w, r, status, "finance_import", d)
	return nil
}

func (s *handlers) financeImport(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	f := web.NewForm(r, "account", "map_date", "map_voucher", "map_summary", "map_category", "map_income", "map_expense", "map_balance")
	render := func(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
		return s.renderImport(w, r, status, f, nil)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.formFailed(w, r, mingbai.FieldError("file", "请选择要导入的 Excel 文件（.xlsx）。"), f, render)
	}
	defer file.Close()
	acct, _ := strconv.ParseInt(f.Values["account"], 10, 64)
	m := finance.Mapping{}
	for _, role := range []string{finance.ColDate, finance.ColVoucher, finance.ColSummary, finance.ColCategory, finance.ColIncome, finance.ColExpense, finance.ColBalance} {
		if v := f.Values["map_"+role]; v != "" {
			m[role] = v
		}
	}
	res, err := s.finance.ImportCashbook(r.Context(), web.Actor(r), st.Community.ID, acct, io.LimitReader(file, maxFinanceUpload), m)
	if err != nil {
		return s.formFailed(w, r, err, f, render)
	}
	if len(res.Errors) > 0 {
		f.Error = fmt.Sprintf("有 %d 行需要修改，整个文件都没有导入。改好后请重新上传。", len(res.Errors))
		return s.renderImport(w, r, http.StatusUnprocessableEntity, f, res)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/ledger?done=imported&n=%d", st.Community.Slug, res.Posted), http.StatusSeeOther)
	return nil
}

func (s *handlers) financeClose(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	st := web.State(r)
	f := web.NewForm(r, "note")
	if err := s.finance.Close(r.Context(), web.Actor(r), st.Community.ID, p, f.Values["note"]); err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/statements/%s?done=closed", st.Community.Slug, p), http.StatusSeeOther)
	return nil
}

func (s *handlers) reviewStep(w http.ResponseWriter, r *http.Request, field string, do func(p finance.Period, text string) error, done string) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	f := web.NewForm(r, field)
	if err := do(p, f.Values[field]); err != nil {
		return s.formFailed(w, r, err, f, s.renderStatement)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/statements/%s?done=%s", web.State(r).Community.Slug, p, done), http.StatusSeeOther)
	return nil
}

func (s *handlers) financeAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "answer", func(p finance.Period, text string) error {
		return s.finance.Answer(r.Context(), web.Actor(r), web.State(r).Community.ID, p, text)
	}, "answered")
}

func (s *handlers) financeReturn(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "comment", func(p finance.Period, text string) error {
		return s.finance.Return(r.Context(), web.Actor(r), web.State(r).Community.ID, p, text)
	}, "returned")
}

func (s *handlers) financeApprove(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "approve_comment", func(p finance.Period, text string) error {
		return s.finance.Approve(r.Context(), web.Actor(r), web.State(r).Community.ID, p, text)
	}, "published")
}

func (s *handlers) financeAddSpecial(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	if _, ok := specialKinds[kind]; !ok {
		return web.ErrNotFound
	}
	st := web.State(r)
	ctx := r.Context()
	f := web.NewForm(r, "period", "date", "person", "post", "kind", "amount", "basis", "donor", "item", "unit", "quantity", "value", "note", "fee_type", "payers")
	err := func() error {
		switch kind {
		case "subsidies":
			p, err := finance.ParsePeriod(f.Values["period"])
			if err != nil {
				return err
			}
			amt, err := yuan("amount", f.Values["amount"])
			if err != nil {
				return err
			}
			_, err = s.finance.AddSubsidy(ctx, web.Actor(r), st.Community.ID, p, finance.Subsidy{Person: f.Values["person"], Post: f.Values["post"], Kind: f.Values["kind"], Amount: amt, Basis: f.Values["basis"]})
			return err
		case "relief":
			d, q, v, err := goodsFields(f)
			if err != nil {
				return err
			}
			_, err = s.finance.AddDonation(ctx, web.Actor(r), st.Community.ID, d, finance.Donation{Donor: f.Values["donor"], Item: f.Values["item"], Unit: f.Values["unit"], Quantity: q, Value: v, Note: f.Values["note"]})
			return err
		default:
			p, err := finance.ParsePeriod(f.Values["period"])
			if err != nil {
				return err
			}
			n, err := count("payers", f.Values["payers"])
			if err != nil {
				return err
			}
			amt, err := yuan("amount", f.Values["amount"])
			if err != nil {
				return err
			}
			_, err = s.finance.AddFee(ctx, web.Actor(r), st.Community.ID, p, finance.Fee{FeeType: f.Values["fee_type"], Payers: n, Amount: amt, Note: f.Values["note"]})
			return err
		}
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderSpecial)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/special/%s?done=saved", st.Community.Slug, kind), http.StatusSeeOther)
	return nil
}

// goodsFields parses the date, quantity and value of a donation received
// or handed out.
func goodsFields(f *web.Form) (finance.Date, int64, zh.Fen, error) {
	d, err := finance.ParseDate(f.Values["date"])
	if err != nil {
		return d, 0, 0, err
	}
	q, err := count("quantity", f.Values["quantity"])
	if err != nil {
		return d, 0, 0, err
	}
	v, err := yuan("value", orZero(f.Values["value"]))
	return d, q, v, err
}

func count(field, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1e9 {
		return 0, mingbai.FieldError(field, "请填写整数。")
	}
	return n, nil
}

func (s *handlers) financeDistribute(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "donation")
	if err != nil {
		return err
	}
	st := web.State(r)
	f := web.NewForm(r, "date", "household", "quantity", "value")
	r.SetPathValue("kind", "relief")
	err = func() error {
		d, q, v, err := goodsFields(f)
		if err != nil {
			return err
		}
		_, err = s.finance.Distribute(r.Context(), web.Actor(r), st.Community.ID, id, d, f.Values["household"], q, v)
		return err
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderSpecial)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/special/relief?done=saved", st.Community.Slug), http.StatusSeeOther)
	return nil
}

// ---- street and district ----

type financeStreetData struct {
	web.Page
	Street *org.Unit
	Books  []finance.CommunityBooks
}

func (s *handlers) financeStreet(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	books, err := s.finance.StreetBooks(r.Context(), web.Actor(r), st.Street.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "finance_street", &financeStreetData{Page: s.NewPage(r, "各社区账簿 · "+st.Street.Name), Street: st.Street, Books: books})
	return nil
}

type financeDistrictData struct {
	web.Page
	District   *org.Unit
	Rules      finance.Rules
	Categories []finance.Category
	Month      finance.Period
	Rollup     []finance.RollupRow
	In, Out    zh.Fen
	Form       *web.Form
}

func (s *handlers) financeDistrict(w http.ResponseWriter, r *http.Request) error {
	return s.renderDistrict(w, r, http.StatusOK, nil)
}

func (s *handlers) renderDistrict(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	u := web.State(r).Unit
	if u.Kind != org.District {
		return web.ErrNotFound
	}
	d := &financeDistrictData{Page: s.NewPage(r, "财务规则与汇总 · "+u.Name), District: u, Form: f}
	var err error
	if d.Rules, err = s.finance.RulesOf(ctx, u.ID); err != nil {
		return err
	}
	if d.Categories, err = s.finance.Categories(ctx, u.ID); err != nil {
		return err
	}
	d.Month = finance.PeriodOf(finance.DateOf(s.now())).Prev()
	if v := r.URL.Query().Get("month"); v != "" {
		if d.Month, err = finance.ParsePeriod(v); err != nil {
			return err
		}
	}
	if d.Rollup, d.In, d.Out, err = s.finance.Rollup(ctx, web.Actor(r), u.ID, d.Month); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &web.Form{Values: map[string]string{"threshold": d.Rules.ExpenseThreshold.String(), "close_due_day": strconv.Itoa(d.Rules.CloseDueDay)}, Errors: map[string]string{}}
	}
	s.Render(w, r, status, "finance_district", d)
	return nil
}

func (s *handlers) financeSetRules(w http.ResponseWriter, r *http.Request) error {
	u := web.State(r).Unit
	if u.Kind != org.District {
		return web.ErrNotFound
	}
	f := web.NewForm(r, "threshold", "close_due_day")
	err := func() error {
		t, err := yuan("threshold", f.Values["threshold"])
		if err != nil {
			return err
		}
		day, err := strconv.Atoi(f.Values["close_due_day"])
		if err != nil {
			return mingbai.FieldError("close_due_day", "请填写日期数字。")
		}
		return s.finance.SetRules(r.Context(), web.Actor(r), u.ID, finance.Rules{ExpenseThreshold: t, CloseDueDay: day})
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderDistrict)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}

// financeArchiveCategory stops (or resumes) a category for new entries;
// entries already posted keep it.
func (s *handlers) financeArchiveCategory(w http.ResponseWriter, r *http.Request) error {
	u := web.State(r).Unit
	if u.Kind != org.District {
		return web.ErrNotFound
	}
	id, err := web.PathID(r, "category")
	if err != nil {
		return err
	}
	archived := r.PostFormValue("archived") != "0"
	if err := s.finance.SetCategoryArchived(r.Context(), web.Actor(r), u.ID, id, archived); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}

func (s *handlers) financeAddCategory(w http.ResponseWriter, r *http.Request) error {
	u := web.State(r).Unit
	if u.Kind != org.District {
		return web.ErrNotFound
	}
	f := web.NewForm(r, "parent", "code", "name")
	parent, _ := strconv.ParseInt(f.Values["parent"], 10, 64)
	if _, err := s.finance.AddCategory(r.Context(), web.Actor(r), u.ID, finance.NewCategory{ParentID: parent, Code: f.Values["code"], Name: f.Values["name"]}); err != nil {
		return s.formFailed(w, r, err, f, s.renderDistrict)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}
