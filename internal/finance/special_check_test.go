package finance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// TestSpecialsCheck: the special disclosures of a published month are
// checked against its statement. A row added in SQL to a published month
// and a row deleted from one are named; a row of a month not yet
// published is neither shown to the public nor checked.
func TestSpecialsCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		jan, feb := finance.Period(202501), finance.Period(202502)
		sub, err := e.fin.AddSubsidy(ctx, e.cadre, c, jan, finance.Subsidy{Person: "王秀英", Post: "主任", Kind: "subsidy", Amount: 200000, Basis: "玄民〔2024〕12号"})
		if err != nil {
			t.Fatal(err)
		}
		don, err := e.fin.AddDonation(ctx, e.cadre, c, finance.MakeDate(2025, 1, 8), finance.Donation{Item: "大米", Unit: "袋", Quantity: 10, Value: 100000})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.fin.Distribute(ctx, e.cadre, c, don, finance.MakeDate(2025, 1, 9), "张建国", 2, 20000); err != nil {
			t.Fatal(err)
		}
		fee, err := e.fin.AddFee(ctx, e.cadre, c, jan, finance.Fee{FeeType: "停车管理费", Payers: 20, Amount: 60000})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Close(ctx, e.cadre, c, jan, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Approve(ctx, e.super, c, jan, "同意公开"); err != nil {
			t.Fatal(err)
		}
		febSub, err := e.fin.AddSubsidy(ctx, e.cadre, c, feb, finance.Subsidy{Person: "李建国", Post: "书记", Kind: "bonus", Amount: 50000, Basis: "考核"})
		if err != nil {
			t.Fatal(err)
		}

		sp, err := e.fin.SpecialsOf(ctx, e.public, c, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.Subsidies) != 1 || sp.Subsidies[0].ID != sub || len(sp.Fees) != 1 || len(sp.Donations) != 1 || len(sp.Donations[0].Steps) != 1 {
			t.Fatalf("the public sees %+v; want January's rows only", sp)
		}
		fsck := func() string {
			t.Helper()
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources(), Checks: e.fin.Checks()})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(rep.Problems, "\n")
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
		if ps := fsck(); ps != "" {
			t.Fatalf("fsck of untouched books: %s", ps)
		}

		// February is not published: its rows are nobody's public fact yet.
		edit("UPDATE fin_subsidies SET amount = amount + 1 WHERE id = ?", febSub)
		if ps := fsck(); ps != "" {
			t.Errorf("fsck names a change to an unpublished month: %s", ps)
		}

		// A fee slipped into the published January in SQL.
		var extra int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			extra, err = tx.InsertID(ctx, `INSERT INTO fin_fees (community_id, period, fee_type, payers, amount, note, entered_by, entered_at)
				SELECT community_id, period, fee_type, payers, amount, note, entered_by, entered_at FROM fin_fees WHERE id = ? RETURNING id`, fee)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ps, want := fsck(), fmt.Sprintf("fin_fees row %d: shown as published but not in", extra); !strings.Contains(ps, want) {
			t.Errorf("fsck after a fee was added to a published month: %q; want %q", ps, want)
		}
		edit("DELETE FROM fin_fees WHERE id = ?", extra)

		// January's subsidy deleted in SQL.
		edit("DELETE FROM fin_subsidies WHERE id = ?", sub)
		if ps, want := fsck(), fmt.Sprintf("fin_subsidies row %d: in the statement of", sub); !strings.Contains(ps, want) {
			t.Errorf("fsck after a published subsidy was deleted: %q; want %q", ps, want)
		}
	})
}

// TestSubsidyMonths: the subsidies table grouped by month, newest first,
// each month's total the sum of its rows, and the months' totals the
// table's total.
func TestSubsidyMonths(t *testing.T) {
	sp := &finance.Specials{Subsidies: []finance.Subsidy{
		{Period: "2026-01", Person: "王秀英", Amount: 200000},
		{Period: "2026-01", Person: "陈晓燕", Amount: 140000},
		{Period: "2026-02", Person: "王秀英", Amount: 200000},
		{Period: "2026-02", Person: "李建国", Amount: 200000},
		{Period: "2026-02", Person: "陈晓燕", Amount: 140000},
		{Period: "2025-12", Person: "王秀英", Amount: 200000},
	}}
	for _, s := range sp.Subsidies {
		sp.SubsidyTotal += s.Amount
	}
	months := sp.SubsidyMonths()
	var periods []string
	var sum zh.Fen
	rows := 0
	for _, m := range months {
		periods = append(periods, m.Period)
		var own zh.Fen
		for _, r := range m.Rows {
			if r.Period != m.Period {
				t.Errorf("%s holds a row of %s", m.Period, r.Period)
			}
			own += r.Amount
		}
		if own != m.Total {
			t.Errorf("%s: total %d, rows add up to %d", m.Period, m.Total, own)
		}
		sum += m.Total
		rows += len(m.Rows)
	}
	if strings.Join(periods, " ") != "2026-02 2026-01 2025-12" {
		t.Errorf("months in the order %v", periods)
	}
	if sum != sp.SubsidyTotal || rows != len(sp.Subsidies) {
		t.Errorf("months add up to %d in %d rows; the table says %d in %d", sum, rows, sp.SubsidyTotal, len(sp.Subsidies))
	}
}
