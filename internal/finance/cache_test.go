package finance_test

import (
	"context"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestPublishedStatementCached proves that a published statement is read
// from memory after its first read: the stored JSON is overwritten behind
// the service's back and the view stays the published one, while a
// statement still under review is read from the database every time.
func TestPublishedStatementCached(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		jan, feb := finance.Period(202501), finance.Period(202502)
		e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "200", "一月经费")
		e.mustPost(finance.MakeDate(2025, 2, 3), "银行存款", "工作经费", "300", "二月经费")
		for _, p := range []finance.Period{jan, feb} {
			if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, p, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.fin.Approve(ctx, e.super, e.demo.Suojin4, jan, ""); err != nil {
			t.Fatal(err)
		}
		first, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, jan)
		if err != nil || first.Statement.Income != 20000 || first.IncomeDaxie == "" || len(first.Notes) != 2 {
			t.Fatalf("first read %+v %v", first, err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE fin_periods SET statement = ? WHERE community_id = ?", `{"income": 1}`, e.demo.Suojin4)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		again, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, jan)
		if err != nil || again.Statement.Income != 20000 || again.IncomeDaxie != first.IncomeDaxie || len(again.Statement.Entries) != 1 {
			t.Fatalf("cached read %+v %v", again, err)
		}
		// February waits for review: never cached, so the overwrite shows.
		v, err := e.fin.StatementOf(ctx, e.super, e.demo.Suojin4, feb)
		if err != nil || v.Statement.Income != 1 {
			t.Fatalf("unpublished read %+v %v", v.Statement, err)
		}
		// The public still cannot read an unpublished month, cached or not.
		if _, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, feb); err == nil {
			t.Fatal("public read an unpublished statement")
		}
	})
}
