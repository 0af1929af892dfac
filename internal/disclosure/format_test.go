package disclosure_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestContentFormat1StillVerifies: a version published before content
// format 2 (its leaf hashes the content without "format" and
// "publisher_name") keeps verifying, /log/content serves it in that
// format, and its text is still checked; a version of format 2 has its
// publisher's name under the log.
func TestContentFormat1StillVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A := e.demo.Suojin4
		v := e.publish(t, e.cadreA, A, "yearly-plan", "2026年社区工作计划", "2026年", "开展夏季纳凉晚会。")
		if ps := e.fsckProblems(t); len(ps) != 0 {
			t.Fatalf("untampered: %q", ps)
		}
		content, err := e.log.Content(ctx, v.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(content, &c); err != nil {
			t.Fatal(err)
		}
		if c["format"] != float64(2) || c["publisher_name"] != e.cadreA.Name {
			t.Fatalf("a new version's content has format %v, publisher %v; want 2, %q", c["format"], c["publisher_name"], e.cadreA.Name)
		}

		// Version 2 as the code before format 2 published it: the same
		// content without the two keys, its leaf and its row.
		delete(c, "format")
		delete(c, "publisher_name")
		c["version"] = 2
		old, err := tlog.Canonical(c)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(old)
		var idx int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			idx, err = e.log.Append(ctx, tx, tlog.Envelope{Kind: disclosure.LeafKind, Community: A, Object: strconv.FormatInt(v.DisclosureID, 10),
				Version: 2, Time: v.PublishedAt, ContentSHA256: sum})
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO disclosure_versions (disclosure_id, community_id, version, action, item_id, title, period, body, valid_from, valid_to, reason, published_by, publisher_name, published_at, content_sha256, leaf_index)
				SELECT disclosure_id, community_id, 2, action, item_id, title, period, body, valid_from, valid_to, reason, published_by, publisher_name, published_at, ?, ? FROM disclosure_versions WHERE id = ?`,
				hex.EncodeToString(sum[:]), idx, v.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ps := e.fsckProblems(t); len(ps) != 0 {
			t.Fatalf("a format 1 version does not verify: %q", ps)
		}
		served, err := e.log.Content(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(served) != sum {
			t.Errorf("/log/content serves %s for the format 1 version, which does not hash to its leaf", served)
		}

		named := func(what string, version int, want bool) {
			t.Helper()
			ps := strings.Join(e.fsckProblems(t), "\n")
			tag := fmt.Sprintf("(disclosure %d version %d)", v.DisclosureID, version)
			if strings.Contains(ps, tag) != want {
				t.Errorf("%s: fsck names %s: %v, want %v; it says %q", what, tag, !want, want, ps)
			}
		}
		// Format 1 still checks the text; the name is outside its hash.
		tamper(t, db, "UPDATE disclosure_versions SET body = body || '篡' WHERE disclosure_id = ? AND version = 2", v.DisclosureID)
		named("format 1 body changed", 2, true)
		tamper(t, db, "UPDATE disclosure_versions SET body = ? WHERE disclosure_id = ? AND version = 2", v.Body, v.DisclosureID)
		tamper(t, db, "UPDATE disclosure_versions SET publisher_name = '篡改者' WHERE disclosure_id = ? AND version = 2", v.DisclosureID)
		named("format 1 publisher changed", 2, false)
		// Format 2: the name is under the log.
		tamper(t, db, "UPDATE disclosure_versions SET publisher_name = '篡改者' WHERE disclosure_id = ? AND version = 1", v.DisclosureID)
		named("format 2 publisher changed", 1, true)
	})
}

// TestItemContentFormat1StillVerifies: a catalog item version logged
// before content format 2 keeps verifying, and its fields are still
// checked; a new version's content holds its changer's name and (format
// 3) its timing.
func TestItemContentFormat1StillVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		it := e.item(t, e.demo.Suojin4, "evaluation") // yearly, due after the year
		var v1 int64
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT leaf_index FROM disclosure_item_versions WHERE item_id = ? AND version = 1", it.ID).Scan(&v1)
		}); err != nil {
			t.Fatal(err)
		}
		content, err := e.log.Content(ctx, v1)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(content, &c); err != nil {
			t.Fatal(err)
		}
		if c["format"] != float64(3) || c["changer_name"] == nil || c["timing"] != "after" {
			t.Fatalf("a new item version's content has format %v, changer %v, timing %v; want 3, a name and after", c["format"], c["changer_name"], c["timing"])
		}
		// Version 2 as the code before format 2 logged it.
		delete(c, "format")
		delete(c, "changer_name")
		delete(c, "timing")
		c["version"] = 2
		old, err := tlog.Canonical(c)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(old)
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var changed time.Time
			if err := tx.QueryRow(ctx, "SELECT changed_at FROM disclosure_item_versions WHERE item_id = ? AND version = 1", it.ID).Scan(&changed); err != nil {
				return err
			}
			idx, err := e.log.Append(ctx, tx, tlog.Envelope{Kind: disclosure.CatalogKind, Community: it.CommunityID, Object: strconv.FormatInt(it.ID, 10),
				Version: 2, Time: changed, ContentSHA256: sum})
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO disclosure_item_versions (item_id, district_id, community_id, version, action, section, code, name, elements, basis, cadence, event_days, publisher, department_id, channels, audience, mode, archived, changed_by, changer_name, changed_at, content_sha256, leaf_index)
				SELECT item_id, district_id, community_id, 2, action, section, code, name, elements, basis, cadence, event_days, publisher, department_id, channels, audience, mode, archived, changed_by, changer_name, changed_at, ?, ? FROM disclosure_item_versions WHERE item_id = ? AND version = 1`,
				hex.EncodeToString(sum[:]), idx, it.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ps := e.fsckProblems(t); len(ps) != 0 {
			t.Fatalf("a format 1 item version does not verify: %q", ps)
		}
		named := func(what string, version int, want bool) {
			t.Helper()
			ps := strings.Join(e.fsckProblems(t), "\n")
			tag := fmt.Sprintf("(%s %d version %d)", disclosure.CatalogKind, it.ID, version)
			if strings.Contains(ps, tag) != want {
				t.Errorf("%s: fsck names %s: %v, want %v; it says %q", what, tag, !want, want, ps)
			}
		}
		tamper(t, db, "UPDATE disclosure_items SET name = name || '篡' WHERE id = ?", it.ID)
		named("format 1 live name changed", 2, true)
		tamper(t, db, "UPDATE disclosure_items SET name = ? WHERE id = ?", it.Name, it.ID)
		if ps := e.fsckProblems(t); len(ps) != 0 {
			t.Fatalf("undone: %q", ps)
		}
		// (Item version rows are append-only by trigger; the changer's name
		// edited past it is TestTamperEveryPublicColumn's.)
	})
}
