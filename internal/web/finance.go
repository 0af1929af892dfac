package web

import (
	"fmt"
	"html/template"
	"io"
	"mingbai/internal/disclosure"
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
	"finance_board":     {"finance/board.html", "finance/parts.html", "partials/fields.html", "board/parts.html"},
	"finance_statement": {"finance/statement.html", "finance/parts.html", "partials/fields.html", "partials/verify.html"},
	"finance_entry":     {"finance/entry.html", "finance/parts.html", "partials/fields.html", "partials/verify.html"},
	"finance_special":   {"finance/special.html", "finance/parts.html", "partials/fields.html"},
	"finance_ledger":    {"finance/ledger.html", "finance/parts.html", "partials/fields.html"},
	"finance_import":    {"finance/import.html", "finance/parts.html", "partials/fields.html"},
	"finance_street":    {"finance/street.html", "finance/parts.html", "partials/fields.html"},
	"finance_district":  {"finance/district.html", "finance/parts.html", "partials/fields.html"},
	"finance_budget":    {"finance/budget.html", "finance/parts.html", "partials/fields.html"},
}

func (s *Server) registerFinanceRoutes() {
	if s.finance == nil {
		return
	}
	const c = "/c/{community}/finance"
	s.handle("GET "+c, public, s.financeBoard)
	s.handle("GET "+c+"/statements/{period}", public, s.financeStatement)
	s.handle("GET "+c+"/statements/{period}/export", public, s.financeStatementExport)
	s.handle("GET "+c+"/entries/{entry}", public, s.financeEntry)
	s.handle("GET "+c+"/receipts/{attachment}", public, s.financeReceipt)
	s.handle("GET "+c+"/special/{kind}", public, s.financeSpecial)
	s.handle("GET "+c+"/export", public, s.financeExport)
	s.handle("GET "+c+"/budget", public, s.financeBudget)
	s.handle("POST "+c+"/budget", cadreOfCommunity, s.financeSetBudget)

	s.handle("GET "+c+"/ledger", cadreOfCommunity, s.financeLedger)
	s.handle("POST "+c+"/books", cadreOfCommunity, s.financeOpenBooks)
	s.handle("POST "+c+"/entries", cadreOfCommunity, s.financePost)
	s.handle("POST "+c+"/entries/{entry}/reverse", cadreOfCommunity, s.financeReverse)
	s.handleUpload("POST "+c+"/entries/{entry}/attachments", cadreOfCommunity, maxFinanceUpload, s.financeAttach)
	s.handle("POST "+c+"/receipts/{attachment}/clear", cadreOfCommunity, s.financeClearReceipt)
	s.handle("POST "+c+"/receipts/{attachment}/redact", cadreOfCommunity, s.financeRedact)
	s.handle("GET "+c+"/import", cadreOfCommunity, s.financeImportPage)
	s.handleUpload("POST "+c+"/import", cadreOfCommunity, maxFinanceUpload, s.financeImport)
	s.handle("POST "+c+"/periods/{period}/close", cadreOfCommunity, s.financeClose)
	s.handle("POST "+c+"/statements/{period}/answer", cadreOfCommunity, s.financeAnswer)
	s.handle("POST "+c+"/statements/{period}/return", supervisorOfCommunity, s.financeReturn)
	s.handle("POST "+c+"/statements/{period}/approve", supervisorOfCommunity, s.financeApprove)
	s.handle("POST "+c+"/special/{kind}", cadreOfCommunity, s.financeAddSpecial)
	s.handle("POST "+c+"/donations/{donation}/distributions", cadreOfCommunity, s.financeDistribute)

	const api = "/api/v1/c/{community}/finance"
	s.handle("GET "+api+"/statements", public, s.apiFinanceStatements)
	s.handle("GET "+api+"/statements/{period}", public, s.apiFinanceStatement)
	s.handle("GET "+api+"/statements/{period}/entries", public, s.apiFinanceEntries)

	s.handle("GET /s/{street}/finance", overseerOfStreet, s.financeStreet)
	s.handle("GET /admin/units/{unit}/finance", districtAdmin, s.financeDistrict)
	s.handle("POST /admin/units/{unit}/finance/rules", districtAdmin, s.financeSetRules)
	s.handle("POST /admin/units/{unit}/finance/categories", districtAdmin, s.financeAddCategory)
	s.handle("POST /admin/units/{unit}/finance/categories/{category}/archive", districtAdmin, s.financeArchiveCategory)
}

// financeNav is what every finance page shows above its content.
type financeNav struct {
	page
	Community *org.Unit
	Street    *org.Unit
	Access    finance.Access
	Tab       string
	Done      string // what was just done, for the notice
}

func (s *Server) financeNav(r *http.Request, title, tab string) (financeNav, error) {
	st := state(r)
	acc, err := s.finance.AccessTo(r.Context(), actor(r), st.community.ID)
	if err != nil {
		return financeNav{}, err
	}
	p := s.newPage(r, title+" · "+st.community.Name)
	p.Feeds = communityFeeds(st.community, "finance")
	return financeNav{page: p, Community: st.community, Street: st.street, Access: acc, Tab: tab, Done: financeDone[r.URL.Query().Get("done")]}, nil
}

func pathPeriod(r *http.Request) (finance.Period, error) {
	p, err := finance.ParsePeriod(r.PathValue("period"))
	if err != nil {
		return 0, errNotFound
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

func (s *Server) financeBoard(w http.ResponseWriter, r *http.Request) error {
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
		if d.Periods, err = s.finance.Periods(ctx, actor(r), c); err != nil {
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
	s.render(w, r, http.StatusOK, "finance_board", d)
	return nil
}

type financeStatementData struct {
	financeNav
	V          *finance.StatementView
	CanReview  bool
	CanAnswer  bool
	Form       *form
	ReturnForm *form
}

func (s *Server) financeStatement(w http.ResponseWriter, r *http.Request) error {
	return s.renderStatement(w, r, http.StatusOK, nil)
}

func (s *Server) renderStatement(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	d := &financeStatementData{Form: f}
	if d.financeNav, err = s.financeNav(r, p.Label()+"财务公开表", "history"); err != nil {
		return err
	}
	if d.V, err = s.finance.StatementOf(r.Context(), actor(r), d.Community.ID, p); err != nil {
		return err
	}
	d.CanReview = d.Access.Review && d.V.Status == finance.StatusClosed
	d.CanAnswer = d.Access.Post && d.V.Status == finance.StatusReturned
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "finance_statement", d)
	return nil
}

func (s *Server) financeStatementExport(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	v, err := s.finance.StatementOf(r.Context(), actor(r), state(r).community.ID, p)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-财务公开表", state(r).community.Slug, p)
	return writeTables(w, r, name, finance.StatementTables(v))
}

// writeTables sends tables as XLSX (the default) or, with format=csv, the
// table named by ?table (the last one by default) as CSV.
func writeTables(w http.ResponseWriter, r *http.Request, name string, tables []finance.Table) error {
	switch r.URL.Query().Get("format") {
	case "", "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".xlsx"))
		return finance.WriteXLSX(w, tables)
	case "csv":
		t := tables[len(tables)-1]
		if n := r.URL.Query().Get("table"); n != "" {
			found := false
			for _, x := range tables {
				if x.Name == n {
					t, found = x, true
				}
			}
			if !found {
				return mingbai.FieldError("table", "没有名为“%s”的表。", n)
			}
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+"-"+t.Name+".csv"))
		return finance.WriteCSV(w, t)
	}
	return mingbai.FieldError("format", "导出格式只能是 xlsx 或 csv。")
}

type financeEntryData struct {
	financeNav
	E          *finance.Entry
	Form       *form
	RedactRows []int
}

func (s *Server) financeEntry(w http.ResponseWriter, r *http.Request) error {
	return s.renderEntry(w, r, http.StatusOK, nil)
}

func (s *Server) renderEntry(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	id, err := pathID(r, "entry")
	if err != nil {
		return err
	}
	d := &financeEntryData{Form: f, RedactRows: redactRows}
	if d.financeNav, err = s.financeNav(r, "收支记录", "history"); err != nil {
		return err
	}
	if d.E, err = s.finance.Entry(r.Context(), actor(r), d.Community.ID, id); err != nil {
		return err
	}
	d.Title = "凭证 " + d.E.Voucher() + " · " + d.Community.Name
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "finance_entry", d)
	return nil
}

func (s *Server) financeReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "attachment")
	if err != nil {
		return err
	}
	original := r.URL.Query().Get("original") == "1"
	at, f, err := s.finance.OpenAttachmentVersion(r.Context(), actor(r), state(r).community.ID, id, original)
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
	Form  *form
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

func (s *Server) financeSpecial(w http.ResponseWriter, r *http.Request) error {
	return s.renderSpecial(w, r, http.StatusOK, nil)
}

func (s *Server) renderSpecial(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	kind := r.PathValue("kind")
	label, ok := specialKinds[kind]
	if !ok {
		return errNotFound
	}
	d := &financeSpecialData{Kind: kind, Label: label, Form: f}
	var err error
	if d.financeNav, err = s.financeNav(r, label, kind); err != nil {
		return err
	}
	if d.Sp, err = s.finance.SpecialsOf(r.Context(), actor(r), d.Community.ID, 0, 0); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "finance_special", d)
	return nil
}

func (s *Server) financeExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st := state(r)
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
		rows, err := s.finance.LedgerRows(ctx, actor(r), st.community.ID, finance.EntryFilter{Year: year}, 0)
		if err != nil {
			return err
		}
		return writeTables(w, r, fmt.Sprintf("%s-%d-账簿", st.community.Slug, year), []finance.Table{{Name: "账簿", Header: finance.LedgerHeader, Rows: rows}})
	case "special":
		sp, err := s.finance.SpecialsOf(ctx, actor(r), st.community.ID, 0, 0)
		if err != nil {
			return err
		}
		return writeTables(w, r, st.community.Slug+"-专项公开", finance.SpecialTables(sp))
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
	Form       *form
	Today      string
}

func (s *Server) financeLedger(w http.ResponseWriter, r *http.Request) error {
	return s.renderLedger(w, r, http.StatusOK, nil)
}

func (s *Server) renderLedger(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	d := &financeLedgerData{Form: f, Today: finance.DateOf(s.now()).String()}
	var err error
	if d.financeNav, err = s.financeNav(r, "记账", "ledger"); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{"date": d.Today}, Errors: map[string]string{}}
	}
	c := d.Community.ID
	if d.Books, err = s.finance.BooksOf(ctx, c); err != nil {
		if mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
			return err
		}
		d.Books = nil
		s.render(w, r, status, "finance_ledger", d)
		return nil
	}
	if d.Balances, err = s.finance.Balances(ctx, actor(r), c); err != nil {
		return err
	}
	if d.Categories, err = s.finance.Categories(ctx, state(r).community.DistrictID); err != nil {
		return err
	}
	if d.Periods, err = s.finance.Periods(ctx, actor(r), c); err != nil {
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
	if d.Entries, err = s.finance.Entries(ctx, actor(r), c, finance.EntryFilter{From: from}); err != nil {
		return err
	}
	s.render(w, r, status, "finance_ledger", d)
	return nil
}

func (s *Server) financeOpenBooks(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "start", "cash", "bank")
	st := state(r)
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
		return s.finance.OpenBooks(r.Context(), actor(r), st.community.ID, start, []finance.NewAccount{
			{Name: "现金", Kind: finance.Cash, Opening: cash}, {Name: "银行存款", Kind: finance.Bank, Opening: bank}, {Name: "救灾救济", Kind: finance.Earmarked},
		})
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, "/c/"+st.community.Slug+"/finance/ledger?done=saved", http.StatusSeeOther)
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
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error, f *form, render func(http.ResponseWriter, *http.Request, int, *form) error) error {
	switch mingbai.ErrorCode(err) {
	case mingbai.EINVALID, mingbai.ECONFLICT:
		f.fail(err)
		status := http.StatusBadRequest
		if mingbai.ErrorCode(err) == mingbai.ECONFLICT {
			status = http.StatusConflict
		}
		return render(w, r, status, f)
	}
	return err
}

func (s *Server) financePost(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "account", "date", "category", "amount", "summary", "counterparty", "decision", "reason")
	st := state(r)
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
		keep, err := reviewNumbers(r, f, f.Values["summary"], f.Values["counterparty"], f.Values["decision"], f.Values["reason"])
		if err != nil {
			return err
		}
		e, err = s.finance.Post(r.Context(), actor(r), st.community.ID, finance.NewEntry{
			AccountID: acct, Date: date, CategoryID: cat, Amount: amt, Summary: f.Values["summary"],
			Counterparty: f.Values["counterparty"], Decision: f.Values["decision"], Reason: f.Values["reason"], PublicPhones: keep,
		})
		return err
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/ledger?done=posted&voucher=%s", st.community.Slug, e.Voucher()), http.StatusSeeOther)
	return nil
}

func (s *Server) financeReverse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "entry")
	if err != nil {
		return err
	}
	f := newForm(r, "reason")
	st := state(r)
	rev, err := s.finance.Reverse(r.Context(), actor(r), st.community.ID, id, f.Values["reason"])
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderEntry)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/entries/%d?done=saved", st.community.Slug, rev.ID), http.StatusSeeOther)
	return nil
}

// maxFinanceUpload bounds an upload's request body: a receipt or a cashbook.
const maxFinanceUpload = 24 << 20

func (s *Server) financeAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "entry")
	if err != nil {
		return err
	}
	st := state(r)
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.formFailed(w, r, mingbai.FieldError("file", "请选择要上传的收据照片或 PDF。"), f, s.renderEntry)
	}
	defer file.Close()
	if _, err := s.finance.Attach(r.Context(), actor(r), st.community.ID, id, hdr.Filename, io.LimitReader(file, maxFinanceUpload)); err != nil {
		return s.formFailed(w, r, err, f, s.renderEntry)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/entries/%d?done=saved", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) financeClearReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "attachment")
	if err != nil {
		return err
	}
	st := state(r)
	if err := s.finance.ClearAttachment(r.Context(), actor(r), st.community.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/c/"+st.community.Slug+"/finance/ledger")+"?done=saved", http.StatusSeeOther)
	return nil
}

type financeImportData struct {
	financeNav
	Books  *finance.Books
	Form   *form
	Result *finance.ImportResult
}

func (s *Server) financeImportPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, f *form, res *finance.ImportResult) error {
	d := &financeImportData{Form: f, Result: res}
	var err error
	if d.financeNav, err = s.financeNav(r, "导入日记账", "ledger"); err != nil {
		return err
	}
	if d.Books, err = s.finance.BooksOf(r.Context(), d.Community.ID); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "finance_import", d)
	return nil
}

func (s *Server) financeImport(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	f := newForm(r, "account", "map_date", "map_voucher", "map_summary", "map_category", "map_income", "map_expense", "map_balance")
	render := func(w http.ResponseWriter, r *http.Request, status int, f *form) error {
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
	res, err := s.finance.ImportCashbook(r.Context(), actor(r), st.community.ID, acct, io.LimitReader(file, maxFinanceUpload), m)
	if err != nil {
		return s.formFailed(w, r, err, f, render)
	}
	if len(res.Errors) > 0 {
		f.Error = fmt.Sprintf("有 %d 行需要修改，整个文件都没有导入。改好后请重新上传。", len(res.Errors))
		return s.renderImport(w, r, http.StatusUnprocessableEntity, f, res)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/ledger?done=imported&n=%d", st.community.Slug, res.Posted), http.StatusSeeOther)
	return nil
}

func (s *Server) financeClose(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	st := state(r)
	f := newForm(r, "note")
	if err := s.finance.Close(r.Context(), actor(r), st.community.ID, p, f.Values["note"]); err != nil {
		return s.formFailed(w, r, err, f, s.renderLedger)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/statements/%s?done=closed", st.community.Slug, p), http.StatusSeeOther)
	return nil
}

func (s *Server) reviewStep(w http.ResponseWriter, r *http.Request, field string, do func(p finance.Period, text string) error, done string) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	f := newForm(r, field)
	if err := do(p, f.Values[field]); err != nil {
		return s.formFailed(w, r, err, f, s.renderStatement)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/statements/%s?done=%s", state(r).community.Slug, p, done), http.StatusSeeOther)
	return nil
}

func (s *Server) financeAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "answer", func(p finance.Period, text string) error {
		return s.finance.Answer(r.Context(), actor(r), state(r).community.ID, p, text)
	}, "answered")
}

func (s *Server) financeReturn(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "comment", func(p finance.Period, text string) error {
		return s.finance.Return(r.Context(), actor(r), state(r).community.ID, p, text)
	}, "returned")
}

func (s *Server) financeApprove(w http.ResponseWriter, r *http.Request) error {
	return s.reviewStep(w, r, "approve_comment", func(p finance.Period, text string) error {
		return s.finance.Approve(r.Context(), actor(r), state(r).community.ID, p, text)
	}, "published")
}

func (s *Server) financeAddSpecial(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	if _, ok := specialKinds[kind]; !ok {
		return errNotFound
	}
	st := state(r)
	ctx := r.Context()
	f := newForm(r, "period", "date", "person", "post", "kind", "amount", "basis", "donor", "item", "unit", "quantity", "value", "note", "fee_type", "payers")
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
			_, err = s.finance.AddSubsidy(ctx, actor(r), st.community.ID, p, finance.Subsidy{Person: f.Values["person"], Post: f.Values["post"], Kind: f.Values["kind"], Amount: amt, Basis: f.Values["basis"]})
			return err
		case "relief":
			d, q, v, err := goodsFields(f)
			if err != nil {
				return err
			}
			_, err = s.finance.AddDonation(ctx, actor(r), st.community.ID, d, finance.Donation{Donor: f.Values["donor"], Item: f.Values["item"], Unit: f.Values["unit"], Quantity: q, Value: v, Note: f.Values["note"]})
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
			_, err = s.finance.AddFee(ctx, actor(r), st.community.ID, p, finance.Fee{FeeType: f.Values["fee_type"], Payers: n, Amount: amt, Note: f.Values["note"]})
			return err
		}
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderSpecial)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/special/%s?done=saved", st.community.Slug, kind), http.StatusSeeOther)
	return nil
}

// goodsFields parses the date, quantity and value of a donation received
// or handed out.
func goodsFields(f *form) (finance.Date, int64, zh.Fen, error) {
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

func (s *Server) financeDistribute(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "donation")
	if err != nil {
		return err
	}
	st := state(r)
	f := newForm(r, "date", "household", "quantity", "value")
	r.SetPathValue("kind", "relief")
	err = func() error {
		d, q, v, err := goodsFields(f)
		if err != nil {
			return err
		}
		_, err = s.finance.Distribute(r.Context(), actor(r), st.community.ID, id, d, f.Values["household"], q, v)
		return err
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderSpecial)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/special/relief?done=saved", st.community.Slug), http.StatusSeeOther)
	return nil
}

// ---- street and district ----

type financeStreetData struct {
	page
	Street *org.Unit
	Books  []finance.CommunityBooks
}

func (s *Server) financeStreet(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	books, err := s.finance.StreetBooks(r.Context(), actor(r), st.street.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "finance_street", &financeStreetData{page: s.newPage(r, "各社区账簿 · "+st.street.Name), Street: st.street, Books: books})
	return nil
}

type financeDistrictData struct {
	page
	District   *org.Unit
	Rules      finance.Rules
	Categories []finance.Category
	Month      finance.Period
	Rollup     []finance.RollupRow
	In, Out    zh.Fen
	Form       *form
}

func (s *Server) financeDistrict(w http.ResponseWriter, r *http.Request) error {
	return s.renderDistrict(w, r, http.StatusOK, nil)
}

func (s *Server) renderDistrict(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	u := state(r).unit
	if u.Kind != org.District {
		return errNotFound
	}
	d := &financeDistrictData{page: s.newPage(r, "财务规则与汇总 · "+u.Name), District: u, Form: f}
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
	if d.Rollup, d.In, d.Out, err = s.finance.Rollup(ctx, actor(r), u.ID, d.Month); err != nil {
		return err
	}
	if d.Form == nil {
		d.Form = &form{Values: map[string]string{"threshold": d.Rules.ExpenseThreshold.String(), "close_due_day": strconv.Itoa(d.Rules.CloseDueDay)}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "finance_district", d)
	return nil
}

func (s *Server) financeSetRules(w http.ResponseWriter, r *http.Request) error {
	u := state(r).unit
	if u.Kind != org.District {
		return errNotFound
	}
	f := newForm(r, "threshold", "close_due_day")
	err := func() error {
		t, err := yuan("threshold", f.Values["threshold"])
		if err != nil {
			return err
		}
		day, err := strconv.Atoi(f.Values["close_due_day"])
		if err != nil {
			return mingbai.FieldError("close_due_day", "请填写日期数字。")
		}
		return s.finance.SetRules(r.Context(), actor(r), u.ID, finance.Rules{ExpenseThreshold: t, CloseDueDay: day})
	}()
	if err != nil {
		return s.formFailed(w, r, err, f, s.renderDistrict)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}

// financeArchiveCategory stops (or resumes) a category for new entries;
// entries already posted keep it.
func (s *Server) financeArchiveCategory(w http.ResponseWriter, r *http.Request) error {
	u := state(r).unit
	if u.Kind != org.District {
		return errNotFound
	}
	id, err := pathID(r, "category")
	if err != nil {
		return err
	}
	archived := r.PostFormValue("archived") != "0"
	if err := s.finance.SetCategoryArchived(r.Context(), actor(r), u.ID, id, archived); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) financeAddCategory(w http.ResponseWriter, r *http.Request) error {
	u := state(r).unit
	if u.Kind != org.District {
		return errNotFound
	}
	f := newForm(r, "parent", "code", "name")
	parent, _ := strconv.ParseInt(f.Values["parent"], 10, 64)
	if _, err := s.finance.AddCategory(r.Context(), actor(r), u.ID, finance.NewCategory{ParentID: parent, Code: f.Values["code"], Name: f.Values["name"]}); err != nil {
		return s.formFailed(w, r, err, f, s.renderDistrict)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/units/%d/finance?done=saved", u.ID), http.StatusSeeOther)
	return nil
}
