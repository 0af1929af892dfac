package disclosure_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// tamper changes the database behind the service's back.
func tamper(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), query, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fsckProblems runs fsck with the board's content sources.
func (e *env) fsckProblems(t *testing.T) []string {
	t.Helper()
	rep, err := tlog.Fsck(context.Background(), e.db, tlog.FsckOptions{Sources: e.log.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Problems
}

func wantProblem(t *testing.T, problems []string, what string, want ...string) {
	t.Helper()
	all := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("%s: fsck does not say %q; it says:\n%s", what, w, all)
		}
	}
}

// TestRedactionLeaf checks that a redaction is a leaf of its own that only
// masks, that a second redaction masks more and names the first, and that
// fsck names every way the redacted version or its record can be changed
// afterwards in SQL.
func TestRedactionLeaf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A := e.demo.Suojin4
		body := "| 户主 | 物资 |\n|---|---|\n| 王秀英 | 大米 |\n住址：12幢301室，电话 025-84561234"
		v := e.publish(t, e.cadreA, A, "relief", "救灾物资发放（王秀英）", "2026年第三季度", body)

		// Nothing to mask, or a passage not in the text: refused.
		if err := e.svc.Redact(ctx, e.cadreA, A, v.DisclosureID, 1, disclosure.RedactInput{What: "手机号", Why: "误登个人信息"}); code(err) != mingbai.EINVALID {
			t.Errorf("empty redaction: %v", err)
		}
		if err := e.svc.Redact(ctx, e.cadreA, A, v.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"收入 1,000,000 元"}, What: "手机号", Why: "误登个人信息"}); code(err) != mingbai.EINVALID {
			t.Errorf("masking text that is not there: %v", err)
		}
		if err := e.svc.Redact(ctx, e.cadreA, A, v.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"12幢301室"}, What: "门牌号", Why: "误登个人信息"}); err != nil {
			t.Fatal(err)
		}
		_, vs, err := e.svc.Disclosure(ctx, A, v.DisclosureID)
		if err != nil {
			t.Fatal(err)
		}
		r1 := vs[0]
		if want := strings.Replace(strings.Replace(body, "12幢301室", "■■■■■■■", 1), "025-84561234", "025-****1234", 1); r1.Body != want || r1.Title != v.Title || r1.RedactionLeaf == nil {
			t.Fatalf("redacted version: %q leaf %v", r1.Body, r1.RedactionLeaf)
		}
		// The redaction leaf's record says what was masked, by whom and why,
		// and the content served for the version is withheld as redacted.
		rec, err := e.log.Content(ctx, *r1.RedactionLeaf)
		if err != nil {
			t.Fatal(err)
		}
		r, err := tlog.ParseRedactionRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Redacts != v.LeafIndex || r.OriginalSHA256 != v.ContentSHA256 || r.RedactedBy != e.cadreA.UserID || r.Why != "误登个人信息" ||
			len(r.Fields["body"].Spans) != 1 || r.Fields["body"].Spans[0].End-r.Fields["body"].Spans[0].Start != 7 || len(r.Fields["title"].Spans) != 0 {
			t.Errorf("redaction record: %s", rec)
		}
		if _, err := e.log.Content(ctx, v.LeafIndex); !errors.Is(err, tlog.ErrRedacted) {
			t.Errorf("content of the redacted version: %v", err)
		}
		// A second redaction masks the name in title and body too and keeps
		// the first span.
		if err := e.svc.Redact(ctx, e.adminD, A, v.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"王秀英"}, What: "户主姓名", Why: "依个人信息保护法删除"}); err != nil {
			t.Fatal(err)
		}
		_, vs, _ = e.svc.Disclosure(ctx, A, v.DisclosureID)
		r2 := vs[0]
		if r2.Title != "救灾物资发放（■■■）" || strings.Contains(r2.Body, "王秀英") || strings.Contains(r2.Body, "12幢") || !strings.Contains(r2.Body, "大米") || *r2.RedactionLeaf == *r1.RedactionLeaf {
			t.Errorf("second redaction: %q %q", r2.Title, r2.Body)
		}
		if ps := e.fsckProblems(t); len(ps) != 0 {
			t.Fatalf("fsck after two redactions: %q", ps)
		}
		// Masking what is already masked changes nothing and is refused.
		if err := e.svc.Redact(ctx, e.adminD, A, v.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"■■■"}, What: "姓名", Why: "依个人信息保护法删除"}); code(err) != mingbai.EINVALID {
			t.Errorf("masking the mask again: %v", err)
		}
		leaf := fmt.Sprintf("leaf %d (disclosure %d version 1)", v.LeafIndex, v.DisclosureID)

		// Each change in SQL is named, and undone before the next.
		for _, c := range []struct {
			name    string
			do      string
			undo    string
			args    []any
			problem string
		}{
			{"text inserted outside the spans", `UPDATE disclosure_versions SET body = REPLACE(body, '大米', '大米 收入 1,000,000 元') WHERE id = ?`, `UPDATE disclosure_versions SET body = ? WHERE id = ?`, []any{r2.Body, r2.ID}, "it was changed after the redaction"},
			{"a masked character unmasked", `UPDATE disclosure_versions SET title = '救灾物资发放（王■■）' WHERE id = ?`, `UPDATE disclosure_versions SET title = ? WHERE id = ?`, []any{r2.Title, r2.ID}, "not the mask"},
			{"the redaction undone", `UPDATE disclosure_versions SET title = '救灾物资发放（王秀英）', body = '` + body + `', redacted_at = NULL, redaction_leaf = NULL WHERE id = ?`,
				`UPDATE disclosure_versions SET title = ?, body = ?, redacted_at = ?, redaction_leaf = ? WHERE id = ?`, []any{r2.Title, r2.Body, *r2.RedactedAt, *r2.RedactionLeaf, r2.ID}, "shown unredacted"},
			{"the reason rewritten", `UPDATE disclosure_versions SET redaction_why = '干部要求' WHERE id = ?`, `UPDATE disclosure_versions SET redaction_why = ? WHERE id = ?`, []any{r2.RedactionWhy, r2.ID}, "differ from redaction leaf"},
			{"the older redaction named", `UPDATE disclosure_versions SET redaction_leaf = ? WHERE id = ?`, `UPDATE disclosure_versions SET redaction_leaf = ? WHERE id = ?`, []any{*r2.RedactionLeaf, r2.ID}, "the newest redaction leaf"},
			{"the record rewritten", `UPDATE disclosure_redactions SET why = '干部要求' WHERE leaf_index = ?`, `UPDATE disclosure_redactions SET why = ? WHERE leaf_index = ?`, []any{r2.RedactionWhy, *r2.RedactionLeaf}, "no longer matches its leaf"},
		} {
			args := []any{r2.ID}
			switch c.name {
			case "the older redaction named":
				args = []any{*r1.RedactionLeaf, r2.ID}
			case "the record rewritten":
				args = []any{*r2.RedactionLeaf}
			}
			tamper(t, db, c.do, args...)
			ps := e.fsckProblems(t)
			if c.name == "the record rewritten" {
				wantProblem(t, ps, c.name, fmt.Sprintf("(%s %d version 2)", disclosure.RedactionKind, v.DisclosureID), c.problem)
			} else {
				wantProblem(t, ps, c.name, leaf, c.problem)
			}
			tamper(t, db, c.undo, c.args...)
			if ps := e.fsckProblems(t); len(ps) != 0 {
				t.Fatalf("after undoing %s: %q", c.name, ps)
			}
		}

		// A redaction made in SQL alone (new text, redacted_at, no leaf), and
		// an attachment taken down in SQL without a redaction.
		v2 := e.publish(t, e.cadreA, A, "relief", "第二批物资", "2026年第三季度", body)
		tamper(t, db, `UPDATE disclosure_versions SET body = '收入 1,000,000 元', redacted_at = ? WHERE id = (SELECT id FROM disclosure_versions WHERE disclosure_id = ?)`, e.now, v2.DisclosureID)
		wantProblem(t, e.fsckProblems(t), "redaction in SQL", fmt.Sprintf("leaf %d (disclosure %d version 1)", v2.LeafIndex, v2.DisclosureID), "no redaction leaf")
	})
}
