package store_test

import (
	"context"
	"errors"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestQueryAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scanInt := func(sc store.Scanner) (int, error) {
			var n int
			err := sc.Scan(&n)
			return n, err
		}
		err := db.Read(ctx, func(tx *store.Tx) error {
			got, err := store.QueryAll(ctx, tx, scanInt, "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT ?", 3)
			if err != nil || len(got) != 3 || got[0]+got[1]+got[2] != 6 {
				t.Errorf("rows %v, %v", got, err)
			}
			none, err := store.QueryAll(ctx, tx, scanInt, "SELECT 1 WHERE 1 = 0")
			if err != nil || len(none) != 0 {
				t.Errorf("no rows: %v, %v", none, err)
			}
			stop := errors.New("stop")
			if _, err := store.QueryAll(ctx, tx, func(store.Scanner) (int, error) { return 0, stop }, "SELECT 1"); !errors.Is(err, stop) {
				t.Errorf("scan error: %v", err)
			}
			if _, err := store.QueryAll(ctx, tx, scanInt, "SELECT no_such_column FROM no_such_table"); err == nil {
				t.Error("bad query: no error")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestRowHelpers pins the small helpers features use around one row and
// one column list.
func TestRowHelpers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		notFound := errors.New("找不到")
		err := db.Read(ctx, func(tx *store.Tx) error {
			ids, err := store.QueryAll(ctx, tx, store.ScanInt64, "SELECT "+store.Placeholders(1)+" UNION ALL SELECT 7", int64(5))
			if err != nil || len(ids) != 2 || ids[0]+ids[1] != 12 {
				t.Errorf("ids %v, %v", ids, err)
			}
			var n int
			if err := store.RowErr(tx.QueryRow(ctx, "SELECT 1 WHERE 1 = 0").Scan(&n), notFound, "count"); err != notFound {
				t.Errorf("no row: %v, want the not-found error", err)
			}
			if err := store.RowErr(tx.QueryRow(ctx, "SELECT 2").Scan(&n), notFound, "count"); err != nil || n != 2 {
				t.Errorf("a row: %d, %v", n, err)
			}
			err = store.RowErr(tx.QueryRow(ctx, "SELECT nope FROM no_such_table").Scan(&n), notFound, "count")
			if err == nil || err == notFound || err.Error()[:6] != "count:" {
				t.Errorf("a failed query: %v, want it wrapped with its context", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	for n, want := range map[int]string{0: "", 1: "?", 3: "?, ?, ?"} {
		if got := store.Placeholders(n); got != want {
			t.Errorf("Placeholders(%d) = %q, want %q", n, got, want)
		}
	}
}
