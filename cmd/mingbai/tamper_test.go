package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	pngenc "image/png"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestTamperEveryPublicColumn is the log's promise, schema-wide: for
// every column a public surface shows (publicColumns, the one list), on
// the demo district, change one row's value in SQL and require that fsck
// names that row. The untampered demo must have no problem, and every
// listed column must have a row to change, or the test would prove
// nothing. Columns a feature lists as not yet covered are reported, not
// skipped silently.
func TestTamperEveryPublicColumn(t *testing.T) {
	if testing.Short() {
		t.Skip("fsck once per public column of the demo: not in -short (scripts/test runs it)")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := newApp(ctx, db, t.TempDir(), "tamper.test/log", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		if ok, err := seedDemo(ctx, a); err != nil || !ok {
			t.Fatalf("demo: %v %v", ok, err)
		}
		seedFiles(t, a)
		fsck := func() []string {
			t.Helper()
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: a.log.Sources(), Checks: a.checks()})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Content.Checked == 0 {
				t.Fatal("fsck checked no content")
			}
			return rep.Problems
		}
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("the untampered demo has problems: %q", ps)
		}
		var uncovered []string
		for _, c := range publicColumns() {
			if c.Uncovered != "" {
				uncovered = append(uncovered, c.Table+"."+c.Column+": "+c.Uncovered)
				continue
			}
			name := c.Table + "." + c.Column
			if c.Where != "" {
				name += " where " + c.Where
			}
			t.Run(name, func(t *testing.T) {
				where := ""
				if c.Where != "" {
					where = " WHERE " + c.Where
				}
				var id int64
				var rowName string
				var old any
				err := db.Read(ctx, func(tx *store.Tx) error {
					return tx.QueryRow(ctx, fmt.Sprintf("SELECT id, %s, %s FROM %s%s ORDER BY id LIMIT 1", c.Name, c.Column, c.Table, where)).Scan(&id, &rowName, &old)
				})
				if err != nil {
					t.Fatalf("no row of the demo shows %s, so changing it proves nothing: %v", name, err)
				}
				set, args := "?", []any{changed(t, old)}
				if c.Tamper != "" {
					set, args = c.Tamper, nil
				}
				tamperSQL(t, db, fmt.Sprintf("UPDATE %s SET %s = %s WHERE id = ?", c.Table, c.Column, set), append(args, id)...)
				ps := fsck()
				tamperSQL(t, db, fmt.Sprintf("UPDATE %s SET %s = ? WHERE id = ?", c.Table, c.Column), old, id)
				if !strings.Contains(strings.Join(ps, "\n"), rowName) {
					t.Errorf("changed %s of %s row %d (%v): fsck does not name %q; it says %q", c.Column, c.Table, id, old, rowName, ps)
				}
			})
		}
		if ps := fsck(); len(ps) != 0 {
			t.Errorf("problems after every change was undone: %q", ps)
		}
		t.Logf("public columns not yet under the log (%d):\n%s", len(uncovered), strings.Join(uncovered, "\n"))
	})
}

// changed returns a different value of the same type.
func changed(t *testing.T, v any) any {
	switch x := v.(type) {
	case string:
		return x + "篡"
	case []byte:
		return string(x) + "篡"
	case int64:
		return x + 1
	case bool:
		return !x
	case time.Time:
		return x.Add(time.Hour)
	}
	t.Fatalf("no change for a %T", v)
	return nil
}

// tamperSQL runs an UPDATE as a database administrator could: with the
// guard triggers that refuse changes to published rows out of the way
// (they stop mistakes; the log is what stops an administrator).
func tamperSQL(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	table := strings.Fields(query)[1]
	err := db.Write(ctx, func(tx *store.Tx) error {
		if db.Dialect == store.Postgres {
			if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, query, args...)
			return err
		}
		rows, err := tx.Query(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", table)
		if err != nil {
			return err
		}
		var names, defs []string
		for rows.Next() {
			var n, d string
			if err := rows.Scan(&n, &d); err != nil {
				rows.Close()
				return err
			}
			names, defs = append(names, n), append(defs, d)
		}
		rows.Close()
		for _, n := range names {
			if _, err := tx.Exec(ctx, `DROP TRIGGER "`+n+`"`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, query, args...); err != nil {
			return err
		}
		for _, d := range defs {
			if _, err := tx.Exec(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// seedFiles adds what the demo lacks and the list needs: a published
// disclosure with an attachment, a redacted receipt on an entry of the
// month the demo leaves open, which is then closed and published, and a
// merged question.
func seedFiles(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	actor := func(login string) *mingbai.Actor {
		u, err := a.auth.UserByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		act, err := a.auth.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return act
	}
	cadre, supervisor := actor("ganbu"), actor("jiandu")
	var community, district int64
	if err := a.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT id, district_id FROM org_units WHERE slug = 'suojin-4'").Scan(&community, &district)
	}); err != nil {
		t.Fatal(err)
	}
	var png bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}

	items, err := a.disclosure.PublishableItems(ctx, cadre, community)
	if err != nil || len(items) == 0 {
		t.Fatalf("items the cadre may publish: %v", err)
	}
	d, err := a.disclosure.CreateDraft(ctx, cadre, community, disclosure.DraftInput{ItemID: items[0].ID, Title: "带附件的公开事项", Body: "见附件。"})
	if err != nil {
		t.Fatal(err)
	}
	att, err := a.disclosure.Files().Put(bytes.NewReader(png.Bytes()), "附件.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.disclosure.AttachToDraft(ctx, cadre, community, d.ID, att); err != nil {
		t.Fatal(err)
	}
	if _, err := a.disclosure.Publish(ctx, cadre, community, d.ID); err != nil {
		t.Fatal(err)
	}

	books, err := a.fin.BooksOf(ctx, community)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := a.fin.Categories(ctx, district)
	if err != nil {
		t.Fatal(err)
	}
	var expense int64
	for _, c := range cats {
		if c.Name == "办公费" {
			expense = c.ID
			break
		}
	}
	p := finance.PeriodOf(finance.DateOf(time.Now())).Prev()
	e, err := a.fin.Post(ctx, cadre, community, finance.NewEntry{AccountID: books.Accounts[0].ID, Date: finance.MakeDate(p.Year(), time.Month(p.Month()), 15),
		CategoryID: expense, Amount: 1200, Summary: "购买信封", Counterparty: "苏果超市"})
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := a.fin.Attach(ctx, cadre, community, e.ID, "收据.png", bytes.NewReader(png.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.fin.RedactAttachment(ctx, cadre, community, receipt.ID, []finance.Rect{{X: 2, Y: 2, W: 10, H: 5}}, "遮盖经手人电话"); err != nil {
		t.Fatal(err)
	}
	if err := a.fin.Close(ctx, cadre, community, p, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.fin.Approve(ctx, supervisor, community, p, "同意公开"); err != nil {
		t.Fatal(err)
	}

	// A duplicate question merged into another open one, which the demo
	// has none of.
	var open []int64
	if err := a.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM qa_items WHERE community_id = ? AND status IN ('received', 'studying') AND hidden = FALSE ORDER BY id LIMIT 2", community)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			open = append(open, id)
		}
		return rows.Err()
	}); err != nil || len(open) < 2 {
		t.Fatalf("two open questions to merge: %v %v", open, err)
	}
	if err := a.qa.Merge(ctx, cadre, community, open[1], open[0]); err != nil {
		t.Fatal(err)
	}
}
