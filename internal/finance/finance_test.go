package finance_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// env is a finance service on a real database with the demo district, a
// log without background integrator, and one actor per role.
type env struct {
	t       *testing.T
	db      *store.DB
	fin     *finance.Service
	log     *tlog.Log
	demo    *org.DemoOrg
	clock   *testClock
	cadre   *mingbai.Actor // of 锁金四村 (A)
	cadreB  *mingbai.Actor // of 锁金一村 (B)
	super   *mingbai.Actor // supervisor of A
	officer *mingbai.Actor // of A's street
	admin   *mingbai.Actor
	public  *mingbai.Actor
	cats    map[string]int64 // category id by name
	acct    map[string]int64 // A's account id by name
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// at is a Shanghai time.
func at(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, mingbai.Shanghai)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, clock: &testClock{t: at(2025, 3, 15, 10)}}
	orgs := org.NewService(db, mingbai.SystemClock)
	demo, err := org.SeedDemo(ctx, orgs, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.demo = demo
	dir := t.TempDir()
	l, err := tlog.OpenWith(ctx, db, dir, "test.mingbai/log", e.clock.now, tlog.Options{NoIntegrator: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e.log = l
	e.fin = finance.NewService(db, orgs, l, dir, e.clock.now)
	l.UseSources(e.fin.ContentSources())
	grant := func(id int64, name string, r mingbai.Role, unit int64) *mingbai.Actor {
		return &mingbai.Actor{UserID: id, Name: name, Grants: []mingbai.Grant{{Role: r, UnitID: unit, Street: demo.Suojincun, District: demo.District}}}
	}
	e.cadre = grant(1, "王秀英", mingbai.RoleCadre, demo.Suojin4)
	e.cadreB = grant(2, "吴海", mingbai.RoleCadre, demo.Suojin1)
	e.super = grant(3, "孙会计", mingbai.RoleSupervisor, demo.Suojin4)
	e.officer = grant(4, "周立群", mingbai.RoleStreetOfficer, demo.Suojincun)
	e.admin = grant(5, "陈明", mingbai.RoleDistrictAdmin, demo.District)
	e.public = &mingbai.Actor{}
	if err := e.fin.OpenBooks(ctx, e.cadre, demo.Suojin4, 202501, []finance.NewAccount{
		{Name: "现金", Kind: finance.Cash, Opening: 50000},
		{Name: "银行存款", Kind: finance.Bank, Opening: 1000000},
		{Name: "救灾救济", Kind: finance.Earmarked},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.fin.OpenBooks(ctx, e.cadreB, demo.Suojin1, 202501, nil); err != nil {
		t.Fatal(err)
	}
	cats, err := e.fin.Categories(ctx, demo.District)
	if err != nil {
		t.Fatal(err)
	}
	e.cats = map[string]int64{}
	for _, c := range cats {
		e.cats[c.Name] = c.ID
	}
	b, err := e.fin.BooksOf(ctx, demo.Suojin4)
	if err != nil {
		t.Fatal(err)
	}
	e.acct = map[string]int64{}
	for _, a := range b.Accounts {
		e.acct[a.Name] = a.ID
	}
	return e
}

func (e *env) post(date finance.Date, account, category string, yuan string, summary string) (*finance.Entry, error) {
	e.t.Helper()
	amt, err := zh.ParseYuan(yuan)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.fin.Post(context.Background(), e.cadre, e.demo.Suojin4, finance.NewEntry{
		AccountID: e.acct[account], Date: date, CategoryID: e.cats[category], Amount: amt, Summary: summary,
	})
}

func (e *env) mustPost(date finance.Date, account, category, yuan, summary string) *finance.Entry {
	e.t.Helper()
	en, err := e.post(date, account, category, yuan, summary)
	if err != nil {
		e.t.Fatalf("post %s %s: %v", summary, yuan, err)
	}
	return en
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if mingbai.ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, mingbai.ErrorCode(err), code)
	}
	var me *mingbai.Error
	if errors.As(err, &me) && me.Message == "" {
		t.Fatalf("error %v has no message", err)
	}
}

func TestPostAndVoucherNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "20,000.00", "街道拨付一季度工作经费")
		b := e.mustPost(finance.MakeDate(2025, 1, 5), "现金", "办公费", "120.50", "购买打印纸")
		if a.Voucher() != "2025-0001" || b.Voucher() != "2025-0002" {
			t.Fatalf("vouchers %s %s", a.Voucher(), b.Voucher())
		}
		if a.Direction != finance.Income || b.Direction != finance.Expense || b.Amount != 12050 {
			t.Fatalf("entry b: %+v", b)
		}
		if b.EnteredName != "王秀英" || b.EnteredBy != 1 {
			t.Fatalf("entered by %q %d", b.EnteredName, b.EnteredBy)
		}
		// Another community numbers on its own.
		cb, err := e.fin.Categories(context.Background(), e.demo.District)
		if err != nil {
			t.Fatal(err)
		}
		_ = cb
		bb, _ := e.fin.BooksOf(context.Background(), e.demo.Suojin1)
		eb, err := e.fin.Post(context.Background(), e.cadreB, e.demo.Suojin1, finance.NewEntry{AccountID: bb.Accounts[0].ID, Date: finance.MakeDate(2025, 1, 9), CategoryID: e.cats["工作经费"], Amount: 100, Summary: "拨款"})
		if err != nil {
			t.Fatal(err)
		}
		if eb.Voucher() != "2025-0001" {
			t.Fatalf("B's first voucher %s", eb.Voucher())
		}
	})
}

func TestPostRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// No account goes below zero: cash has 500元.
		_, err := e.post(finance.MakeDate(2025, 1, 5), "现金", "办公费", "500.01", "太多")
		wantCode(t, err, mingbai.EINVALID)
		e.mustPost(finance.MakeDate(2025, 1, 5), "现金", "办公费", "500.00", "刚好用完")
		// A back-dated expense may not push a later day below zero either.
		e.mustPost(finance.MakeDate(2025, 1, 10), "现金", "其他收入", "100", "退款")
		e.mustPost(finance.MakeDate(2025, 1, 20), "现金", "办公费", "100", "用完")
		_, err = e.post(finance.MakeDate(2025, 1, 15), "现金", "办公费", "1", "插在中间")
		wantCode(t, err, mingbai.EINVALID)
		// Dates: not before the books, not in the future.
		_, err = e.post(finance.MakeDate(2024, 12, 31), "银行存款", "办公费", "1", "早")
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.post(finance.MakeDate(2025, 3, 16), "银行存款", "办公费", "1", "明天")
		wantCode(t, err, mingbai.EINVALID)
		// A parent category takes no entries; an unknown one neither.
		_, err = e.post(finance.MakeDate(2025, 1, 5), "银行存款", "补贴", "1", "父科目")
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{AccountID: e.acct["银行存款"], Date: finance.MakeDate(2025, 1, 5), CategoryID: 99999, Amount: 1, Summary: "x"})
		wantCode(t, err, mingbai.EINVALID)
		// Amounts are positive; the summary is required.
		_, err = e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{AccountID: e.acct["银行存款"], Date: finance.MakeDate(2025, 1, 5), CategoryID: e.cats["办公费"], Amount: -5, Summary: "x"})
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{AccountID: e.acct["银行存款"], Date: finance.MakeDate(2025, 1, 5), CategoryID: e.cats["办公费"], Amount: 5, Summary: "  "})
		wantCode(t, err, mingbai.EINVALID)
		// Only A's cadre posts in A: not B's cadre, not the supervisor, not the street.
		for _, who := range []*mingbai.Actor{e.cadreB, e.super, e.officer, e.admin, e.public} {
			_, err := e.fin.Post(ctx, who, e.demo.Suojin4, finance.NewEntry{AccountID: e.acct["银行存款"], Date: finance.MakeDate(2025, 1, 5), CategoryID: e.cats["办公费"], Amount: 5, Summary: "x"})
			wantCode(t, err, mingbai.EFORBIDDEN)
		}
		// An account of B is not an account of A.
		bb, _ := e.fin.BooksOf(ctx, e.demo.Suojin1)
		_, err = e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{AccountID: bb.Accounts[0].ID, Date: finance.MakeDate(2025, 1, 5), CategoryID: e.cats["工作经费"], Amount: 5, Summary: "x"})
		wantCode(t, err, mingbai.EINVALID)
	})
}

func TestLargeExpenseFlag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		at2000 := e.mustPost(finance.MakeDate(2025, 1, 5), "银行存款", "活动经费", "2,000.00", "刚好到标准")
		over := e.mustPost(finance.MakeDate(2025, 1, 6), "银行存款", "活动经费", "2,000.01", "超过标准")
		withReason, err := e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{AccountID: e.acct["银行存款"], Date: finance.MakeDate(2025, 1, 7),
			CategoryID: e.cats["维修费"], Amount: 350000, Summary: "抢修水管", Reason: "漏水紧急抢修，事后报居民会议"})
		if err != nil {
			t.Fatal(err)
		}
		if at2000.Flagged || !over.Flagged || withReason.Flagged {
			t.Fatalf("flags: at threshold %v, over %v, with reason %v", at2000.Flagged, over.Flagged, withReason.Flagged)
		}
		// The district raises its threshold: the same entry is no longer flagged.
		if err := e.fin.SetRules(ctx, e.admin, e.demo.District, finance.Rules{ExpenseThreshold: 500000, CloseDueDay: 10}); err != nil {
			t.Fatal(err)
		}
		again, err := e.fin.Entry(ctx, e.cadre, e.demo.Suojin4, over.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Flagged {
			t.Fatal("still flagged under the raised threshold")
		}
		wantCode(t, e.fin.SetRules(ctx, e.cadre, e.demo.District, finance.DefaultRules), mingbai.EFORBIDDEN)
		wantCode(t, e.fin.SetRules(ctx, e.admin, e.demo.District, finance.Rules{ExpenseThreshold: 0, CloseDueDay: 10}), mingbai.EINVALID)
	})
}

func TestReverse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		orig := e.mustPost(finance.MakeDate(2025, 3, 2), "银行存款", "办公费", "300", "购买文具（金额记错）")
		rev, err := e.fin.Reverse(ctx, e.cadre, e.demo.Suojin4, orig.ID, "金额应为 30 元")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Amount != -30000 || rev.ReversesID != orig.ID || rev.Date != finance.MakeDate(2025, 3, 15) || rev.Voucher() != "2025-0002" {
			t.Fatalf("reversal %+v", rev)
		}
		again, _ := e.fin.Entry(ctx, e.cadre, e.demo.Suojin4, orig.ID)
		if again.ReversedByID != rev.ID || again.Amount != 30000 {
			t.Fatalf("original after reversal %+v", again)
		}
		_, err = e.fin.Reverse(ctx, e.cadre, e.demo.Suojin4, orig.ID, "再冲一次")
		wantCode(t, err, mingbai.ECONFLICT)
		_, err = e.fin.Reverse(ctx, e.cadre, e.demo.Suojin4, rev.ID, "冲销冲销")
		wantCode(t, err, mingbai.ECONFLICT)
		_, err = e.fin.Reverse(ctx, e.cadreB, e.demo.Suojin4, orig.ID, "别人的")
		wantCode(t, err, mingbai.EFORBIDDEN)
		// B's cadre cannot find A's entry through B either.
		_, err = e.fin.Reverse(ctx, e.cadreB, e.demo.Suojin1, orig.ID, "跨社区")
		wantCode(t, err, mingbai.ENOTFOUND)
		bal, err := e.fin.Balances(ctx, e.cadre, e.demo.Suojin4)
		if err != nil {
			t.Fatal(err)
		}
		if bal[1].Balance != 1000000 {
			t.Fatalf("bank after reversal %s", bal[1].Balance)
		}
	})
}

// TestVoucherNumbersConcurrent posts from many goroutines, some of whose
// posts fail (overdrawn) and roll back, and checks the numbers of each year
// are exactly 1..n.
func TestVoucherNumbersConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		const workers, each = 8, 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, failed := 0, 0
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					amount := zh.Fen(100 + w)
					if i%4 == 3 {
						amount = 1 << 40 // overdraws: must fail and give its number back
					}
					_, err := e.fin.Post(ctx, e.cadre, e.demo.Suojin4, finance.NewEntry{
						AccountID: e.acct["现金"], Date: finance.MakeDate(2025, time.Month(1+i%3), 1+w), CategoryID: e.cats["办公费"], Amount: amount, Summary: "并发",
					})
					mu.Lock()
					if err != nil {
						if mingbai.ErrorCode(err) != mingbai.EINVALID {
							t.Errorf("post: %v", err)
						}
						failed++
					} else {
						ok++
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		entries, err := e.fin.Entries(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != ok || failed != workers*each/4 {
			t.Fatalf("%d entries, %d ok, %d failed", len(entries), ok, failed)
		}
		seen := map[int]bool{}
		for _, en := range entries {
			if seen[en.VoucherNo] {
				t.Fatalf("voucher %d twice", en.VoucherNo)
			}
			seen[en.VoucherNo] = true
		}
		for n := 1; n <= ok; n++ {
			if !seen[n] {
				t.Fatalf("voucher %d missing: numbers have a gap", n)
			}
		}
	})
}

// TestPostRefusesUnshowableText is the regression test for a finding of
// the text fuzzer (now zh's FuzzTextClean): a NUL or a byte that is not UTF-8 in a summary reached
// the database, where PostgreSQL refused it and the cadre got an internal
// error; a bidirectional override was stored and published.
func TestPostRefusesUnshowableText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, s := range []string{"电\x00费", "电费\xff", "金额\u202e00.001"} {
			_, err := e.post(finance.MakeDate(2025, 1, 5), "银行存款", "办公费", "1", s)
			wantCode(t, err, mingbai.EINVALID)
		}
		e.mustPost(finance.MakeDate(2025, 1, 5), "银行存款", "办公费", "1", "电费\t（一月）")
	})
}
