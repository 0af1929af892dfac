// Package finance is a community's open books (财务公开): accounts, the
// category tree (科目) of its district, ledger entries with gapless voucher
// numbers, monthly periods closed into statements that the community's
// supervision committee reviews before they are published to the
// transparency log, the special disclosures (cadre subsidies, relief
// donations traced to households, fees), the district's rules, cashbook
// import and export, and the street's view of its communities' books
// (居账街管).
//
// Money is zh.Fen throughout. Nothing posted is edited or deleted: a
// correction is a reversing entry (红字冲销) that names the original.
package finance

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/blob"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// Log kinds of the leaves finance appends.
const (
	KindEntry     = "ledger_entry"
	KindStatement = "statement"
)

// Service is the finance service the web layer and the CLI call. It
// enforces who may do what in which community itself.
type Service struct {
	db    *store.DB
	org   *org.Service
	log   *tlog.Log
	clock mingbai.Clock
	files *blob.Store
	// statements caches decoded published statements, which never change.
	statements *statementCache
}

// NewService builds the service. dataDir holds the receipts; log receives
// the leaves of published periods and must not be nil.
func NewService(db *store.DB, orgs *org.Service, log *tlog.Log, dataDir string, clock mingbai.Clock) *Service {
	if clock == nil {
		clock = mingbai.SystemClock
	}
	return &Service{db: db, org: orgs, log: log, clock: clock, files: NewFileStore(dataDir), statements: newStatementCache(512)}
}

// ContentSources rebuilds the content of the finance leaves, for the
// log's UseSources.
func (s *Service) ContentSources() map[string]tlog.ContentSource {
	return map[string]tlog.ContentSource{
		KindEntry: s.entryContentSource, KindStatement: s.statementContentSource,
		KindReceiptMask: s.receiptMaskSource, KindBudget: s.budgetSource,
	}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

// Files returns the store of receipt files.
func (s *Service) Files() *blob.Store { return s.files }

// today is the current date in Shanghai.
func (s *Service) today() Date { return DateOf(s.clock()) }

// Direction says whether money comes in or goes out.
type Direction string

// The two directions.
const (
	Income  Direction = "income"
	Expense Direction = "expense"
)

// Label is the Chinese name.
func (d Direction) Label() string {
	if d == Income {
		return "收入"
	}
	return "支出"
}

// Period is one accounting month, written YYYYMM (202503 for March 2025).
type Period int

// PeriodOf returns the period a date falls in.
func PeriodOf(d Date) Period { return Period(d.Year()*100 + int(d.Month())) }

// ParsePeriod reads "2025-03" or "202503", and nothing else: a month has
// one URL besides its compact form ("2025--03" or "-202503" is refused).
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	digits := s
	if len(s) == 7 && s[4] == '-' {
		digits = s[:4] + s[5:]
	}
	p := Period(0)
	if len(digits) == 6 && allDigits(digits) {
		n, _ := strconv.Atoi(digits)
		p = Period(n)
	}
	if !p.Valid() {
		return 0, mingbai.FieldError("period", "会计期间“%s”格式不对，应写作 2025-03。", s)
	}
	return p, nil
}

// allDigits reports whether s is made of ASCII digits only (strconv.Atoi
// also takes a sign).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Valid reports whether p names a real month between 2000 and 2199.
func (p Period) Valid() bool {
	y, m := int(p)/100, int(p)%100
	return y >= 2000 && y < 2200 && m >= 1 && m <= 12
}

// Year is the calendar year of the period.
func (p Period) Year() int { return int(p) / 100 }

// Month is the month of the period, 1 to 12.
func (p Period) Month() int { return int(p) % 100 }

// Next is the month after p.
func (p Period) Next() Period {
	if p.Month() == 12 {
		return Period((p.Year()+1)*100 + 1)
	}
	return p + 1
}

// Prev is the month before p.
func (p Period) Prev() Period {
	if p.Month() == 1 {
		return Period((p.Year()-1)*100 + 12)
	}
	return p - 1
}

// First is the first day of the period.
func (p Period) First() Date {
	return Date{time.Date(p.Year(), time.Month(p.Month()), 1, 0, 0, 0, 0, time.UTC)}
}

// Last is the last day of the period.
func (p Period) Last() Date { return Date{p.Next().First().AddDate(0, 0, -1)} }

// String is "2025-03", the form URLs use.
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year(), p.Month()) }

// Label is "2025年3月".
func (p Period) Label() string { return fmt.Sprintf("%d年%d月", p.Year(), p.Month()) }

// Date is a calendar day (in Shanghai), kept at midnight UTC so that its
// Year, Month and Day are the Shanghai date.
type Date struct{ time.Time }

// DateOf returns the Shanghai date of instant t.
func DateOf(t time.Time) Date {
	t = t.In(mingbai.Shanghai)
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// MakeDate builds a date.
func MakeDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// String is "2025-03-08", the stored form.
func (d Date) String() string { return d.Format("2006-01-02") }

// Label is "2025年3月8日".
func (d Date) Label() string { return d.Format("2006年1月2日") }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time.Before(e.Time) }

// dateSeparators turns the ways cadres separate a date's parts into "-".
// Built once: a cashbook import parses tens of thousands of dates.
var dateSeparators = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")

// ParseDate reads a date as cadres write it: 2025-03-08, 2025/3/8,
// 2025.3.8 or 2025年3月8日.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	t = dateSeparators.Replace(t)
	parts := strings.Split(t, "-")
	if len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2]) {
		y, e1 := strconv.Atoi(parts[0])
		m, e2 := strconv.Atoi(parts[1])
		d, e3 := strconv.Atoi(parts[2])
		if e1 == nil && e2 == nil && e3 == nil && len(parts[0]) == 4 && y >= 2000 && y < 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
			dt := MakeDate(y, time.Month(m), d)
			if dt.Day() == d { // 2月30日 rolls over: refuse it
				return dt, nil
			}
		}
	}
	return Date{}, mingbai.FieldError("date", "日期“%s”不对，请写成 2025-03-08 这样的形式。", strings.TrimSpace(s))
}

// mustDate parses a stored date; a stored date is always well formed.
func mustDate(s string) Date {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}
	}
	return Date{t}
}

// community is what the service needs to know of a community to check an
// actor's rights.
type community struct {
	ID       int64
	Name     string
	Street   int64
	District int64
}

// community loads community id with org's one loader; forWrite refuses
// an archived community.
func (s *Service) community(ctx context.Context, id int64, forWrite bool) (*community, error) {
	var u *org.Unit
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		u, err = org.LoadCommunity(ctx, tx, id, forWrite)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &community{ID: u.ID, Name: u.Name, Street: u.ParentID, District: u.DistrictID}, nil
}

// Access is what an actor may do with one community's books.
type Access struct {
	Post    bool // a cadre of the community: posts entries, closes months
	Review  bool // a supervisor of the community: approves or returns statements
	Oversee bool // the street's officer or the district's admin: reads everything
}

// SeesUnpublished reports whether the actor may read what is not yet public.
func (a Access) SeesUnpublished() bool { return a.Post || a.Review || a.Oversee }

func accessOf(a *mingbai.Actor, c *community) Access {
	return Access{
		Post:    a.Has(mingbai.RoleCadre, c.ID),
		Review:  a.Has(mingbai.RoleSupervisor, c.ID),
		Oversee: a.OfficerOf(c.Street) || a.IsDistrictAdmin(c.District),
	}
}

// AccessTo returns what the actor may do in community id.
func (s *Service) AccessTo(ctx context.Context, a *mingbai.Actor, communityID int64) (Access, error) {
	_, acc, err := s.communityAccess(ctx, a, communityID)
	return acc, err
}

var (
	errNotCadre      = mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区的干部可以记账和结账。")
	errNotSupervisor = mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区居务监督委员会成员可以审核财务公开表。")
	errNotVisible    = mingbai.Errorf(mingbai.ENOTFOUND, "找不到该记录，或它还没有公开。")
)

// cadreOf loads the community and checks that a is one of its cadres and
// that the community is not archived: every caller writes.
func (s *Service) cadreOf(ctx context.Context, a *mingbai.Actor, communityID int64) (*community, error) {
	cadre := a.Has(mingbai.RoleCadre, communityID)
	c, err := s.community(ctx, communityID, cadre)
	if err != nil {
		return nil, err
	}
	if !cadre {
		return nil, errNotCadre
	}
	return c, nil
}

// writeTo runs fn in a write transaction on community c's books, which
// first loads c again inside it: a community archived since the caller's
// check takes no write, whatever the interleaving.
func (s *Service) writeTo(ctx context.Context, c *community, fn func(tx *store.Tx) error) error {
	return s.db.Write(ctx, inCommunity(ctx, c, fn))
}

// writeBatchedTo is writeTo in a group commit (store.DB.WriteBatched).
func (s *Service) writeBatchedTo(ctx context.Context, c *community, fn func(tx *store.Tx) error) error {
	return s.db.WriteBatched(ctx, inCommunity(ctx, c, fn))
}

func inCommunity(ctx context.Context, c *community, fn func(tx *store.Tx) error) func(tx *store.Tx) error {
	return func(tx *store.Tx) error {
		if _, err := org.LoadCommunity(ctx, tx, c.ID, true); err != nil {
			return err
		}
		return fn(tx)
	}
}

// supervisorOf loads the community for a write by one of its supervisors
// (reviewing a statement) and checks that a is one.
func (s *Service) supervisorOf(ctx context.Context, a *mingbai.Actor, communityID int64) (*community, error) {
	supervisor := a.Has(mingbai.RoleSupervisor, communityID)
	c, err := s.community(ctx, communityID, supervisor)
	if err != nil {
		return nil, err
	}
	if !supervisor {
		return nil, errNotSupervisor
	}
	return c, nil
}

// communityAccess loads the community for reading and what a may do in it.
func (s *Service) communityAccess(ctx context.Context, a *mingbai.Actor, communityID int64) (*community, Access, error) {
	c, err := s.community(ctx, communityID, false)
	if err != nil {
		return nil, Access{}, err
	}
	return c, accessOf(a, c), nil
}

// cleanPublicText is zh.Text.Clean for a text that may become public: the
// personal numbers in it (zh.FindNumbers) are masked before it is stored,
// but the phones in publicPhones, which a cadre confirmed as an office's
// public phone. Whatever the statement, its leaves, the API and the
// exports show comes from the stored text, so it is masked everywhere.
func cleanPublicText(t zh.Text, s string, publicPhones []string) (string, error) {
	s, err := t.Clean(s)
	if err != nil {
		return "", err
	}
	return zh.MaskTextExcept(s, publicPhones), nil
}
