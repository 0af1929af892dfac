package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestFsckNamesEditedCopies is issue 13 point 2 through `mingbai fsck`:
// the board's copy of a disclosure's title (what the list, <title>,
// feeds and search show) and a resident's question text, edited in SQL,
// are named by fsck.
func TestFsckNamesEditedCopies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		a, err := newApp(ctx, db, dir, "copies.test/log", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := seedDemo(ctx, a); err != nil || !ok {
			t.Fatalf("demo: %v %v", ok, err)
		}
		if _, err := a.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		a.close()
		if out, err := runCmd(t, db.URL, "", "fsck", "--data", dir); err != nil || !strings.Contains(out, "OK") {
			t.Fatalf("fsck of the demo: %v\n%s", err, out)
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
		var id int64
		var title string
		if err := db.QueryRow(ctx, `SELECT id, title FROM disclosures WHERE state = 'published' ORDER BY id LIMIT 1`).Scan(&id, &title); err != nil {
			t.Fatal(err)
		}
		edit(`UPDATE disclosures SET title = ? WHERE id = ?`, "收入 1,000,000 元", id)
		out, err := runCmd(t, db.URL, "", "fsck", "--data", dir)
		if err == nil || !strings.Contains(out, fmt.Sprintf("disclosures row %d:", id)) {
			t.Errorf("fsck of a board title edited in SQL: %v\n%s", err, out)
		}
		edit(`UPDATE disclosures SET title = ? WHERE id = ?`, title, id)

		var item int64
		if err := db.QueryRow(ctx, `SELECT id FROM qa_items WHERE hidden = FALSE ORDER BY id LIMIT 1`).Scan(&item); err != nil {
			t.Fatal(err)
		}
		edit(`UPDATE qa_items SET body = ? WHERE id = ?`, "居委会工作很好，没有意见。", item)
		out, err = runCmd(t, db.URL, "", "fsck", "--data", dir)
		if err == nil || !strings.Contains(out, fmt.Sprintf("(qa_question %d version 1)", item)) {
			t.Errorf("fsck of a question edited in SQL: %v\n%s", err, out)
		}
	})
}
