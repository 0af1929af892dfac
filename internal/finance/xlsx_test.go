package finance_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mingbai"
	"mingbai/internal/export"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// cashbook builds an XLSX with a title row, the headings and rows.
func cashbook(t testing.TB, rows [][]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"锁金四村社区银行存款日记账"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"日期", "凭证号", "摘要", "科目", "收入", "支出", "余额"})
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestImportCashbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bank := e.acct["银行存款"]
		// Opening 10,000.00 in the bank.
		bad := [][]any{
			{"2025-01-03", "记1", "拨付工作经费", "工作经费", "5000", "", "15000.00"},
			{"2025/1/32", "记2", "日期错", "办公费", "", "10", "14990"},
			{"2025-01-05", "记3", "科目错", "茶水费", "", "10", "14990"},
			{"2025-01-06", "记4", "两栏都填", "办公费", "10", "10", "14990"},
			{"2025-01-07", "记5", "余额错", "办公费", "", "100.5", "14000"},
			{"2025-01-08", "记6", "金额三位小数", "办公费", "", "1.234", ""},
			{"2025-01-09", "记7", "方向错", "办公费", "20", "", ""},
		}
		res, err := e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, cashbook(t, bad), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Posted != 0 || res.Rows != 7 {
			t.Fatalf("posted %d of %d", res.Posted, res.Rows)
		}
		want := map[int]string{4: "日期", 5: "没有“茶水费”这个科目", 6: "收入和支出只能填一个", 7: "余额应为 14,899.50", 8: "支出金额", 9: "支出科目"}
		if len(res.Errors) != len(want) {
			t.Fatalf("errors %+v", res.Errors)
		}
		for _, re := range res.Errors {
			if !strings.Contains(re.Message, want[re.Row]) {
				t.Errorf("row %d: %q, want it to mention %q", re.Row, re.Message, want[re.Row])
			}
		}
		if es, _ := e.fin.Entries(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{}); len(es) != 0 {
			t.Fatalf("%d entries posted from a file with errors", len(es))
		}

		good := [][]any{
			{"2025-01-03", "记1", "拨付工作经费", "工作经费", "5000", "", "15000.00"},
			{45661, "记2", "购买打印纸", "办公费", "", "100.50", "14899.50"}, // 2025-01-04 as an Excel serial day
			{"2025年1月5日", "记3", "纳凉晚会", "活动经费", "", "899.50", "14000"},
		}
		res, err = e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, cashbook(t, good), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 0 || res.Posted != 3 || res.First != "2025-0001" || res.Last != "2025-0003" {
			t.Fatalf("result %+v", res)
		}
		es, _ := e.fin.Entries(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{})
		if len(es) != 3 || es[1].Date != finance.MakeDate(2025, 1, 4) || es[1].SourceRef != "记2" || es[2].Amount != 89950 {
			t.Fatalf("entries %+v", es)
		}
		// A second import must continue from the account's balance.
		more := [][]any{{"2025-01-06", "记4", "续", "办公费", "", "1", "14001"}}
		res, _ = e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, cashbook(t, more), nil)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "余额应为 13,999.00") {
			t.Fatalf("second import %+v", res.Errors)
		}
		// Explicit column mapping: columns in another order, no headings row.
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"1", "2025-01-07", "冲账前", "", "2.00", "办公费", "13998"})
		var buf bytes.Buffer
		f.Write(&buf)
		res, err = e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, &buf, finance.Mapping{
			finance.ColVoucher: "A", finance.ColDate: "B", finance.ColSummary: "C", finance.ColIncome: "D", finance.ColExpense: "E", finance.ColCategory: "F", finance.ColBalance: "G",
		})
		if err != nil || res.Posted != 1 {
			t.Fatalf("mapped import %+v %v", res, err)
		}
		// Not a spreadsheet; not a cadre.
		_, err = e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, strings.NewReader("日期,摘要"), nil)
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.ImportCashbook(ctx, e.super, e.demo.Suojin4, bank, cashbook(t, good), nil)
		wantCode(t, err, mingbai.EFORBIDDEN)

		// Export the bank account's cashbook and read it back.
		rows, err := e.fin.LedgerRows(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{Year: 2025}, bank)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[3][6] != "13998.00" || rows[1][5] != "100.50" {
			t.Fatalf("ledger rows %v", rows)
		}
		var out bytes.Buffer
		if err := export.WriteXLSX(&out, export.Table{Name: "日记账", Header: finance.LedgerHeader, Rows: rows}); err != nil {
			t.Fatal(err)
		}
		back, err := excelize.OpenReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := back.GetRows("日记账")
		if len(got) != 5 || got[0][0] != "日期" || got[2][2] != "购买打印纸" {
			t.Fatalf("xlsx rows %v", got)
		}
		var cb bytes.Buffer
		if err := export.WriteCSV(&cb, export.Table{Header: finance.LedgerHeader, Rows: rows}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cb.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(recs) != 5 || recs[4][2] != "冲账前" {
			t.Fatalf("csv %v %v", recs, err)
		}
		// The public gets nothing unpublished.
		pub, err := e.fin.LedgerRows(ctx, e.public, e.demo.Suojin4, finance.EntryFilter{Year: 2025}, 0)
		if err != nil || len(pub) != 0 {
			t.Fatalf("public ledger %v %v", pub, err)
		}
	})
}

// TestImportChunksAllOrNothing imports a cashbook longer than one chunk
// whose only bad row comes after the first chunks were inserted: nothing
// may stay posted and no voucher number may be used up; the fixed file
// then posts every row with gapless numbers.
func TestImportChunksAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bank := e.acct["银行存款"]
		const n = 2500 // two and a half chunks
		rows := make([][]any, 0, n)
		for i := 0; i < n; i++ {
			rows = append(rows, []any{"2025-01-03", fmt.Sprintf("记%d", i), "小额收入", "工作经费", "1.00", "", ""})
		}
		rows[2200][3] = "茶水费" // unknown category, in the third chunk
		res, err := e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, cashbook(t, rows), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Posted != 0 || len(res.Errors) != 1 || res.Errors[0].Row != 2203 || res.First != "" {
			t.Fatalf("result posted=%d first=%q errors=%+v", res.Posted, res.First, res.Errors)
		}
		if es, _ := e.fin.Entries(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{}); len(es) != 0 {
			t.Fatalf("%d entries left posted by a rejected file", len(es))
		}
		rows[2200][3] = "工作经费"
		res, err = e.fin.ImportCashbook(ctx, e.cadre, e.demo.Suojin4, bank, cashbook(t, rows), nil)
		if err != nil || len(res.Errors) != 0 || res.Posted != n || res.First != "2025-0001" || res.Last != fmt.Sprintf("2025-%04d", n) {
			t.Fatalf("fixed import %+v %v", res, err)
		}
		es, _ := e.fin.Entries(ctx, e.cadre, e.demo.Suojin4, finance.EntryFilter{})
		if len(es) != n || es[n-1].SourceRef != fmt.Sprintf("记%d", n-1) {
			t.Fatalf("%d entries", len(es))
		}
	})
}
