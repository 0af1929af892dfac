package finance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai"
	"mingbai/internal/export"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Cashbook import. A community's paper-era cashbook (现金日记账/银行日记账)
// is usually kept in Excel with the columns 日期, 凭证号, 摘要, 科目, 收入,
// 支出, 余额. Import reads one sheet into one account: every row is
// checked, every problem reported by row in Chinese, and the rows are
// posted all together or not at all.

// Column roles of a cashbook.
const (
	ColDate     = "date"
	ColVoucher  = "voucher"
	ColSummary  = "summary"
	ColCategory = "category"
	ColIncome   = "income"
	ColExpense  = "expense"
	ColBalance  = "balance"
)

// headerNames are the headings recognised for each column role.
var headerNames = map[string][]string{
	ColDate:     {"日期", "记账日期", "发生日期"},
	ColVoucher:  {"凭证号", "凭证编号", "凭证字号", "凭证"},
	ColSummary:  {"摘要", "说明", "事由"},
	ColCategory: {"科目", "科目名称", "会计科目"},
	ColIncome:   {"收入", "收入金额", "借方", "借方金额"},
	ColExpense:  {"支出", "支出金额", "贷方", "贷方金额"},
	ColBalance:  {"余额", "结余"},
}

// requiredCols must be found or mapped.
var requiredCols = []string{ColDate, ColSummary, ColCategory, ColIncome, ColExpense}

// Mapping gives, for a column role, the sheet column letter ("A", "B"…)
// that holds it, overriding the headings. Empty means find it by heading.
type Mapping map[string]string

// RowError is what is wrong with one row.
type RowError struct {
	Row     int // the spreadsheet's row number, as Excel shows it
	Message string
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	Rows    int        // data rows read
	Posted  int        // entries posted (0 when there were errors)
	Errors  []RowError // nothing is posted when this is not empty
	First   string     // first voucher posted
	Last    string     // last voucher posted
	Columns map[string]string
}

// MaxRowErrors is how many row errors an import reports at most.
const MaxRowErrors = 500

// MaxImportRows bounds one import.
const MaxImportRows = 200000

type importRow struct {
	row     int
	date    Date
	summary string
	ref     string
	catID   int64
	dir     Direction
	amount  zh.Fen
	balance *zh.Fen
}

// ImportCashbook reads an XLSX cashbook into account. It returns an
// *ImportResult whose Errors list every bad row (then nothing is posted),
// or an error when the file itself cannot be read.
func (s *Service) ImportCashbook(ctx context.Context, a *mingbai.Actor, communityID, accountID int64, r io.Reader, m Mapping) (*ImportResult, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	f, rows, err := openCashbook(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer rows.Close()

	cats, err := s.Categories(ctx, c.District)
	if err != nil {
		return nil, err
	}
	catByKey := map[string]Category{}
	for _, ct := range cats {
		catByKey[ct.Name] = ct
		catByKey[ct.Code] = ct
	}

	res := &ImportResult{}
	// The rows stream from the sheet in chunks that are checked and
	// inserted inside one transaction as they come, so memory stays flat
	// however long the cashbook is; the first bad row stops the inserting
	// (the checking goes on, to report every row), and any bad row rolls
	// the whole transaction back: all or nothing, as before.
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		im, err := s.newImporter(ctx, tx, c, a, accountID, res)
		if err != nil {
			return err
		}
		if err := im.readRows(rows, m, catByKey); err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			res.Posted, res.First, res.Last = 0, "", ""
			return errImportRejected
		}
		return nil
	})
	if errors.Is(err, errImportRejected) {
		sortRowErrors(res.Errors)
		if n := len(res.Errors); n > MaxRowErrors {
			res.Errors = append(res.Errors[:MaxRowErrors], RowError{Message: fmt.Sprintf("另有 %d 行有问题，请先改好以上各行。", n-MaxRowErrors)})
		}
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// openCashbook opens an uploaded workbook and its first sheet's rows. The
// caller closes both.
func openCashbook(r io.Reader) (*excelize.File, *excelize.Rows, error) {
	// A worksheet or shared-strings part above importXMLInMemory is
	// unzipped to a temporary file and streamed from there, not held; the
	// whole file may unzip to importUnzipLimit, so a small upload that
	// claims gigabytes (a zip bomb) is refused before anything is written.
	f, err := excelize.OpenReader(r, excelize.Options{UnzipXMLSizeLimit: importXMLInMemory, UnzipSizeLimit: importUnzipLimit})
	if err != nil {
		return nil, nil, mingbai.FieldError("file", "无法读取这个文件，请上传 Excel 的 .xlsx 文件。")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, nil, mingbai.FieldError("file", "文件里没有工作表。")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, nil, mingbai.FieldError("file", "无法读取第一个工作表。")
	}
	return f, rows, nil
}

// importUnzipLimit bounds what one workbook unzips to (excelize's default
// is about 16 GB). MaxImportRows rows of a cashbook unzip to some 100 MB
// even with every string inline, 200 MB with 100-character summaries.
const importUnzipLimit = 512 << 20

// errImportRejected rolls back an import that found bad rows.
var errImportRejected = errors.New("import has bad rows")

// importXMLInMemory is the largest unzipped sheet part read into memory.
const importXMLInMemory = 4 << 20

// importChunk is how many parsed rows wait before they are checked and
// inserted.
const importChunk = 1000

// importer carries an import's running state across chunks: the balance
// and the last date of the account, the periods, the voucher counters.
type importer struct {
	ctx       context.Context
	tx        *store.Tx
	s         *Service
	c         *community
	a         *mingbai.Actor
	ac        *Account
	ps        periodState
	bal       zh.Fen
	prev      Date
	today     Date
	res       *ImportResult
	now       time.Time
	chunk     []importRow
	accountID int64
}

func (s *Service) newImporter(ctx context.Context, tx *store.Tx, c *community, a *mingbai.Actor, accountID int64, res *ImportResult) (*importer, error) {
	b, err := booksTx(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	ac := b.Account(accountID)
	if ac == nil {
		return nil, mingbai.FieldError("account", "请选择要导入的账户。")
	}
	ps, err := periodStateTx(ctx, tx, c.ID, b.Start)
	if err != nil {
		return nil, err
	}
	var sum int64
	var last string
	if err := tx.QueryRow(ctx, "SELECT COALESCE(SUM("+effectSQL+"), 0), COALESCE(MAX(entry_date), '') FROM fin_entries WHERE community_id = ? AND account_id = ?",
		c.ID, accountID).Scan(&sum, &last); err != nil {
		return nil, fmt.Errorf("balance of account %d: %w", accountID, err)
	}
	return &importer{ctx: ctx, tx: tx, s: s, c: c, a: a, ac: ac, ps: ps, bal: ac.Opening + zh.Fen(sum), prev: mustDate(last),
		today: s.today(), res: res, now: s.now(), accountID: accountID, chunk: make([]importRow, 0, importChunk)}, nil
}

// readRows parses the sheet row by row, checking and inserting a chunk at
// a time.
func (im *importer) readRows(rows *excelize.Rows, m Mapping, catByKey map[string]Category) error {
	res := im.res
	var cols map[string]int
	rowNo := 0
	for rows.Next() {
		rowNo++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return mingbai.FieldError("file", "第 %d 行无法读取。", rowNo)
		}
		if blank(cells) {
			continue
		}
		if cols == nil {
			cols, err = findColumns(cells, m)
			if err != nil {
				if len(m) == 0 && rowNo < 10 {
					continue // a title row above the headings
				}
				return err
			}
			res.Columns = map[string]string{}
			for role, i := range cols {
				name, _ := excelize.ColumnNumberToName(i + 1)
				res.Columns[role] = name
			}
			if len(m) == 0 || isHeading(cells, cols) {
				continue
			}
		}
		res.Rows++
		if res.Rows > MaxImportRows {
			return mingbai.FieldError("file", "一次最多导入 %d 行，请分成几个文件。", MaxImportRows)
		}
		ir, msgs := parseImportRow(rowNo, cells, cols, catByKey)
		if len(msgs) > 0 {
			res.Errors = append(res.Errors, RowError{Row: rowNo, Message: strings.Join(msgs, "；") + "。"})
			continue
		}
		im.chunk = append(im.chunk, ir)
		if len(im.chunk) == importChunk {
			if err := im.flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Error(); err != nil {
		return mingbai.FieldError("file", "文件读取出错，请检查是否是完整的 .xlsx 文件。")
	}
	if cols == nil {
		return mingbai.FieldError("file", "没有找到表头：第一行应有“日期、凭证号、摘要、科目、收入、支出、余额”。")
	}
	if res.Rows == 0 {
		return mingbai.FieldError("file", "表里没有数据行。")
	}
	return im.flush()
}

// parseImportRow reads one data row; msgs says what is wrong with it.
func parseImportRow(rowNo int, cells []string, cols map[string]int, catByKey map[string]Category) (importRow, []string) {
	cell := func(role string) string {
		i, ok := cols[role]
		if !ok || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	ir := importRow{row: rowNo}
	var msgs []string
	// The texts go through the same check as typed ones: a cell can hold
	// control characters (Excel's _x0000_ escapes) that PostgreSQL refuses.
	var err error
	if ir.ref, err = cleanPublicText(zh.Text{Field: "source_ref", Label: "凭证号", Max: 30, Multiline: true}, cell(ColVoucher), nil); err != nil {
		msgs = append(msgs, strings.TrimSuffix(mingbai.ErrorMessage(err), "。"))
	}
	if d, err := cellDate(cell(ColDate)); err != nil {
		msgs = append(msgs, fmt.Sprintf("日期“%s”看不懂", cell(ColDate)))
	} else {
		ir.date = d
	}
	if ir.summary, err = cleanPublicText(zh.Text{Field: "summary", Label: "摘要", Min: 1, Max: 100, Multiline: true}, cell(ColSummary), nil); err != nil {
		msgs = append(msgs, strings.TrimSuffix(mingbai.ErrorMessage(err), "。"))
	}
	in, out := cell(ColIncome), cell(ColExpense)
	var dir Direction
	switch {
	case in != "" && out != "" && in != "0" && out != "0":
		msgs = append(msgs, "收入和支出只能填一个")
	case (in == "" || in == "0") && (out == "" || out == "0"):
		msgs = append(msgs, "收入和支出都没有填")
	case in != "" && in != "0":
		dir = Income
		if amt, err := zh.ParseYuan(in); err != nil || amt <= 0 {
			msgs = append(msgs, fmt.Sprintf("收入金额“%s”不对（%s）", in, moneyProblem(err)))
		} else {
			ir.amount = amt
		}
	default:
		dir = Expense
		if amt, err := zh.ParseYuan(out); err != nil || amt <= 0 {
			msgs = append(msgs, fmt.Sprintf("支出金额“%s”不对（%s）", out, moneyProblem(err)))
		} else {
			ir.amount = amt
		}
	}
	catName := cell(ColCategory)
	if ct, ok := catByKey[catName]; !ok {
		msgs = append(msgs, fmt.Sprintf("没有“%s”这个科目", catName))
	} else if !ct.Leaf {
		msgs = append(msgs, fmt.Sprintf("“%s”下面还有明细科目，请写明细科目", catName))
	} else if ct.Archived {
		msgs = append(msgs, fmt.Sprintf("科目“%s”已停用", catName))
	} else if dir != "" && ct.Direction != dir {
		msgs = append(msgs, fmt.Sprintf("“%s”是%s科目，却填在了%s栏", catName, ct.Direction.Label(), dir.Label()))
	} else {
		ir.catID, ir.dir = ct.ID, ct.Direction
	}
	if b := cell(ColBalance); b != "" {
		if bal, err := zh.ParseYuan(b); err != nil {
			msgs = append(msgs, fmt.Sprintf("余额“%s”不对（%s）", b, moneyProblem(err)))
		} else {
			ir.balance = &bal
		}
	}
	return ir, msgs
}

// flush checks the waiting rows against the books and, while no row of
// the file has failed, inserts them.
func (im *importer) flush() error {
	if len(im.chunk) == 0 {
		return nil
	}
	im.check(im.chunk)
	if len(im.res.Errors) == 0 {
		if err := im.insert(im.chunk); err != nil {
			return err
		}
	}
	im.chunk = im.chunk[:0]
	return nil
}

// check does the checks that need the books: open periods, date order
// against the account's last entry, the running balance.
func (im *importer) check(chunk []importRow) {
	for _, ir := range chunk {
		var msgs []string
		if err := im.ps.postable(ir.date, im.today); err != nil {
			msgs = append(msgs, strings.TrimSuffix(mingbai.ErrorMessage(err), "。"))
		}
		if !im.prev.IsZero() && ir.date.Before(im.prev) {
			msgs = append(msgs, fmt.Sprintf("日期 %s 早于上一笔 %s，日记账要按日期顺序", ir.date.Label(), im.prev.Label()))
		}
		if ir.dir == Income {
			im.bal += ir.amount
		} else {
			im.bal -= ir.amount
		}
		if ir.balance != nil && *ir.balance != im.bal {
			msgs = append(msgs, fmt.Sprintf("余额应为 %s，表中写的是 %s", im.bal.String(), ir.balance.String()))
			im.bal = *ir.balance // report each mismatch once, not every row after it
		}
		if im.bal < 0 {
			msgs = append(msgs, fmt.Sprintf("账户“%s”余额将为负数（%s）", im.ac.Name, im.bal.String()))
		}
		if len(msgs) > 0 {
			im.res.Errors = append(im.res.Errors, RowError{Row: ir.row, Message: strings.Join(msgs, "；") + "。"})
		}
		if ir.date.After(im.prev.Time) {
			im.prev = ir.date
		}
	}
}

// importBatch rows go in one INSERT, which saves round trips.
const importBatch = 200

// insert posts a checked chunk. Voucher numbers are taken per chunk and
// year inside the transaction, so they stay gapless and in date order.
func (im *importer) insert(chunk []importRow) error {
	perYear := map[int]int{}
	for _, ir := range chunk {
		perYear[ir.date.Year()]++
	}
	next := map[int]int{}
	for y, n := range perYear {
		first, err := nextVouchers(im.ctx, im.tx, im.c.ID, y, n)
		if err != nil {
			return err
		}
		next[y] = first
	}
	var q strings.Builder
	args := make([]any, 0, importBatch*EntryWidth)
	for start := 0; start < len(chunk); start += importBatch {
		batch := chunk[start:min(start+importBatch, len(chunk))]
		q.Reset()
		args = args[:0]
		q.WriteString("INSERT INTO fin_entries (" + EntryColumns + ") VALUES ")
		for i, ir := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?" + strings.Repeat(", ?", EntryWidth-1) + ")")
			y := ir.date.Year()
			no := next[y]
			next[y]++
			if im.res.First == "" {
				im.res.First = fmt.Sprintf("%d-%04d", y, no)
			}
			im.res.Last = fmt.Sprintf("%d-%04d", y, no)
			args = append(args, EntryRow(&Entry{Community: im.c.ID, AccountID: im.accountID, Year: y, VoucherNo: no,
				Date: ir.date, Period: PeriodOf(ir.date), Direction: ir.dir, CategoryID: ir.catID, Amount: ir.amount,
				Summary: ir.summary, SourceRef: ir.ref, EnteredBy: im.a.UserID, EnteredName: im.a.Name, EnteredAt: im.now})...)
		}
		if _, err := im.tx.Exec(im.ctx, q.String(), args...); err != nil {
			return fmt.Errorf("import rows: %w", err)
		}
	}
	im.res.Posted += len(chunk)
	return nil
}

func sortRowErrors(es []RowError) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Row < es[j].Row })
}

func moneyProblem(err error) string {
	if err == nil {
		return "必须大于零"
	}
	return strings.TrimSuffix(mingbai.ErrorMessage(err), "。")
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// findColumns maps column roles to indexes from the mapping or the
// headings in cells.
func findColumns(cells []string, m Mapping) (map[string]int, error) {
	cols := map[string]int{}
	for role, letter := range m {
		letter = strings.ToUpper(strings.TrimSpace(letter))
		if letter == "" {
			continue
		}
		n, err := excelize.ColumnNameToNumber(letter)
		if err != nil || n > 50 {
			return nil, mingbai.FieldError("map_"+role, "列“%s”不对，请写 A、B、C 这样的列号。", letter)
		}
		cols[role] = n - 1
	}
	for i, c := range cells {
		h := strings.ReplaceAll(strings.TrimSpace(c), " ", "")
		for role, names := range headerNames {
			if _, done := cols[role]; done {
				continue
			}
			for _, n := range names {
				if h == n {
					cols[role] = i
				}
			}
		}
	}
	var missing []string
	for _, role := range requiredCols {
		if _, ok := cols[role]; !ok {
			missing = append(missing, headerNames[role][0])
		}
	}
	if len(missing) > 0 {
		return nil, mingbai.FieldError("file", "没有找到这些列：%s。请检查表头，或指定列号。", strings.Join(missing, "、"))
	}
	return cols, nil
}

// isHeading reports whether a row is the heading row even though the
// columns were mapped by hand.
func isHeading(cells []string, cols map[string]int) bool {
	i := cols[ColDate]
	if i >= len(cells) {
		return false
	}
	for _, n := range headerNames[ColDate] {
		if strings.TrimSpace(cells[i]) == n {
			return true
		}
	}
	return false
}

// cellDate reads a date cell: an Excel serial day number (a date-formatted
// cell read raw) or text.
func cellDate(v string) (Date, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 36526 || n > 109574 { // 2000-01-01 .. 2199-12-31
			return Date{}, errors.New("date out of range")
		}
		t, err := excelize.ExcelDateToTime(float64(n), false)
		if err != nil {
			return Date{}, err
		}
		return MakeDate(t.Year(), t.Month(), t.Day()), nil
	}
	return ParseDate(v)
}

// Exports. Each writes what the actor may read: the public gets published
// months only. docs/finance.md defines the fields.

// LedgerHeader is the ledger export's heading row: the import's columns
// first, so an export of one account can be imported again elsewhere.
var LedgerHeader = []string{"日期", "凭证号", "摘要", "科目", "收入", "支出", "余额", "账户", "科目代码", "对方单位", "决议", "说明", "冲销凭证", "录入人"}

// LedgerRows returns the ledger as rows of LedgerHeader, with a running
// balance per account (accountID 0: all accounts, each balance its own).
func (s *Service) LedgerRows(ctx context.Context, a *mingbai.Actor, communityID int64, f EntryFilter, accountID int64) ([][]string, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	var table [][]string
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		b, err := booksTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		r, err := rulesTx(ctx, tx, c.District)
		if err != nil {
			return err
		}
		entries, err := entriesTx(ctx, tx, c.ID, f, !acc.SeesUnpublished(), r)
		if err != nil {
			return err
		}
		from := f.From
		if f.Year != 0 {
			from = Period(f.Year*100 + 1)
		}
		if f.Period != 0 {
			from = f.Period
		}
		bal, err := balancesBeforeTx(ctx, tx, b, from)
		if err != nil {
			return err
		}
		vouchers := map[int64]string{}
		for _, e := range entries {
			vouchers[e.ID] = e.Voucher()
		}
		for _, e := range entries {
			if accountID != 0 && e.AccountID != accountID {
				continue
			}
			bal[e.AccountID] += e.Effect()
			in, out := "", ""
			if e.Direction == Income {
				in = plain(e.Amount)
			} else {
				out = plain(e.Amount)
			}
			rev := ""
			if e.ReversesID != 0 {
				if rev = vouchers[e.ReversesID]; rev == "" {
					rev = "#" + strconv.FormatInt(e.ReversesID, 10)
				}
			}
			table = append(table, []string{e.Date.String(), e.Voucher(), e.Summary, e.CategoryName, in, out, plain(bal[e.AccountID]),
				e.AccountName, e.CategoryCode, e.Counterparty, e.Decision, e.Reason, rev, e.EnteredName})
		}
		return nil
	})
	return table, err
}

// plain writes an amount without thousands commas, which every
// spreadsheet and ParseYuan read back.
func plain(f zh.Fen) string { return strings.ReplaceAll(f.String(), ",", "") }

// balancesBeforeTx returns each account's balance at the start of month
// from (0: the start of the books).
func balancesBeforeTx(ctx context.Context, tx *store.Tx, b *Books, from Period) (map[int64]zh.Fen, error) {
	bal := map[int64]zh.Fen{}
	for _, ac := range b.Accounts {
		bal[ac.ID] = ac.Opening
	}
	if from == 0 {
		return bal, nil
	}
	rows, err := tx.Query(ctx, "SELECT account_id, SUM("+effectSQL+") FROM fin_entries WHERE community_id = ? AND period < ? GROUP BY account_id", b.Community, int(from))
	if err != nil {
		return nil, fmt.Errorf("opening balances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sum int64
		if err := rows.Scan(&id, &sum); err != nil {
			return nil, fmt.Errorf("opening balances: %w", err)
		}
		bal[id] += zh.Fen(sum)
	}
	return bal, rows.Err()
}

// StatementTables returns a statement as tables: accounts, categories,
// entries.
func StatementTables(v *StatementView) []export.Table {
	st := &v.Statement
	accounts := export.Table{Name: "账户", Header: []string{"账户", "期初余额", "本月收入", "本月支出", "期末余额"}}
	for _, a := range st.Accounts {
		accounts.Rows = append(accounts.Rows, []string{a.Name, plain(a.Opening), plain(a.Income), plain(a.Expense), plain(a.Closing)})
	}
	accounts.Rows = append(accounts.Rows, []string{"合计", "", plain(st.Income), plain(st.Expense), plain(v.Closing)})
	cats := export.Table{Name: "科目", Header: []string{"科目代码", "科目", "收支", "金额"}}
	for _, c := range st.Categories {
		cats.Rows = append(cats.Rows, []string{c.Code, c.Name, c.Direction.Label(), plain(c.Total)})
	}
	entries := export.Table{Name: "明细", Header: []string{"日期", "凭证号", "摘要", "科目", "收入", "支出", "账户", "对方单位", "决议", "说明", "大额未说明"}}
	for _, e := range st.Entries {
		in, out := "", ""
		if e.Direction == Income {
			in = plain(e.Amount)
		} else {
			out = plain(e.Amount)
		}
		flag := ""
		if e.Flagged {
			flag = "是"
		}
		entries.Rows = append(entries.Rows, []string{e.Date, e.Voucher, e.Summary, e.Category, in, out, e.Account, e.Counterparty, e.Decision, e.Reason, flag})
	}
	return []export.Table{accounts, cats, entries}
}

// SpecialTables returns the special disclosures as tables.
func SpecialTables(sp *Specials) []export.Table {
	subs := export.Table{Name: "干部补贴", Header: []string{"月份", "姓名", "职务", "类别", "金额", "发放依据"}}
	for _, x := range sp.Subsidies {
		subs.Rows = append(subs.Rows, []string{x.Period, x.Person, x.Post, x.KindLabel(), plain(x.Amount), x.Basis})
	}
	dons := export.Table{Name: "救灾救济款物", Header: []string{"捐赠编号", "日期", "捐赠人", "物品或款项", "单位", "数量", "价值", "发放给（户主）", "发放数量", "发放金额", "剩余数量", "剩余价值"}}
	for _, d := range sp.Donations {
		id := strconv.FormatInt(d.ID, 10)
		dons.Rows = append(dons.Rows, []string{id, d.ReceivedOn, d.DonorLabel(), d.Item, d.Unit, strconv.FormatInt(d.Quantity, 10), plain(d.Value), "", "", "", strconv.FormatInt(d.Quantity, 10), plain(d.Value)})
		for _, st := range d.Steps {
			dons.Rows = append(dons.Rows, []string{id, st.DistributedOn, "", d.Item, d.Unit, "", "", st.Household, strconv.FormatInt(st.Quantity, 10), plain(st.Value), strconv.FormatInt(st.LeftQuantity, 10), plain(st.LeftValue)})
		}
	}
	fees := export.Table{Name: "收费", Header: []string{"月份", "收费项目", "缴费户数", "金额", "依据或备注"}}
	for _, x := range sp.Fees {
		fees.Rows = append(fees.Rows, []string{x.Period, x.FeeType, strconv.FormatInt(x.Payers, 10), plain(x.Amount), x.Note})
	}
	return []export.Table{subs, dons, fees}
}
