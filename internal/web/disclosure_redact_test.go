package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// fsckProblemsOf runs fsck with the real content sources and returns the
// problems that name leaves of disclosure id (the fixture's synthetic
// leaves have no rows and are someone else's concern).
func (f *fixture) fsckProblemsOf(id int64) []string {
	f.t.Helper()
	rep, err := tlog.Fsck(context.Background(), f.db, tlog.FsckOptions{Sources: f.log.Sources()})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, p := range rep.Problems {
		if strings.Contains(p, fmt.Sprintf("(disclosure %d version", id)) || strings.Contains(p, fmt.Sprintf("(disclosure_redaction %d version", id)) {
			out = append(out, p)
		}
	}
	return out
}

// TestRedactionMasksOnly is issue 13 point 1 through the real router: the
// redact form cannot rewrite a version's text, only mask passages of it;
// the masking is a leaf of its own, and fsck names a version whose text
// was changed after a redaction or marked redacted in SQL without one.
func TestRedactionMasksOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		b := f.board()
		cadre := f.actorOf("cadreA")
		text := "| 项目 | 金额 |\n|---|---|\n| 街道拨付办公经费 | 5,000.00 元 |\n经手人：张三，住12幢301室"
		d, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: b.districtIt, Title: "2026年第三季度收支情况", Body: text})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.disc.Publish(ctx, cadre, f.demo.Suojin4, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		dpath := fmt.Sprintf("/c/suojin-4/d/%d", v.DisclosureID)
		admin := f.loggedIn("admin")
		resident := f.loggedIn("resident")

		// The old form's free text is not a redaction: nothing changes.
		resp := admin.post(dpath+"/v/1/redact", url.Values{"title": {"收入 1,000,000 元"}, "body": {"收入 1,000,000 元"}, "what": {"经手人手机号"}, "why": {"误登个人信息"}})
		page := body(t, resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "要遮盖的原文文字") {
			t.Errorf("free-text redaction: %d, want 400 asking for the passages to mask", resp.StatusCode)
		}
		if page := body(t, resident.get(dpath+"/v/1")); strings.Contains(page, "1,000,000") || strings.Contains(page, "个人信息已删除") {
			t.Error("free-text redaction changed the version")
		}
		// A passage that is not in the text is refused.
		resp = admin.post(dpath+"/v/1/redact", url.Values{"mask": {"收入 1,000,000 元"}, "what": {"经手人手机号"}, "why": {"误登个人信息"}})
		if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "不在第1版的标题或正文中") {
			t.Errorf("masking absent text: %d", resp.StatusCode)
		}

		// Masking the phone number: every character becomes ■, nothing else
		// changes, and fsck checks the masked text against its leaf.
		resp = admin.post(dpath+"/v/1/redact", url.Values{"mask": {"12幢301室\r\n"}, "what": {"经手人门牌号"}, "why": {"误登个人信息"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("redact: %d", resp.StatusCode)
		}
		page = body(t, resident.get(dpath+"/v/1"))
		for _, want := range []string{"个人信息已删除", "经手人门牌号", "经手人：张三，住■■■■■■■", "5,000.00 元", "这次删除记在<a href=\"/log/leaves/"} {
			if !strings.Contains(page, want) {
				t.Errorf("redacted version lacks %q", want)
			}
		}
		if strings.Contains(page, "12幢301室") {
			t.Error("the address is still shown")
		}
		if ps := f.fsckProblemsOf(v.DisclosureID); len(ps) != 0 {
			t.Fatalf("fsck after a redaction: %q", ps)
		}
		if rep := f.verifyContent(); len(rep.Problems) != 0 || rep.Content.Redacted != 1 {
			t.Fatalf("verify --content after a redaction: %q %+v", rep.Problems, rep.Content)
		}

		// Text put in after the redaction, outside the masked span.
		if err := execSQL(db, `UPDATE disclosure_versions SET body = REPLACE(body, '5,000.00', '1,000,000') WHERE disclosure_id = ?`, v.DisclosureID); err != nil {
			t.Fatal(err)
		}
		if ps := f.fsckProblemsOf(v.DisclosureID); len(ps) == 0 || !strings.Contains(strings.Join(ps, "\n"), fmt.Sprintf("leaf %d (disclosure %d version 1)", v.LeafIndex, v.DisclosureID)) {
			t.Errorf("fsck misses text changed after a redaction: %q", ps)
		}
		if rep := f.verifyContent(); !strings.Contains(strings.Join(rep.Problems, "\n"), fmt.Sprintf("leaf %d: the redacted content hashes to", v.LeafIndex)) {
			t.Errorf("verify --content misses text changed after a redaction: %q", rep.Problems)
		}

		// A "redaction" made in SQL: new text and redacted_at, no leaf.
		d2, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: b.districtIt, Title: "2026年第二季度收支情况", Body: text})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := f.disc.Publish(ctx, cadre, f.demo.Suojin4, d2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ps := f.fsckProblemsOf(v2.DisclosureID); len(ps) != 0 {
			t.Fatalf("fsck before tampering: %q", ps)
		}
		if err := execSQL(db, `UPDATE disclosure_versions SET body = ?, redacted_at = ?, redaction_what = '手机号', redaction_why = '误登' WHERE disclosure_id = ?`,
			"收入 1,000,000 元", time.Now().UTC(), v2.DisclosureID); err != nil {
			t.Fatal(err)
		}
		if ps := f.fsckProblemsOf(v2.DisclosureID); len(ps) == 0 || !strings.Contains(strings.Join(ps, "\n"), fmt.Sprintf("leaf %d (disclosure %d version 1)", v2.LeafIndex, v2.DisclosureID)) {
			t.Errorf("fsck misses a redaction made in SQL: %q", ps)
		}
		if rep := f.verifyContent(); !strings.Contains(strings.Join(rep.Problems, "\n"), fmt.Sprintf("leaf %d: its content is withheld as redacted, but no redaction leaf", v2.LeafIndex)) {
			t.Errorf("verify --content misses a redaction made in SQL: %q", rep.Problems)
		}
	})
}

// execSQL changes the database behind the application's back, as someone
// with SQL access could.
func execSQL(db *store.DB, query string, args ...any) error {
	return db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), query, args...)
		return err
	})
}

// verifyContent runs the outside auditor, `mingbai verify --content`,
// against the fixture's server from a fresh state.
func (f *fixture) verifyContent() *tlog.VerifyReport {
	f.t.Helper()
	if _, err := f.log.Integrate(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	rep, err := tlog.Verify(context.Background(), tlog.VerifyOptions{URL: f.srv.URL + "/log/", StateDir: f.t.TempDir(), Content: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}
