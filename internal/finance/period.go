package finance

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// Period statuses. A month with no row is open; closing makes a statement
// that waits for review; the supervisor returns it (the cadre answers and
// resubmits) or approves it, which publishes it. Published is final.
const (
	StatusOpen      = "open"
	StatusClosed    = "closed"
	StatusReturned  = "returned"
	StatusPublished = "published"
)

// StatusLabel is the Chinese name of a period status.
func StatusLabel(s string) string {
	switch s {
	case StatusOpen:
		return "未结账"
	case StatusClosed:
		return "待审核"
	case StatusReturned:
		return "已退回"
	case StatusPublished:
		return "已公开"
	}
	return s
}

// Statement is a month's financial statement (财务公开表): the canonical
// content whose hash the "statement" leaf carries.
type Statement struct {
	Community     int64               `json:"community"`
	CommunityName string              `json:"community_name"`
	Period        string              `json:"period"`
	Accounts      []StatementAccount  `json:"accounts"`
	Categories    []StatementCategory `json:"categories"`
	Income        zh.Fen              `json:"income"`
	Expense       zh.Fen              `json:"expense"`
	Entries       []EntryContent      `json:"entries"`
	Subsidies     []Subsidy           `json:"subsidies"`
	Donations     []Donation          `json:"donations"`
	Distributions []Distribution      `json:"distributions"`
	Fees          []Fee               `json:"fees"`
	ClosedAt      string              `json:"closed_at"`
}

// StatementAccount is one account's movement in the month.
type StatementAccount struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Opening zh.Fen `json:"opening"`
	Income  zh.Fen `json:"income"`
	Expense zh.Fen `json:"expense"`
	Closing zh.Fen `json:"closing"`
}

// StatementCategory is one category's total in the month.
type StatementCategory struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Direction Direction `json:"direction"`
	Total     zh.Fen    `json:"total"`
}

// EntryContent is the public content of one entry: what its
// "ledger_entry" leaf hashes and what the statement lists.
type EntryContent struct {
	ID           int64     `json:"id"`
	Community    int64     `json:"community"`
	Voucher      string    `json:"voucher"`
	Date         string    `json:"date"`
	Account      string    `json:"account"`
	Direction    Direction `json:"direction"`
	CategoryCode string    `json:"category_code"`
	Category     string    `json:"category"`
	Amount       zh.Fen    `json:"amount"`
	Summary      string    `json:"summary"`
	Counterparty string    `json:"counterparty"`
	Decision     string    `json:"decision"`
	Reason       string    `json:"reason"`
	Reverses     int64     `json:"reverses"`
	EnteredBy    string    `json:"entered_by"`
	Attachments  []string  `json:"attachments"` // SHA-256 of each receipt file
	Flagged      bool      `json:"flagged"`
}

func contentOf(e *Entry) EntryContent {
	ec := EntryContent{
		ID: e.ID, Community: e.Community, Voucher: e.Voucher(), Date: e.Date.String(), Account: e.AccountName,
		Direction: e.Direction, CategoryCode: e.CategoryCode, Category: e.CategoryName, Amount: e.Amount,
		Summary: e.Summary, Counterparty: e.Counterparty, Decision: e.Decision, Reason: e.Reason,
		Reverses: e.ReversesID, EnteredBy: e.EnteredName, Attachments: []string{}, Flagged: e.Flagged,
	}
	for _, at := range e.Attachments {
		ec.Attachments = append(ec.Attachments, at.SHA256)
	}
	return ec
}

// PublicContent is the content of entry e as its statement lists it (the
// flag as computed now).
func PublicContent(e *Entry) EntryContent { return contentOf(e) }

// LeafContent is what the "ledger_entry" leaf of e hashes.
func LeafContent(e *Entry) EntryContent { return leafContent(e) }

// leafContent is the entry's content without the flag, which depends on
// the rules of the day: the leaf hashes only what the entry says.
func leafContent(e *Entry) EntryContent {
	ec := contentOf(e)
	ec.Flagged = false
	return ec
}

// buildStatement computes the statement of month p from the books.
func (s *Service) buildStatement(ctx context.Context, tx *store.Tx, c *community, b *Books, p Period) (*Statement, error) {
	st := &Statement{Community: c.ID, CommunityName: c.Name, Period: p.String(), ClosedAt: s.now().Format(time.RFC3339),
		Accounts: []StatementAccount{}, Categories: []StatementCategory{}, Entries: []EntryContent{}}
	before := map[int64]zh.Fen{}
	rows, err := tx.Query(ctx, "SELECT account_id, SUM("+effectSQL+") FROM fin_entries WHERE community_id = ? AND period < ? GROUP BY account_id", c.ID, int(p))
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", p, err)
	}
	for rows.Next() {
		var id, sum int64
		if err := rows.Scan(&id, &sum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("statement %s: %w", p, err)
		}
		before[id] = zh.Fen(sum)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statement %s: %w", p, err)
	}
	r, err := rulesTx(ctx, tx, c.District)
	if err != nil {
		return nil, err
	}
	entries, err := entriesTx(ctx, tx, c.ID, EntryFilter{Period: p}, false, r)
	if err != nil {
		return nil, err
	}
	opening := make(map[int64]zh.Fen, len(b.Accounts))
	for _, ac := range b.Accounts {
		opening[ac.ID] = ac.Opening + before[ac.ID]
	}
	month := make([]*Entry, len(entries))
	for i := range entries {
		month[i] = &entries[i]
	}
	TallyStatement(st, b.Accounts, opening, month)
	if st.Subsidies, st.Donations, st.Distributions, st.Fees, err = specialsTx(ctx, tx, c.ID, p, p); err != nil {
		return nil, err
	}
	return st, nil
}

// TallyStatement fills st's totals, accounts (in the order of accounts,
// each from its balance in opening) and categories (by code) from the
// month's entries, listed as the ledger lists them, and adds each entry's
// public content. It is the one place a statement's figures are summed:
// closing a month and `mingbai gen` both call it.
func TallyStatement(st *Statement, accounts []Account, opening map[int64]zh.Fen, entries []*Entry) {
	type move struct{ in, out zh.Fen }
	moves := map[int64]*move{}
	cats := map[int64]*StatementCategory{}
	var catOrder []int64
	for _, e := range entries {
		m := moves[e.AccountID]
		if m == nil {
			m = &move{}
			moves[e.AccountID] = m
		}
		if e.Direction == Income {
			m.in += e.Amount
			st.Income += e.Amount
		} else {
			m.out += e.Amount
			st.Expense += e.Amount
		}
		sc := cats[e.CategoryID]
		if sc == nil {
			sc = &StatementCategory{Code: e.CategoryCode, Name: e.CategoryName, Direction: e.Direction}
			cats[e.CategoryID] = sc
			catOrder = append(catOrder, e.CategoryID)
		}
		sc.Total += e.Amount
		st.Entries = append(st.Entries, contentOf(e))
	}
	for _, ac := range accounts {
		sa := StatementAccount{Name: ac.Name, Kind: string(ac.Kind), Opening: opening[ac.ID]}
		if m := moves[ac.ID]; m != nil {
			sa.Income, sa.Expense = m.in, m.out
		}
		sa.Closing = sa.Opening + sa.Income - sa.Expense
		st.Accounts = append(st.Accounts, sa)
	}
	for _, id := range catOrder {
		st.Categories = append(st.Categories, *cats[id])
	}
	slices.SortStableFunc(st.Categories, func(a, b StatementCategory) int { return cmp.Compare(a.Code, b.Code) })
}

// PeriodInfo is the state of one month of a community's books.
type PeriodInfo struct {
	ID          int64
	Community   int64
	Period      Period
	Status      string
	Income      zh.Fen
	Expense     zh.Fen
	ClosedAt    time.Time
	PublishedAt *time.Time
	LeafIndex   *int64
	SHA256      string
}

// PeriodColumns are the columns of fin_periods, in the order of PeriodRow.
// Closing a month and `mingbai gen` write periods through both, so the
// row's layout is written once; a close leaves the publishing columns
// NULL until the supervisor approves.
const PeriodColumns = "community_id, period, status, statement, statement_sha256, income, expense, closed_at, closed_by, " +
	"published_at, published_by, leaf_index"

// PeriodWidth is the number of PeriodColumns.
const PeriodWidth = 12

// PeriodRow returns the values of PeriodColumns for p, whose canonical
// statement is statement, closed by closedBy and published by publishedBy
// (0 while unpublished).
func PeriodRow(p *PeriodInfo, statement string, closedBy, publishedBy int64) []any {
	var published, leaf, by any
	if p.PublishedAt != nil {
		published = p.PublishedAt.UTC()
	}
	if p.LeafIndex != nil {
		leaf = *p.LeafIndex
	}
	if publishedBy != 0 {
		by = publishedBy
	}
	return []any{p.Community, int(p.Period), p.Status, statement, p.SHA256, int64(p.Income), int64(p.Expense), p.ClosedAt, closedBy,
		published, by, leaf}
}

// NoteColumns are the columns of fin_period_notes, in the order of NoteRow.
const NoteColumns = "community_id, period_id, author_id, kind, body, author_name, created_at"

// NoteWidth is the number of NoteColumns.
const NoteWidth = 7

// NoteRow returns the values of NoteColumns for note n on period periodID
// of community, written by author.
func NoteRow(community, periodID, author int64, n Note) []any {
	return []any{community, periodID, author, n.Kind, n.Body, n.AuthorName, n.At}
}

// StatusLabel is the status in Chinese.
func (p PeriodInfo) StatusLabel() string { return StatusLabel(p.Status) }

// Note is one step of a statement's review.
type Note struct {
	Kind       string // close, return, answer, approve
	Body       string
	AuthorName string
	At         time.Time
}

// KindLabel names the step in Chinese.
func (n Note) KindLabel() string {
	switch n.Kind {
	case "close":
		return "结账提交"
	case "return":
		return "监督委员会退回"
	case "answer":
		return "干部答复并重新提交"
	case "approve":
		return "监督委员会审核通过并公开"
	}
	return n.Kind
}

// StatementView is a statement with its review.
type StatementView struct {
	PeriodInfo
	Statement   Statement
	Notes       []Note
	IncomeDaxie string
	ExpenseDaxie,
	ClosingDaxie string
	Closing zh.Fen
}

// Close closes month p: it must be over, be the month after the last
// closed one, and its statement goes to the supervision committee.
func (s *Service) Close(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, note string) error {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	if note, err = (zh.Text{Field: "note", Label: "说明", Max: 500, Multiline: true}).Clean(note); err != nil {
		return err
	}
	if !p.Valid() {
		return mingbai.FieldError("period", "会计期间不对。")
	}
	if p >= PeriodOf(s.today()) {
		return mingbai.Errorf(mingbai.ECONFLICT, "%s 还没有结束，月末之后才能结账。", p.Label())
	}
	return s.writeTo(ctx, c, func(tx *store.Tx) error {
		b, ps, err := periodStateOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if p != ps.last.Next() {
			if p <= ps.last {
				return mingbai.Errorf(mingbai.ECONFLICT, "%s 已经结过账了。", p.Label())
			}
			return mingbai.Errorf(mingbai.ECONFLICT, "请先结 %s 的账：月份要按顺序结。", ps.last.Next().Label())
		}
		st, err := s.buildStatement(ctx, tx, c, b, p)
		if err != nil {
			return err
		}
		raw, sum, err := canonicalStatement(st)
		if err != nil {
			return err
		}
		closed := &PeriodInfo{Community: c.ID, Period: p, Status: "closed", Income: st.Income, Expense: st.Expense, ClosedAt: s.now(), SHA256: sum}
		id, err := tx.InsertID(ctx, "INSERT INTO fin_periods ("+PeriodColumns+") VALUES ("+store.Placeholders(PeriodWidth)+") RETURNING id",
			PeriodRow(closed, string(raw), a.UserID, 0)...)
		if store.IsUniqueViolation(err) {
			return mingbai.Errorf(mingbai.ECONFLICT, "%s 已经结过账了。", p.Label())
		}
		if err != nil {
			return fmt.Errorf("close %s: %w", p, err)
		}
		return s.addNote(ctx, tx, c.ID, id, p, "close", note, a)
	})
}

func canonicalStatement(st *Statement) ([]byte, string, error) {
	raw, err := tlog.Canonical(st)
	if err != nil {
		return nil, "", fmt.Errorf("statement %s: %w", st.Period, err)
	}
	sum := sha256.Sum256(raw)
	return raw, hex.EncodeToString(sum[:]), nil
}

// addNote records one step of month p's review and, in the same
// transaction, tells whoever takes the next step: the supervisors when
// the cadres close or answer, the cadres when a supervisor returns or
// approves.
func (s *Service) addNote(ctx context.Context, tx *store.Tx, communityID, periodID int64, p Period, kind, body string, a *mingbai.Actor) error {
	// The review shows on the public statement page and in the API.
	body = zh.MaskText(body)
	_, err := tx.Exec(ctx, "INSERT INTO fin_period_notes ("+NoteColumns+") VALUES ("+store.Placeholders(NoteWidth)+")",
		NoteRow(communityID, periodID, a.UserID, Note{Kind: kind, Body: body, AuthorName: a.Name, At: s.now()})...)
	if err != nil {
		return fmt.Errorf("add %s note: %w", kind, err)
	}
	next, ok := reviewNotices[kind]
	if !ok {
		return nil
	}
	var name, slug string
	if err := tx.QueryRow(ctx, "SELECT name, slug FROM org_units WHERE id = ?", communityID).Scan(&name, &slug); err != nil {
		return fmt.Errorf("notify %s of %s: %w", kind, p, err)
	}
	n := notice.Note{Community: communityID, Kind: "statement_" + kind,
		Text: fmt.Sprintf(next.text, name, p.Label()),
		Link: fmt.Sprintf("/c/%s/finance/statements/%s", slug, p)}
	if err := notice.ToRole(ctx, tx, next.role, communityID, n, s.now()); err != nil {
		return fmt.Errorf("notify %s of %s: %w", kind, p, err)
	}
	return nil
}

// reviewNotices says, for each step of a statement's review, who takes
// the next step and what they are told.
var reviewNotices = map[string]struct {
	role mingbai.Role
	text string // of the community's name and the month
}{
	"close":   {mingbai.RoleSupervisor, "%s%s的财务公开表已结账，等您审核。"},
	"return":  {mingbai.RoleCadre, "居务监督委员会退回了%s%s的财务公开表，请逐条答复退回意见。"},
	"answer":  {mingbai.RoleSupervisor, "%s已答复%s财务公开表的退回意见，等您再次审核。"},
	"approve": {mingbai.RoleCadre, "%s%s的财务公开表已审核通过，已向居民公开。"},
}

// periodRow reads one period's row, locking nothing: callers re-check the
// status in their UPDATE.
func periodRowTx(ctx context.Context, tx *store.Tx, communityID int64, p Period) (*PeriodInfo, error) {
	pi := &PeriodInfo{Community: communityID, Period: p}
	var leaf sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT id, status, income, expense, closed_at, published_at, leaf_index, statement_sha256
		FROM fin_periods WHERE community_id = ? AND period = ?`, communityID, int(p)).
		Scan(&pi.ID, &pi.Status, &pi.Income, &pi.Expense, &pi.ClosedAt, &pi.PublishedAt, &leaf, &pi.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "%s 还没有结账。", p.Label())
	}
	if err != nil {
		return nil, fmt.Errorf("read period %s: %w", p, err)
	}
	if leaf.Valid {
		pi.LeafIndex = &leaf.Int64
	}
	return pi, nil
}

// secondReviewer applies the four-eyes rule to a review step (return,
// approve): the reviewer must be none of the people who prepared the
// statement under review, that is who closed the month and who answered
// a return (each answer rebuilt the statement). Who did those steps is
// read from the period's notes, never inferred from the roles held now.
func secondReviewer(ctx context.Context, tx *store.Tx, a *mingbai.Actor, pi *PeriodInfo) error {
	preparers, err := noteAuthorsTx(ctx, tx, pi.ID, "close", false)
	if err != nil {
		return err
	}
	answered, err := noteAuthorsTx(ctx, tx, pi.ID, "answer", false)
	if err != nil {
		return err
	}
	var closedBy int64
	if err := tx.QueryRow(ctx, "SELECT closed_by FROM fin_periods WHERE id = ?", pi.ID).Scan(&closedBy); err != nil {
		return fmt.Errorf("who closed period %d: %w", pi.ID, err)
	}
	return mingbai.SecondPerson(a, append(append(preparers, closedBy), answered...)...)
}

// noteAuthorsTx returns the accounts that wrote a period's notes of one
// kind, oldest first, or only the newest one's when latest is set.
func noteAuthorsTx(ctx context.Context, tx *store.Tx, periodID int64, kind string, latest bool) ([]int64, error) {
	q := "SELECT author_id FROM fin_period_notes WHERE period_id = ? AND kind = ? ORDER BY id"
	if latest {
		q += " DESC LIMIT 1"
	}
	rows, err := tx.Query(ctx, q, periodID, kind)
	if err != nil {
		return nil, fmt.Errorf("%s notes of period %d: %w", kind, periodID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s notes of period %d: %w", kind, periodID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s notes of period %d: %w", kind, periodID, err)
	}
	return ids, nil
}

// Return sends a statement back to the cadres with the supervisor's
// comments, which they must answer before it can be approved.
func (s *Service) Return(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, comment string) error {
	c, err := s.supervisorOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	rule := zh.Text{Field: "comment", Label: "退回意见", Min: 1, Max: 1000, Multiline: true}
	return s.reviewStep(ctx, c, p, rule, comment, func(tx *store.Tx, pi *PeriodInfo, comment string) error {
		if err := secondReviewer(ctx, tx, a, pi); err != nil {
			return err
		}
		if err := s.setStatus(ctx, tx, pi, StatusClosed, StatusReturned, p); err != nil {
			return err
		}
		return s.addNote(ctx, tx, c.ID, pi.ID, p, "return", comment, a)
	})
}

// reviewStep cleans the text of one step of month p's review by rule and
// runs step on the month's row in a write transaction.
func (s *Service) reviewStep(ctx context.Context, c *community, p Period, rule zh.Text, text string, step func(tx *store.Tx, pi *PeriodInfo, text string) error) error {
	text, err := rule.Clean(text)
	if err != nil {
		return err
	}
	return s.writeTo(ctx, c, func(tx *store.Tx) error {
		pi, err := periodRowTx(ctx, tx, c.ID, p)
		if err != nil {
			return err
		}
		return step(tx, pi, text)
	})
}

func (s *Service) setStatus(ctx context.Context, tx *store.Tx, pi *PeriodInfo, from, to string, p Period) error {
	res, err := tx.Exec(ctx, "UPDATE fin_periods SET status = ? WHERE id = ? AND status = ?", to, pi.ID, from)
	if err != nil {
		return fmt.Errorf("period %s %s → %s: %w", p, from, to, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return mingbai.Errorf(mingbai.ECONFLICT, "%s 的财务公开表现在是“%s”状态，不能这样操作。", p.Label(), StatusLabel(pi.Status))
	}
	return nil
}

// Answer is the cadre's reply to a returned statement. The statement is
// rebuilt (receipts added since are in it) and goes back for review.
func (s *Service) Answer(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, answer string) error {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	rule := zh.Text{Field: "answer", Label: "答复", Min: 1, Max: 1000, Multiline: true}
	return s.reviewStep(ctx, c, p, rule, answer, func(tx *store.Tx, pi *PeriodInfo, answer string) error {
		// The answer is to the supervisor who returned the statement: it
		// must come from someone else, or one person holding both roles
		// could return and answer their own objections.
		returnedBy, err := noteAuthorsTx(ctx, tx, pi.ID, "return", true)
		if err != nil {
			return err
		}
		if err := mingbai.SecondPerson(a, returnedBy...); err != nil {
			return err
		}
		if err := s.setStatus(ctx, tx, pi, StatusReturned, StatusClosed, p); err != nil {
			return err
		}
		b, err := booksTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		st, err := s.buildStatement(ctx, tx, c, b, p)
		if err != nil {
			return err
		}
		raw, sum, err := canonicalStatement(st)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE fin_periods SET statement = ?, statement_sha256 = ?, income = ?, expense = ? WHERE id = ?",
			string(raw), sum, int64(st.Income), int64(st.Expense), pi.ID); err != nil {
			return fmt.Errorf("rebuild statement %s: %w", p, err)
		}
		return s.addNote(ctx, tx, c.ID, pi.ID, p, "answer", answer, a)
	})
}

// Approve is the supervisor's approval, which publishes the statement: in
// one transaction the period becomes published and every entry of the
// month, then the statement, is appended to the transparency log. Months
// publish in order, and a published month never reopens.
func (s *Service) Approve(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, comment string) error {
	c, err := s.supervisorOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	if comment, err = (zh.Text{Field: "comment", Label: "审核意见", Max: 1000, Multiline: true}).Clean(comment); err != nil {
		return err
	}
	return s.writeBatchedTo(ctx, c, func(tx *store.Tx) error {
		return s.publishTx(ctx, tx, c, p, comment, a)
	})
}

func (s *Service) publishTx(ctx context.Context, tx *store.Tx, c *community, p Period, comment string, a *mingbai.Actor) error {
	pi, err := periodRowTx(ctx, tx, c.ID, p)
	if err != nil {
		return err
	}
	if err := secondReviewer(ctx, tx, a, pi); err != nil {
		return err
	}
	var unpublished int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM fin_periods WHERE community_id = ? AND period < ? AND status <> 'published'", c.ID, int(p)).Scan(&unpublished); err != nil {
		return fmt.Errorf("check earlier periods: %w", err)
	}
	if unpublished > 0 {
		return mingbai.Errorf(mingbai.ECONFLICT, "还有更早月份的财务公开表没有审核公开，请按月份顺序审核。")
	}
	now := s.now()
	res, err := tx.Exec(ctx, "UPDATE fin_periods SET status = 'published', published_at = ?, published_by = ? WHERE id = ? AND status = 'closed'", now, a.UserID, pi.ID)
	if err != nil {
		return fmt.Errorf("publish %s: %w", p, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return mingbai.Errorf(mingbai.ECONFLICT, "%s 的财务公开表现在是“%s”状态，不能审核通过。", p.Label(), StatusLabel(pi.Status))
	}
	r, err := rulesTx(ctx, tx, c.District)
	if err != nil {
		return err
	}
	entries, err := entriesTx(ctx, tx, c.ID, EntryFilter{Period: p}, false, r)
	if err != nil {
		return err
	}
	for i := range entries {
		e := &entries[i]
		sum, err := tlog.ContentHash(leafContent(e))
		if err != nil {
			return fmt.Errorf("hash entry %d: %w", e.ID, err)
		}
		env := tlog.Envelope{Kind: KindEntry, Community: c.ID, Object: strconv.FormatInt(e.ID, 10), Version: 1, Time: now, ContentSHA256: sum}
		if e.ReversesID != 0 {
			var leaf sql.NullInt64
			if err := tx.QueryRow(ctx, "SELECT leaf_index FROM fin_entries WHERE id = ? AND community_id = ?", e.ReversesID, c.ID).Scan(&leaf); err != nil {
				return fmt.Errorf("leaf of reversed entry %d: %w", e.ReversesID, err)
			}
			if leaf.Valid {
				env.Corrects = &leaf.Int64
			}
		}
		idx, err := s.log.Append(ctx, tx, env)
		if err != nil {
			return fmt.Errorf("log entry %d: %w", e.ID, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE fin_entries SET leaf_index = ? WHERE id = ?", idx, e.ID); err != nil {
			return fmt.Errorf("entry %d leaf: %w", e.ID, err)
		}
	}
	var sumHex string
	if err := tx.QueryRow(ctx, "SELECT statement_sha256 FROM fin_periods WHERE id = ?", pi.ID).Scan(&sumHex); err != nil {
		return fmt.Errorf("statement hash %s: %w", p, err)
	}
	var sum [32]byte
	if _, err := hex.Decode(sum[:], []byte(sumHex)); err != nil {
		return fmt.Errorf("statement hash %s: %w", p, err)
	}
	idx, err := s.log.Append(ctx, tx, tlog.Envelope{Kind: KindStatement, Community: c.ID, Object: strconv.FormatInt(pi.ID, 10), Version: 1, Time: now, ContentSHA256: sum})
	if err != nil {
		return fmt.Errorf("log statement %s: %w", p, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE fin_periods SET leaf_index = ? WHERE id = ?", idx, pi.ID); err != nil {
		return fmt.Errorf("statement %s leaf: %w", p, err)
	}
	return s.addNote(ctx, tx, c.ID, pi.ID, p, "approve", comment, a)
}

// Periods lists a community's months from the start of its books to last
// month, newest first, each with its status. The public sees published
// months only.
func (s *Service) Periods(ctx context.Context, a *mingbai.Actor, communityID int64) ([]PeriodInfo, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	var out []PeriodInfo
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		b, err := booksTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, period, status, income, expense, closed_at, published_at, leaf_index, statement_sha256
			FROM fin_periods WHERE community_id = ? ORDER BY period DESC`, c.ID)
		if err != nil {
			return fmt.Errorf("list periods of %d: %w", c.ID, err)
		}
		defer rows.Close()
		byPeriod := map[Period]PeriodInfo{}
		for rows.Next() {
			pi := PeriodInfo{Community: c.ID}
			var p int
			var leaf sql.NullInt64
			if err := rows.Scan(&pi.ID, &p, &pi.Status, &pi.Income, &pi.Expense, &pi.ClosedAt, &pi.PublishedAt, &leaf, &pi.SHA256); err != nil {
				return fmt.Errorf("list periods of %d: %w", c.ID, err)
			}
			pi.Period = Period(p)
			if leaf.Valid {
				pi.LeafIndex = &leaf.Int64
			}
			byPeriod[pi.Period] = pi
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for p := PeriodOf(s.today()).Prev(); p >= b.Start; p = p.Prev() {
			pi, ok := byPeriod[p]
			if !ok {
				pi = PeriodInfo{Community: c.ID, Period: p, Status: StatusOpen}
			}
			if acc.SeesUnpublished() || pi.Status == StatusPublished {
				out = append(out, pi)
			}
		}
		return nil
	})
	return out, err
}

// StatementOf returns month p's statement with its review notes. The
// public sees published statements only (and no review notes before).
func (s *Service) StatementOf(ctx context.Context, a *mingbai.Actor, communityID int64, p Period) (*StatementView, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	v := &StatementView{}
	cached := false
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		pi, err := periodRowTx(ctx, tx, c.ID, p)
		if err != nil {
			return err
		}
		if pi.Status != StatusPublished && !acc.SeesUnpublished() {
			return mingbai.Errorf(mingbai.ENOTFOUND, "%s 的财务公开表还没有公开。", p.Label())
		}
		if pi.Status == StatusPublished {
			if hit, ok := s.statements.get(c.ID, p, pi.SHA256); ok {
				*v, cached = *hit, true
				return nil
			}
		}
		v.PeriodInfo = *pi
		var raw string
		if err := tx.QueryRow(ctx, "SELECT statement FROM fin_periods WHERE id = ?", pi.ID).Scan(&raw); err != nil {
			return fmt.Errorf("read statement %s: %w", p, err)
		}
		if err := json.Unmarshal([]byte(raw), &v.Statement); err != nil {
			return fmt.Errorf("decode statement %s: %w", p, err)
		}
		rows, err := tx.Query(ctx, "SELECT kind, body, author_name, created_at FROM fin_period_notes WHERE period_id = ? AND community_id = ? ORDER BY id", pi.ID, c.ID)
		if err != nil {
			return fmt.Errorf("read notes %s: %w", p, err)
		}
		defer rows.Close()
		for rows.Next() {
			var n Note
			if err := rows.Scan(&n.Kind, &n.Body, &n.AuthorName, &n.At); err != nil {
				return fmt.Errorf("read notes %s: %w", p, err)
			}
			v.Notes = append(v.Notes, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if cached {
		return v, nil
	}
	for _, sa := range v.Statement.Accounts {
		v.Closing += sa.Closing
	}
	if v.IncomeDaxie, err = zh.Daxie(v.Statement.Income); err != nil {
		return nil, err
	}
	if v.ExpenseDaxie, err = zh.Daxie(v.Statement.Expense); err != nil {
		return nil, err
	}
	if v.ClosingDaxie, err = zh.Daxie(v.Closing); err != nil {
		return nil, err
	}
	if v.Status == StatusPublished {
		s.statements.put(c.ID, p, v)
	}
	return v, nil
}

// LatestPublished returns the newest published month, or 0 if none.
func (s *Service) LatestPublished(ctx context.Context, communityID int64) (Period, error) {
	var p sql.NullInt64
	err := s.db.QueryRow(ctx, "SELECT MAX(period) FROM fin_periods WHERE community_id = ? AND status = 'published'", communityID).Scan(&p)
	if err != nil {
		return 0, fmt.Errorf("latest statement of %d: %w", communityID, err)
	}
	return Period(p.Int64), nil
}

// entryContentSource gives fsck and auditors the content of a published
// entry as the database holds it now.
func (s *Service) entryContentSource(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号不对。")
	}
	en, err := entryTx(ctx, tx, e.Community, id)
	if err != nil {
		return nil, err
	}
	if en.Attachments, err = attachmentsTx(ctx, tx, e.Community, []int64{id}, false); err != nil {
		return nil, err
	}
	return tlog.Canonical(leafContent(en))
}

// statementContentSource gives the canonical statement of a period.
func (s *Service) statementContentSource(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号不对。")
	}
	var raw string
	err = tx.QueryRow(ctx, "SELECT statement FROM fin_periods WHERE id = ? AND community_id = ? AND status = 'published'", id, e.Community).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该财务公开表。")
	}
	if err != nil {
		return nil, fmt.Errorf("statement %d: %w", id, err)
	}
	return []byte(strings.Clone(raw)), nil
}
