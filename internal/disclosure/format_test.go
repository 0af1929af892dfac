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
