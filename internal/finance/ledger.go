package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// AccountKind is the kind of a money account.
type AccountKind string

// The account kinds: 现金, 银行存款, and earmarked funds such as 救灾救济
// that may only be spent on their purpose.
const (
	Cash      AccountKind = "cash"
	Bank      AccountKind = "bank"
	Earmarked AccountKind = "earmarked"
)

// Label is the Chinese name of the kind.
func (k AccountKind) Label() string {
	switch k {
	case Cash:
		return "现金"
	case Bank:
		return "银行存款"
	case Earmarked:
		return "专项资金"
	}
	return string(k)
}

// Account is one of a community's money accounts.
type Account struct {
	ID        int64
	Community int64
	Name      string
	Kind      AccountKind
	Opening   zh.Fen // balance at the start of the books
}

// NewAccount is an account to open.
type NewAccount struct {
	Name    string
	Kind    AccountKind
	Opening zh.Fen
}

// DefaultAccounts are the accounts books open with when none are given.
var DefaultAccounts = []NewAccount{{"现金", Cash, 0}, {"银行存款", Bank, 0}, {"救灾救济", Earmarked, 0}}

// Books is a community's books: the first month and the accounts.
type Books struct {
	Community int64
	Start     Period
	Accounts  []Account
}

// OpenBooks starts a community's books at month start with accounts (the
// defaults when none). Books open once.
func (s *Service) OpenBooks(ctx context.Context, a *mingbai.Actor, communityID int64, start Period, accounts []NewAccount) error {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	if !start.Valid() {
		return mingbai.FieldError("start", "起始月份不对。")
	}
	if len(accounts) == 0 {
		accounts = DefaultAccounts
	}
	return s.writeTo(ctx, c, func(tx *store.Tx) error {
		return s.openBooksTx(ctx, tx, c, start, accounts)
	})
}

func (s *Service) openBooksTx(ctx context.Context, tx *store.Tx, c *community, start Period, accounts []NewAccount) error {
	if err := ensureCategories(ctx, tx, c.District); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO fin_books (community_id, start_period, created_at) VALUES (?, ?, ?)", c.ID, int(start), s.now())
	if store.IsUniqueViolation(err) {
		return mingbai.Errorf(mingbai.ECONFLICT, "本社区的账簿已经建立。")
	}
	if err != nil {
		return fmt.Errorf("open books of %d: %w", c.ID, err)
	}
	for i, na := range accounts {
		if _, err := addAccountTx(ctx, tx, c.ID, na, i, s.now()); err != nil {
			return err
		}
	}
	return nil
}

func addAccountTx(ctx context.Context, tx *store.Tx, communityID int64, na NewAccount, pos int, now time.Time) (int64, error) {
	name, err := zh.Text{Field: "name", Label: "账户名称", Min: 1, Max: 20}.Clean(na.Name)
	if err != nil {
		return 0, err
	}
	switch na.Kind {
	case Cash, Bank, Earmarked:
	default:
		return 0, mingbai.FieldError("kind", "请选择账户类型：现金、银行存款或专项资金。")
	}
	if na.Opening < 0 {
		return 0, mingbai.FieldError("opening", "期初余额不能为负数。")
	}
	id, err := tx.InsertID(ctx, `INSERT INTO fin_accounts (community_id, name, kind, opening, position, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, communityID, name, string(na.Kind), int64(na.Opening), pos, now)
	if store.IsUniqueViolation(err) {
		return 0, mingbai.FieldError("name", "已经有名为“%s”的账户。", name)
	}
	if err != nil {
		return 0, fmt.Errorf("add account %s: %w", name, err)
	}
	return id, nil
}

// AddAccount opens another account, such as a new earmarked fund. Its
// opening balance is zero: money comes in through entries.
func (s *Service) AddAccount(ctx context.Context, a *mingbai.Actor, communityID int64, name string, kind AccountKind) (int64, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		if _, err := booksTx(ctx, tx, communityID); err != nil {
			return err
		}
		var err error
		id, err = addAccountTx(ctx, tx, communityID, NewAccount{Name: name, Kind: kind}, 100, s.now())
		return err
	})
	return id, err
}

var errNoBooks = mingbai.Errorf(mingbai.ENOTFOUND, "本社区还没有建立账簿。")

// BooksOf returns a community's books. Anyone may read them: accounts and
// the start month are public.
func (s *Service) BooksOf(ctx context.Context, communityID int64) (*Books, error) {
	var b *Books
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		b, err = booksTx(ctx, tx, communityID)
		return err
	})
	return b, err
}

func booksTx(ctx context.Context, tx *store.Tx, communityID int64) (*Books, error) {
	b := &Books{Community: communityID}
	var start int
	err := tx.QueryRow(ctx, "SELECT start_period FROM fin_books WHERE community_id = ?", communityID).Scan(&start)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoBooks
	}
	if err != nil {
		return nil, fmt.Errorf("read books of %d: %w", communityID, err)
	}
	b.Start = Period(start)
	rows, err := tx.Query(ctx, "SELECT id, name, kind, opening FROM fin_accounts WHERE community_id = ? ORDER BY position, id", communityID)
	if err != nil {
		return nil, fmt.Errorf("read accounts of %d: %w", communityID, err)
	}
	defer rows.Close()
	for rows.Next() {
		ac := Account{Community: communityID}
		var kind string
		if err := rows.Scan(&ac.ID, &ac.Name, &kind, &ac.Opening); err != nil {
			return nil, fmt.Errorf("read accounts of %d: %w", communityID, err)
		}
		ac.Kind = AccountKind(kind)
		b.Accounts = append(b.Accounts, ac)
	}
	return b, rows.Err()
}

// Account returns the account with id, or nil.
func (b *Books) Account(id int64) *Account {
	for i := range b.Accounts {
		if b.Accounts[i].ID == id {
			return &b.Accounts[i]
		}
	}
	return nil
}

// NewEntry is an entry a cadre posts. Amount is positive; the category
// says whether it is income or expense.
type NewEntry struct {
	AccountID    int64
	Date         Date
	CategoryID   int64
	Amount       zh.Fen
	Summary      string // 摘要
	Counterparty string
	Decision     string // the residents' meeting decision or proposal it carries out
	Reason       string // why a large expense has no decision
	SourceRef    string // the voucher number in a paper cashbook it was imported from
	// PublicPhones are the phone numbers (zh.Number.Digits) the cadre
	// confirmed as an office's public phone: they stay as written. Every
	// other personal number in the texts is masked before the entry is
	// stored; an ID number always is.
	PublicPhones []string
}

// Entry is a posted ledger entry.
type Entry struct {
	ID           int64
	Community    int64
	AccountID    int64
	AccountName  string
	Year         int
	VoucherNo    int
	Date         Date
	Period       Period
	Direction    Direction
	CategoryID   int64
	CategoryCode string
	CategoryName string
	Amount       zh.Fen // negative for a reversing entry
	Summary      string
	Counterparty string
	SourceRef    string
	Decision     string
	Reason       string
	ReversesID   int64 // the entry this one reverses, 0 if none
	ReversedByID int64 // the entry that reverses this one, 0 if none
	EnteredBy    int64
	EnteredName  string
	EnteredAt    time.Time
	LeafIndex    *int64 // set once the entry's period is published
	Flagged      bool   // a large expense with neither decision nor reason
	Attachments  []Attachment
}

// VoucherSeqColumns are the columns of fin_voucher_seq: a community's
// year and the last voucher number it gave. nextVouchers and `mingbai
// gen` write the counters through it.
const VoucherSeqColumns = "community_id, year, last_no"

// EntryColumns are the columns of fin_entries that a new entry sets, in
// the order of EntryRow. The ledger, the cashbook import and `mingbai gen`
// all write entries through these two, so the row's layout is written once;
// leaf_index comes later, when the entry's period is published.
const EntryColumns = "community_id, account_id, year, voucher_no, entry_date, period, direction, category_id, amount, " +
	"summary, counterparty, source_ref, decision, reason, reverses_id, entered_by, entered_by_name, entered_at"

// EntryWidth is the number of EntryColumns.
const EntryWidth = 18

// EntryRow returns e's values for EntryColumns.
func EntryRow(e *Entry) []any {
	var rev any
	if e.ReversesID != 0 {
		rev = e.ReversesID
	}
	return []any{e.Community, e.AccountID, e.Year, e.VoucherNo, e.Date.String(), int(e.Period), string(e.Direction),
		e.CategoryID, int64(e.Amount), e.Summary, e.Counterparty, e.SourceRef, e.Decision, e.Reason, rev,
		e.EnteredBy, e.EnteredName, e.EnteredAt}
}

// Voucher is the voucher number as printed: "2025-0012".
func (e *Entry) Voucher() string { return fmt.Sprintf("%d-%04d", e.Year, e.VoucherNo) }

// Effect is what the entry does to its account's balance.
func (e *Entry) Effect() zh.Fen {
	if e.Direction == Income {
		return e.Amount
	}
	return -e.Amount
}

// IsReversal reports whether the entry is a reversing entry.
func (e *Entry) IsReversal() bool { return e.ReversesID != 0 }

// nextVouchers reserves n consecutive voucher numbers of community's year
// inside tx and returns the first. The counter row is locked by the
// UPDATE until tx ends, so concurrent posts queue instead of racing, and a
// rolled-back post returns its numbers: there are never gaps.
func nextVouchers(ctx context.Context, tx *store.Tx, communityID int64, year, n int) (int, error) {
	if _, err := tx.Exec(ctx, "INSERT INTO fin_voucher_seq ("+VoucherSeqColumns+") VALUES (?, ?, 0) ON CONFLICT (community_id, year) DO NOTHING",
		communityID, year); err != nil {
		return 0, fmt.Errorf("voucher counter %d/%d: %w", communityID, year, err)
	}
	var last int
	if err := tx.QueryRow(ctx, `UPDATE fin_voucher_seq SET last_no = last_no + ? WHERE community_id = ? AND year = ? RETURNING last_no`,
		n, communityID, year).Scan(&last); err != nil {
		return 0, fmt.Errorf("voucher counter %d/%d: %w", communityID, year, err)
	}
	return last - n + 1, nil
}

// periodState is what posting needs to know about a community's periods.
type periodState struct {
	start      Period
	last       Period // the newest period with a statement, start.Prev() if none
	lastStatus string // its status: closed, returned or published; "" if none
}

// periodStateOf loads a community's books, which must be open, and the
// state of their periods.
func periodStateOf(ctx context.Context, tx *store.Tx, communityID int64) (*Books, periodState, error) {
	b, err := booksTx(ctx, tx, communityID)
	if err != nil {
		return nil, periodState{}, err
	}
	ps, err := periodStateTx(ctx, tx, communityID, b.Start)
	return b, ps, err
}

func periodStateTx(ctx context.Context, tx *store.Tx, communityID int64, start Period) (periodState, error) {
	ps := periodState{start: start, last: start.Prev()}
	var p int
	var status string
	err := tx.QueryRow(ctx, "SELECT period, status FROM fin_periods WHERE community_id = ? ORDER BY period DESC LIMIT 1", communityID).Scan(&p, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return ps, nil
	}
	if err != nil {
		return ps, fmt.Errorf("read periods of %d: %w", communityID, err)
	}
	ps.last, ps.lastStatus = Period(p), status
	return ps, nil
}

// postable checks that a date lies in an open period: in the books, not in
// the future, and after the last closed month. A statement the supervisor
// returns does not reopen its month: entries are never changed, so the
// cadre answers, adds receipts, and corrects by a reversing entry in the
// current month.
func (ps periodState) postable(d, today Date) error {
	p := PeriodOf(d)
	switch {
	case p < ps.start:
		return mingbai.FieldError("date", "日期 %s 早于账簿起始月份 %s。", d.Label(), ps.start.Label())
	case today.Before(d):
		return mingbai.FieldError("date", "日期 %s 还没有到，不能预先记账。", d.Label())
	case p > ps.last:
		return nil
	}
	return mingbai.FieldError("date", "%s 已经结账，不能再记入这个月；更正请记在当前月份，用红字冲销。", p.Label())
}

// category looks up a leaf category of district that entries may use.
func categoryTx(ctx context.Context, tx *store.Tx, districtID, id int64) (Category, error) {
	cats, err := categoriesTx(ctx, tx, districtID)
	if err != nil {
		return Category{}, err
	}
	for _, c := range cats {
		if c.ID == id {
			if !c.Leaf {
				return c, mingbai.FieldError("category", "“%s”下面还有明细科目，请选择明细科目。", c.Name)
			}
			if c.Archived {
				return c, mingbai.FieldError("category", "科目“%s”已停用。", c.Name)
			}
			return c, nil
		}
	}
	return Category{}, mingbai.FieldError("category", "请选择科目。")
}

// Post records an entry and gives it the next voucher number of its year.
func (s *Service) Post(ctx context.Context, a *mingbai.Actor, communityID int64, ne NewEntry) (*Entry, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if ne.Amount <= 0 {
		return nil, mingbai.FieldError("amount", "金额必须大于零；冲销请用“红字冲销”。")
	}
	if ne.Amount > zh.Fen(zh.MaxYuan)*100 {
		return nil, mingbai.FieldError("amount", "金额过大。")
	}
	if ne.Summary, err = cleanPublicText(zh.Text{Field: "summary", Label: "摘要", Min: 1, Max: 100, Multiline: true}, ne.Summary, ne.PublicPhones); err != nil {
		return nil, err
	}
	if ne.Counterparty, err = cleanPublicText(zh.Text{Field: "counterparty", Label: "对方单位或个人", Max: 60, Multiline: true}, ne.Counterparty, ne.PublicPhones); err != nil {
		return nil, err
	}
	if ne.Decision, err = cleanPublicText(zh.Text{Field: "decision", Label: "决议", Max: 200, Multiline: true}, ne.Decision, ne.PublicPhones); err != nil {
		return nil, err
	}
	if ne.Reason, err = cleanPublicText(zh.Text{Field: "reason", Label: "说明", Max: 300, Multiline: true}, ne.Reason, ne.PublicPhones); err != nil {
		return nil, err
	}
	if ne.SourceRef, err = cleanPublicText(zh.Text{Field: "source_ref", Label: "原凭证号", Max: 30, Multiline: true}, ne.SourceRef, ne.PublicPhones); err != nil {
		return nil, err
	}
	if ne.Date.IsZero() {
		return nil, mingbai.FieldError("date", "请填写日期。")
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		b, err := booksTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if b.Account(ne.AccountID) == nil {
			return mingbai.FieldError("account", "请选择账户。")
		}
		ps, err := periodStateTx(ctx, tx, c.ID, b.Start)
		if err != nil {
			return err
		}
		if err := ps.postable(ne.Date, s.today()); err != nil {
			return err
		}
		cat, err := categoryTx(ctx, tx, c.District, ne.CategoryID)
		if err != nil {
			return err
		}
		if cat.Direction == Expense {
			if err := checkBalance(ctx, tx, b, ne.AccountID, ne.Date, -ne.Amount); err != nil {
				return err
			}
		}
		id, err = s.insertEntry(ctx, tx, c.ID, a, ne, cat.Direction, ne.Amount, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.entryFor(ctx, a, communityID, id)
}

// insertEntry writes one entry with the next voucher number.
func (s *Service) insertEntry(ctx context.Context, tx *store.Tx, communityID int64, a *mingbai.Actor, ne NewEntry, dir Direction, amount zh.Fen, reverses int64) (int64, error) {
	no, err := nextVouchers(ctx, tx, communityID, ne.Date.Year(), 1)
	if err != nil {
		return 0, err
	}
	e := &Entry{Community: communityID, AccountID: ne.AccountID, Year: ne.Date.Year(), VoucherNo: no, Date: ne.Date,
		Period: PeriodOf(ne.Date), Direction: dir, CategoryID: ne.CategoryID, Amount: amount, Summary: ne.Summary,
		Counterparty: ne.Counterparty, SourceRef: ne.SourceRef, Decision: ne.Decision, Reason: ne.Reason,
		ReversesID: reverses, EnteredBy: a.UserID, EnteredName: a.Name, EnteredAt: s.now()}
	id, err := tx.InsertID(ctx, "INSERT INTO fin_entries ("+EntryColumns+") VALUES (?"+strings.Repeat(", ?", EntryWidth-1)+") RETURNING id",
		EntryRow(e)...)
	if store.IsUniqueViolation(err) && reverses != 0 {
		return 0, mingbai.Errorf(mingbai.ECONFLICT, "这笔账已经冲销过了。")
	}
	if err != nil {
		return 0, fmt.Errorf("insert entry: %w", err)
	}
	return id, nil
}

const effectSQL = "CASE WHEN direction = 'income' THEN amount ELSE -amount END"

// checkBalance refuses a change delta (negative: money out) to account on
// date d if the account's balance would go below zero at the end of d or of
// any later day with entries.
func checkBalance(ctx context.Context, tx *store.Tx, b *Books, accountID int64, d Date, delta zh.Fen) error {
	ac := b.Account(accountID)
	var before int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(SUM("+effectSQL+"), 0) FROM fin_entries WHERE community_id = ? AND account_id = ? AND entry_date < ?",
		b.Community, accountID, d.String()).Scan(&before); err != nil {
		return fmt.Errorf("balance of account %d: %w", accountID, err)
	}
	bal := ac.Opening + zh.Fen(before)
	rows, err := tx.Query(ctx, "SELECT entry_date, SUM("+effectSQL+") FROM fin_entries WHERE community_id = ? AND account_id = ? AND entry_date >= ? GROUP BY entry_date ORDER BY entry_date",
		b.Community, accountID, d.String())
	if err != nil {
		return fmt.Errorf("balance of account %d: %w", accountID, err)
	}
	defer rows.Close()
	low, lowDay := bal, d
	first := true
	for rows.Next() {
		var day string
		var sum int64
		if err := rows.Scan(&day, &sum); err != nil {
			return fmt.Errorf("balance of account %d: %w", accountID, err)
		}
		bal += zh.Fen(sum)
		if first || bal < low {
			low, lowDay, first = bal, mustDate(day), false
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("balance of account %d: %w", accountID, err)
	}
	if low+delta < 0 {
		if lowDay.Before(d) {
			lowDay = d
		}
		return mingbai.FieldError("amount", "账户“%s”余额不足：%s 的余额只有 %s 元，这笔支出后将为负数。", ac.Name, lowDay.Label(), low.String())
	}
	return nil
}

// Reverse posts a reversing entry (红字冲销) for entry id, dated today in
// the current period, with the reason in its summary. An entry is reversed
// at most once, and a reversal is never itself reversed: post a new entry
// instead.
func (s *Service) Reverse(ctx context.Context, a *mingbai.Actor, communityID, entryID int64, reason string) (*Entry, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if reason, err = cleanPublicText(zh.Text{Field: "reason", Label: "冲销原因", Min: 1, Max: 100, Multiline: true}, reason, nil); err != nil {
		return nil, err
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		orig, err := entryTx(ctx, tx, c.ID, entryID)
		if err != nil {
			return err
		}
		if orig.IsReversal() {
			return mingbai.Errorf(mingbai.ECONFLICT, "冲销记录本身不能再冲销；如有错误请另记一笔。")
		}
		if orig.ReversedByID != 0 {
			return mingbai.Errorf(mingbai.ECONFLICT, "这笔账已经冲销过了。")
		}
		b, ps, err := periodStateOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		today := s.today()
		if err := ps.postable(today, today); err != nil {
			return err
		}
		if orig.Direction == Income {
			if err := checkBalance(ctx, tx, b, orig.AccountID, today, -orig.Amount); err != nil {
				return err
			}
		}
		ne := NewEntry{
			AccountID: orig.AccountID, Date: today, CategoryID: orig.CategoryID,
			Summary:      fmt.Sprintf("冲销 %s 号凭证：%s", orig.Voucher(), reason),
			Counterparty: orig.Counterparty, Decision: orig.Decision,
		}
		id, err = s.insertEntry(ctx, tx, c.ID, a, ne, orig.Direction, -orig.Amount, orig.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.entryFor(ctx, a, communityID, id)
}

const entryColumns = `e.id, e.community_id, e.account_id, a.name, e.year, e.voucher_no, e.entry_date, e.period, e.direction,
	e.category_id, c.code, c.name, e.amount, e.summary, e.counterparty, e.source_ref, e.decision, e.reason,
	COALESCE(e.reverses_id, 0), COALESCE(r.id, 0), e.entered_by, e.entered_by_name, e.entered_at, e.leaf_index`

const entryFrom = ` FROM fin_entries e
	JOIN fin_accounts a ON a.id = e.account_id
	JOIN fin_categories c ON c.id = e.category_id
	LEFT JOIN fin_entries r ON r.reverses_id = e.id`

func scanEntry(sc interface{ Scan(...any) error }) (*Entry, error) {
	e := &Entry{}
	var date, dir string
	var period int
	var leaf sql.NullInt64
	if err := sc.Scan(&e.ID, &e.Community, &e.AccountID, &e.AccountName, &e.Year, &e.VoucherNo, &date, &period, &dir,
		&e.CategoryID, &e.CategoryCode, &e.CategoryName, &e.Amount, &e.Summary, &e.Counterparty, &e.SourceRef, &e.Decision, &e.Reason,
		&e.ReversesID, &e.ReversedByID, &e.EnteredBy, &e.EnteredName, &e.EnteredAt, &leaf); err != nil {
		return nil, err
	}
	e.Date, e.Period, e.Direction = mustDate(date), Period(period), Direction(dir)
	if leaf.Valid {
		e.LeafIndex = &leaf.Int64
	}
	return e, nil
}

func entryTx(ctx context.Context, tx *store.Tx, communityID, id int64) (*Entry, error) {
	e, err := scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+entryFrom+" WHERE e.community_id = ? AND e.id = ?", communityID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotVisible
	}
	if err != nil {
		return nil, fmt.Errorf("read entry %d: %w", id, err)
	}
	return e, nil
}

// published reports whether a community's period is published.
func publishedTx(ctx context.Context, tx *store.Tx, communityID int64, p Period) (bool, error) {
	var status string
	err := tx.QueryRow(ctx, "SELECT status FROM fin_periods WHERE community_id = ? AND period = ?", communityID, int(p)).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read period %s: %w", p, err)
	}
	return status == "published", nil
}

// Entry returns one entry with its attachments. Anyone may read an entry
// of a published period; only the community's cadres and supervisors and
// its street and district see the others. Receipts not yet cleared of
// personal data are shown to those too, never to the public.
func (s *Service) Entry(ctx context.Context, a *mingbai.Actor, communityID, id int64) (*Entry, error) {
	return s.entryFor(ctx, a, communityID, id)
}

func (s *Service) entryFor(ctx context.Context, a *mingbai.Actor, communityID, id int64) (*Entry, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	var e *Entry
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = entryTx(ctx, tx, c.ID, id); err != nil {
			return err
		}
		if !acc.SeesUnpublished() {
			pub, err := publishedTx(ctx, tx, c.ID, e.Period)
			if err != nil {
				return err
			}
			if !pub {
				return errNotVisible
			}
		}
		r, err := rulesTx(ctx, tx, c.District)
		if err != nil {
			return err
		}
		e.Flagged = flagged(e, r)
		e.Attachments, err = attachmentsTx(ctx, tx, c.ID, []int64{e.ID}, !acc.SeesUnpublished())
		return err
	})
	return e, err
}

// Flagged reports whether e breaks the large-expense rule of r, as
// statements mark it.
func Flagged(e *Entry, r Rules) bool { return flagged(e, r) }

// flagged is the large-expense rule: above the threshold an expense needs
// a decision or a reason.
func flagged(e *Entry, r Rules) bool {
	return e.Direction == Expense && e.Amount > r.ExpenseThreshold &&
		strings.TrimSpace(e.Decision) == "" && strings.TrimSpace(e.Reason) == ""
}

// EntryFilter selects entries.
type EntryFilter struct {
	Period      Period // one month, or 0
	Year        int    // one year, or 0
	From, To    Period // a range of months, or 0
	OnlyFlagged bool
	Limit       int // 0: no limit
}

// Entries lists a community's entries in voucher order. The public sees
// published periods only.
func (s *Service) Entries(ctx context.Context, a *mingbai.Actor, communityID int64, f EntryFilter) ([]Entry, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	var out []Entry
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := rulesTx(ctx, tx, c.District)
		if err != nil {
			return err
		}
		out, err = entriesTx(ctx, tx, c.ID, f, !acc.SeesUnpublished(), r)
		return err
	})
	return out, err
}

func entriesTx(ctx context.Context, tx *store.Tx, communityID int64, f EntryFilter, publicOnly bool, r Rules) ([]Entry, error) {
	q := "SELECT " + entryColumns + entryFrom
	args := []any{}
	if publicOnly {
		q += " JOIN fin_periods p ON p.community_id = e.community_id AND p.period = e.period AND p.status = 'published'"
	}
	q += " WHERE e.community_id = ?"
	args = append(args, communityID)
	if f.Period != 0 {
		q += " AND e.period = ?"
		args = append(args, int(f.Period))
	}
	if f.Year != 0 {
		q += " AND e.period BETWEEN ? AND ?"
		args = append(args, f.Year*100+1, f.Year*100+12)
	}
	if f.From != 0 {
		q += " AND e.period >= ?"
		args = append(args, int(f.From))
	}
	if f.To != 0 {
		q += " AND e.period <= ?"
		args = append(args, int(f.To))
	}
	if f.OnlyFlagged {
		q += " AND e.direction = 'expense' AND e.amount > ? AND e.decision = '' AND e.reason = ''"
		args = append(args, int64(r.ExpenseThreshold))
	}
	q += " ORDER BY e.entry_date, e.year, e.voucher_no"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list entries of %d: %w", communityID, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("list entries of %d: %w", communityID, err)
		}
		e.Flagged = flagged(e, r)
		out = append(out, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list entries of %d: %w", communityID, err)
	}
	if len(out) > 0 {
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
		}
		atts, err := attachmentsTx(ctx, tx, communityID, ids, publicOnly)
		if err != nil {
			return nil, err
		}
		byEntry := map[int64][]Attachment{}
		for _, at := range atts {
			byEntry[at.EntryID] = append(byEntry[at.EntryID], at)
		}
		for i := range out {
			out[i].Attachments = byEntry[out[i].ID]
		}
	}
	return out, nil
}

// Balance is an account's balance.
type Balance struct {
	Account Account
	Balance zh.Fen
}

// Balances returns every account's balance now, for cadres.
func (s *Service) Balances(ctx context.Context, a *mingbai.Actor, communityID int64) ([]Balance, error) {
	c, err := s.community(ctx, communityID, false)
	if err != nil {
		return nil, err
	}
	if !accessOf(a, c).SeesUnpublished() {
		return nil, errNotVisible
	}
	var out []Balance
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		b, err := booksTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		sums := map[int64]int64{}
		rows, err := tx.Query(ctx, "SELECT account_id, SUM("+effectSQL+") FROM fin_entries WHERE community_id = ? GROUP BY account_id", c.ID)
		if err != nil {
			return fmt.Errorf("balances of %d: %w", c.ID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, sum int64
			if err := rows.Scan(&id, &sum); err != nil {
				return fmt.Errorf("balances of %d: %w", c.ID, err)
			}
			sums[id] = sum
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ac := range b.Accounts {
			out = append(out, Balance{Account: ac, Balance: ac.Opening + zh.Fen(sums[ac.ID])})
		}
		return nil
	})
	return out, err
}
