package finance_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestReceiptRedactionLogged is issue 13 point 1 for receipts: the image
// served instead of a redacted receipt is not in the entry's leaf, so a
// redaction is a leaf of its own and fsck names a redaction row changed
// in SQL (here: the served image swapped back to the original).
func TestReceiptRedactionLogged(t *testing.T) {
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
		fsck := func() []string {
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources()})
			if err != nil {
				t.Fatal(err)
			}
			return rep.Problems
		}
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("fsck after a receipt redaction: %q", ps)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE fin_redactions SET sha256 = ? WHERE id = ?`, at.SHA256, rd.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ps := fsck(); !strings.Contains(strings.Join(ps, "\n"), fmt.Sprintf("(receipt_mask %d version 1)", rd.ID)) {
			t.Errorf("fsck of a redacted receipt swapped back in SQL: %q", ps)
		}
	})
}
