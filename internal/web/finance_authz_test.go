package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// financeFixture is community A's books in the web fixture: opened three
// months ago, an entry with a receipt and a donation two months ago, and
// that month closed and waiting for the supervisor.
type financeFixture struct {
	svc        *finance.Service
	log        *tlog.Log
	entry      int64
	attachment int64
	donation   int64
	closed     finance.Period
	cadre      *mingbai.Actor
	super      *mingbai.Actor
}

func newFinanceFixture(t testing.TB, f *fixture) *financeFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	l := f.log // one log per deployment: the fixture's
	ff := &financeFixture{svc: finance.NewService(f.db, f.org, l, dir, mingbai.SystemClock), log: l}
	l.UseSources(ff.svc.ContentSources())
	d := f.demo
	g := func(name string) *mingbai.Actor {
		a, err := f.auth.Actor(ctx, f.users[name])
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	ff.cadre = g("cadreA")
	ff.super = g("supervisorA")
	now := finance.PeriodOf(finance.DateOf(mingbai.SystemClock()))
	start := now.Prev().Prev().Prev()
	ff.closed = start
	if err := ff.svc.OpenBooks(ctx, ff.cadre, d.Suojin4, start, []finance.NewAccount{{Name: "银行存款", Kind: finance.Bank, Opening: 1000000}}); err != nil {
		t.Fatal(err)
	}
	b, _ := ff.svc.BooksOf(ctx, d.Suojin4)
	cats, _ := ff.svc.Categories(ctx, d.District)
	var office int64
	for _, c := range cats {
		if c.Name == "办公费" {
			office = c.ID
		}
	}
	e, err := ff.svc.Post(ctx, ff.cadre, d.Suojin4, finance.NewEntry{AccountID: b.Accounts[0].ID, Date: start.First(), CategoryID: office, Amount: zh.Fen(12345), Summary: "购买打印纸"})
	if err != nil {
		t.Fatal(err)
	}
	ff.entry = e.ID
	at, err := ff.svc.Attach(ctx, ff.cadre, d.Suojin4, e.ID, "receipt.pdf", strings.NewReader("%PDF-1.4 test receipt"))
	if err != nil {
		t.Fatal(err)
	}
	ff.attachment = at.ID
	if ff.donation, err = ff.svc.AddDonation(ctx, ff.cadre, d.Suojin4, start.First(), finance.Donation{Item: "大米", Unit: "袋", Quantity: 10, Value: 10000}); err != nil {
		t.Fatal(err)
	}
	if err := ff.svc.Close(ctx, ff.cadre, d.Suojin4, start, ""); err != nil {
		t.Fatal(err)
	}
	return ff
}

// financeMatrix covers the finance routes. Public pages let everyone
// through (the service itself hides what is not yet published); posting,
// closing, importing and answering are A's cadre's; returning and
// approving are A's supervisor's; the street view is the street's officer
// and the district admin's.
func financeMatrix(f *fixture) map[string]matrixCase {
	ff := f.fin
	c := "/c/suojin-4/finance"
	p := ff.closed.String()
	onlySupervisor := []string{"supervisorA"}
	return map[string]matrixCase{
		"GET /c/{community}/finance":                                    {"GET", c, nil, everyone},
		"GET /c/{community}/finance/statements/{period}":                {"GET", c + "/statements/" + p, nil, everyone},
		"GET /c/{community}/finance/statements/{period}/export":         {"GET", c + "/statements/" + p + "/export", nil, everyone},
		"GET /c/{community}/finance/entries/{entry}":                    {"GET", c + "/entries/" + id(ff.entry), nil, everyone},
		"GET /c/{community}/finance/receipts/{attachment}":              {"GET", c + "/receipts/" + id(ff.attachment), nil, everyone},
		"GET /c/{community}/finance/special/{kind}":                     {"GET", c + "/special/relief", nil, everyone},
		"GET /c/{community}/finance/flagged":                            {"GET", c + "/flagged", nil, everyone},
		"GET /c/{community}/finance/export":                             {"GET", c + "/export?what=special", nil, everyone},
		"GET /c/{community}/finance/budget":                             {"GET", c + "/budget", nil, everyone},
		"GET /api/v1/c/{community}/finance/statements":                  {"GET", "/api/v1" + c + "/statements", nil, everyone},
		"GET /api/v1/c/{community}/finance/statements/{period}":         {"GET", "/api/v1" + c + "/statements/" + p, nil, everyone},
		"GET /api/v1/c/{community}/finance/statements/{period}/entries": {"GET", "/api/v1" + c + "/statements/" + p + "/entries", nil, everyone},
		"POST /c/{community}/finance/budget":                            {"POST", c + "/budget", nil, onlyCadre},

		"GET /c/{community}/finance/ledger":                              {"GET", c + "/ledger", nil, onlyCadre},
		"POST /c/{community}/finance/books":                              {"POST", c + "/books", nil, onlyCadre},
		"POST /c/{community}/finance/accounts":                           {"POST", c + "/accounts", nil, onlyCadre},
		"POST /c/{community}/finance/entries":                            {"POST", c + "/entries", nil, onlyCadre},
		"POST /c/{community}/finance/entries/{entry}/reverse":            {"POST", c + "/entries/" + id(ff.entry) + "/reverse", nil, onlyCadre},
		"POST /c/{community}/finance/entries/{entry}/attachments":        {"POST", c + "/entries/" + id(ff.entry) + "/attachments", nil, onlyCadre},
		"POST /c/{community}/finance/receipts/{attachment}/clear":        {"POST", c + "/receipts/" + id(ff.attachment) + "/clear", nil, onlyCadre},
		"POST /c/{community}/finance/receipts/{attachment}/redact":       {"POST", c + "/receipts/" + id(ff.attachment) + "/redact", nil, onlyCadre},
		"GET /c/{community}/finance/import":                              {"GET", c + "/import", nil, onlyCadre},
		"POST /c/{community}/finance/import":                             {"POST", c + "/import", nil, onlyCadre},
		"POST /c/{community}/finance/periods/{period}/close":             {"POST", c + "/periods/" + p + "/close", nil, onlyCadre},
		"POST /c/{community}/finance/statements/{period}/answer":         {"POST", c + "/statements/" + p + "/answer", func(*fixture) url.Values { return url.Values{"answer": {"已补充"}} }, onlyCadre},
		"POST /c/{community}/finance/statements/{period}/return":         {"POST", c + "/statements/" + p + "/return", func(*fixture) url.Values { return url.Values{"comment": {"请补票据"}} }, onlySupervisor},
		"POST /c/{community}/finance/statements/{period}/approve":        {"POST", c + "/statements/" + p + "/approve", nil, onlySupervisor},
		"POST /c/{community}/finance/special/{kind}":                     {"POST", c + "/special/fees", nil, onlyCadre},
		"POST /c/{community}/finance/donations/{donation}/distributions": {"POST", c + "/donations/" + id(ff.donation) + "/distributions", nil, onlyCadre},

		"GET /s/{street}/finance":                     {"GET", "/s/suojincun/finance", nil, []string{"officerA", "admin"}},
		"GET /admin/units/{unit}/finance":             {"GET", "/admin/units/" + id(f.demo.District) + "/finance", nil, onlyAdmin},
		"POST /admin/units/{unit}/finance/rules":      {"POST", "/admin/units/" + id(f.demo.District) + "/finance/rules", nil, onlyAdmin},
		"POST /admin/units/{unit}/finance/categories": {"POST", "/admin/units/" + id(f.demo.District) + "/finance/categories", nil, onlyAdmin},
		// An unknown category: allowed through to a 404, the fixture's tree untouched.
		"POST /admin/units/{unit}/finance/categories/{category}/archive": {"POST", "/admin/units/" + id(f.demo.District) + "/finance/categories/999999/archive", nil, onlyAdmin},
	}
}
