package finance_test

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// A community that was archived keeps its books for reading, but takes no
// new ledger entry: the board refuses to publish there too.
func TestPostRefusesArchivedCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := org.NewService(db, mingbai.SystemClock).Archive(ctx, e.demo.Suojin4, 5); err != nil {
			t.Fatal(err)
		}
		_, err := e.post(finance.MakeDate(2025, 1, 3), "现金", "办公费", "10.00", "购买打印纸")
		wantCode(t, err, mingbai.ECONFLICT)
		// The supervisor's review writes too.
		p := finance.Period(202501)
		wantCode(t, e.fin.Return(ctx, e.super, e.demo.Suojin4, p, "请补充凭证"), mingbai.ECONFLICT)
		wantCode(t, e.fin.Approve(ctx, e.super, e.demo.Suojin4, p, "同意"), mingbai.ECONFLICT)
		// Someone who is not its cadre learns no more than before.
		_, err = e.fin.AddAccount(ctx, e.cadreB, e.demo.Suojin4, "新账户", finance.Cash)
		wantCode(t, err, mingbai.EFORBIDDEN)
		if _, err := e.fin.AccessTo(ctx, e.public, e.demo.Suojin4); err != nil {
			t.Fatalf("reading an archived community's books: %v", err)
		}
	})
}
