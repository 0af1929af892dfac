package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestGenCommand: gen fills a fresh database, fsck finds the log intact,
// and a second gen into the same database is refused.
func TestGenCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("gen, fsck and tampering through the binary: not in -short (internal/gen tests the generator)")
	}
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		out, err := runCmd(t, db.URL, "", "gen", "--communities", "2", "--months", "3", "--seed", "5", "--data", dir)
		if err != nil {
			t.Fatalf("gen: %v\n%s", err, out)
		}
		for _, want := range []string{"2 communities", "benchmark target:", "ganbu", "password mingbai-demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("gen printed no %q:\n%s", want, out)
			}
		}
		if out, err := runCmd(t, db.URL, "", "fsck", "--data", dir); err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, " 0 without a checker") {
			t.Fatalf("fsck: %v\n%s", err, out)
		}
		// A published text edited in the database behind the log's back
		// is named by fsck.
		var id, disclosureID, leaf int64
		if err := db.QueryRow(context.Background(), `SELECT id, disclosure_id, leaf_index FROM disclosure_versions ORDER BY leaf_index DESC LIMIT 1`).Scan(&id, &disclosureID, &leaf); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE disclosure_versions SET title = title || '（已改）' WHERE id = ?`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		out, err = runCmd(t, db.URL, "", "fsck", "--data", dir)
		if err == nil || !strings.Contains(out, "FAILED") || !strings.Contains(out, fmt.Sprintf("leaf %d (disclosure %d", leaf, disclosureID)) {
			t.Fatalf("fsck of an edited disclosure (leaf %d): %v\n%s", leaf, err, out)
		}
		t.Logf("fsck of an edited row:\n%s", out)
		// So is a catalog item's cadence changed behind the log's back:
		// compliance is judged against it.
		var item, version int64
		if err := db.QueryRow(context.Background(), `SELECT id, version FROM disclosure_items WHERE code = 'income-expense'`).Scan(&item, &version); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE disclosure_items SET cadence = 'yearly' WHERE id = ?`, item)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		out, err = runCmd(t, db.URL, "", "fsck", "--data", dir)
		if err == nil || !strings.Contains(out, fmt.Sprintf("(catalog_item %d version %d): the content no longer matches its leaf", item, version)) {
			t.Fatalf("fsck of an edited catalog item: %v\n%s", err, out)
		}
		if out, err := runCmd(t, db.URL, "", "gen", "--communities", "1", "--data", dir); err == nil {
			t.Fatalf("a second gen into the same database was not refused:\n%s", out)
		}
	})
}
