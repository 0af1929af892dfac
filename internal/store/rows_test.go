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
