package finance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// TestBudgetLog: each budget amount the public sees is a fin_budget leaf,
// a new version when it changes and none when saved unchanged; earlier
// versions keep verifying; an amount changed in SQL, or a row added in
// SQL without a leaf, is named by fsck.
func TestBudgetLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		office, work := e.cats["办公费"], e.cats["工作经费"]
		leaves := func() int64 {
			t.Helper()
			var n int64
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM tlog_leaves WHERE kind = ?", finance.KindBudget).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		fsck := func() (string, tlog.FsckReport) {
			t.Helper()
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources(), Checks: e.fin.Checks()})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(rep.Problems, "\n"), *rep
		}
		if err := e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{office: 50000, work: 1000000}); err != nil {
			t.Fatal(err)
		}
		if n := leaves(); n != 2 {
			t.Fatalf("%d budget leaves after two amounts; want 2", n)
		}
		if err := e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{office: 60000, work: 1000000}); err != nil {
			t.Fatal(err)
		}
		if n := leaves(); n != 3 {
			t.Fatalf("%d budget leaves after one amount changed; want 3", n)
		}
		ps, rep := fsck()
		if ps != "" {
			t.Fatalf("fsck of untouched budgets: %s", ps)
		}
		if rep.Content.Unchecked != 0 || rep.Content.Missing != 0 {
			t.Fatalf("budget leaves not all checked: %+v", rep.Content)
		}

		var id int64
		if err := db.QueryRow(ctx, "SELECT id FROM fin_budgets WHERE community_id = ? AND year = 2025 AND category_id = ?", c, office).Scan(&id); err != nil {
			t.Fatal(err)
		}
		edit := func(query string, args ...any) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, query, args...)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		edit("UPDATE fin_budgets SET amount = 1 WHERE id = ?", id)
		if ps, _ := fsck(); !strings.Contains(ps, fmt.Sprintf("fin_budgets row %d:", id)) {
			t.Errorf("fsck after a budget amount was changed in SQL: %q", ps)
		}
		edit("UPDATE fin_budgets SET amount = 60000 WHERE id = ?", id)
		// An old version's kept content changed: its leaf no longer matches.
		edit("UPDATE fin_budget_versions SET amount = 1 WHERE budget_id = ? AND version = 1", id)
		if ps, _ := fsck(); !strings.Contains(ps, fmt.Sprintf("(%s %d version 1)", finance.KindBudget, id)) {
			t.Errorf("fsck after version 1 of a budget was changed in SQL: %q", ps)
		}
		edit("UPDATE fin_budget_versions SET amount = 50000 WHERE budget_id = ? AND version = 1", id)
		if ps, _ := fsck(); ps != "" {
			t.Fatalf("fsck after undoing: %s", ps)
		}

		var extra int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			extra, err = tx.InsertID(ctx, `INSERT INTO fin_budgets (community_id, year, category_id, amount, set_by, set_at)
				SELECT community_id, 2026, category_id, amount, set_by, set_at FROM fin_budgets WHERE id = ? RETURNING id`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ps, want := fsck(); !strings.Contains(ps, fmt.Sprintf("fin_budgets row %d: shown on the budget page but no", extra)) {
			t.Errorf("fsck after a budget row was added in SQL: %q (%+v)", ps, want.Content)
		}
	})
}
