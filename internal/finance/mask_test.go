package finance_test

import (
	"bytes"
	"context"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// Personal numbers in what a cadre writes in the books are masked before
// the entry is stored, so the statement, its leaves, the API and every
// export carry the masked text; a phone the cadre confirmed as an office's
// public phone stays.
func TestLedgerMasksPersonalNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		A := e.demo.Suojin4
		en, err := e.fin.Post(ctx, e.cadre, A, finance.NewEntry{
			AccountID: e.acct["现金"], Date: finance.MakeDate(2025, 1, 6), CategoryID: e.cats["办公费"], Amount: 12000,
			Summary:      "维修便民热线 025-85401234 话机，联系人 13812345678",
			Counterparty: "张三（身份证110105199001011234）",
			Decision:     "见居委会会议纪要，咨询 (025)8456 1234",
			PublicPhones: []string{"02585401234"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if en.Summary != "维修便民热线 025-85401234 话机，联系人 138****5678" {
			t.Errorf("summary %q", en.Summary)
		}
		if en.Counterparty != "张三（身份证110105********1234）" {
			t.Errorf("counterparty %q", en.Counterparty)
		}
		if en.Decision != "见居委会会议纪要，咨询 (025)**** 1234" {
			t.Errorf("decision %q", en.Decision)
		}
		rev, err := e.fin.Reverse(ctx, e.cadre, A, en.ID, "重复记账，经手人 139-8765-4321")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Summary != "冲销 "+en.Voucher()+" 号凭证：重复记账，经手人 139-****-4321" {
			t.Errorf("reversal summary %q", rev.Summary)
		}
		if _, err := e.fin.AddDonation(ctx, e.cadre, A, finance.MakeDate(2025, 1, 7), finance.Donation{
			Donor: "李四 13700001111", Item: "大米", Unit: "袋", Quantity: 10, Note: "联系 0571-8456123",
		}); err != nil {
			t.Fatal(err)
		}

		e.clock.set(at(2025, 2, 10, 9))
		if err := e.fin.Close(ctx, e.cadre, A, 202501, "经办人电话 13912345678"); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Approve(ctx, e.super, A, 202501, ""); err != nil {
			t.Fatal(err)
		}
		pub, err := e.fin.StatementOf(ctx, e.public, A, 202501)
		if err != nil {
			t.Fatal(err)
		}
		content, err := contentOf(t, e, *pub.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{"13812345678", "110105199001011234", "8456 1234", "13987654321", "13700001111", "8456123"} {
			if bytes.Contains(content, []byte(raw)) {
				t.Errorf("statement leaf content holds %s: %s", raw, content)
			}
		}
		if !bytes.Contains(content, []byte("025-85401234")) {
			t.Errorf("statement lost the confirmed hotline: %s", content)
		}
		for _, n := range pub.Notes {
			if bytes.Contains([]byte(n.Body), []byte("13912345678")) {
				t.Errorf("review note %q", n.Body)
			}
		}
	})
}
