package finance_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestReceiptMaskChecks: fsck's check of receipt redactions names a
// redaction row made in SQL without its leaf, and a served image that is
// not its source with the boxes blacked out.
func TestReceiptMaskChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		en := e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "办公费", "80", "购买打印纸")
		at, err := e.fin.Attach(ctx, e.cadre, c, en.ID, "receipt.png", bytes.NewReader(whitePNG(t, 60, 40)))
		if err != nil {
			t.Fatal(err)
		}
		rd, err := e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, []finance.Rect{{X: 5, Y: 5, W: 20, H: 10}}, "遮盖身份证号")
		if err != nil {
			t.Fatal(err)
		}
		fsck := func() string {
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources(), Checks: e.fin.Checks()})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(rep.Problems, "\n")
		}
		if ps := fsck(); ps != "" {
			t.Fatalf("fsck after a receipt redaction: %s", ps)
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
		// A doctored image: the redacted one with a pixel outside the box
		// changed, served instead.
		f, err := e.fin.Files().Open(rd.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		rgba := img.(*image.RGBA)
		rgba.Pix[(39*60+59)*4] = 0 // bottom-right, far from the box
		var buf bytes.Buffer
		if err := png.Encode(&buf, rgba); err != nil {
			t.Fatal(err)
		}
		doctored, _, _, err := e.fin.Files().Put(&buf, finance.MaxAttachmentSize, func(int64, []byte) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		edit(`UPDATE fin_redactions SET sha256 = ? WHERE id = ?`, doctored, rd.ID)
		if ps := fsck(); !strings.Contains(ps, "outside the boxes differs") {
			t.Errorf("fsck of a doctored redacted receipt: %s", ps)
		}
		edit(`UPDATE fin_redactions SET sha256 = ? WHERE id = ?`, rd.SHA256, rd.ID)
		// A second "redaction" written in SQL, without a leaf.
		edit(`INSERT INTO fin_redactions (community_id, attachment_id, boxes, reason, sha256, mime, size, redacted_by, redacted_by_name, redacted_at)
			SELECT community_id, attachment_id, boxes, reason, sha256, mime, size, redacted_by, redacted_by_name, redacted_at FROM fin_redactions WHERE id = ?`, rd.ID)
		if ps := fsck(); !strings.Contains(ps, "without its receipt_mask leaf") {
			t.Errorf("fsck of a receipt redaction made in SQL: %s", ps)
		}
	})
}
