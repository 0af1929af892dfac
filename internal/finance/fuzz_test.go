package finance

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"mingbai"
	"mingbai/internal/zh"
)

// Fuzz targets for what cadres type and upload: periods, dates, cashbook
// rows and whole cashbook files.

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2025-03", "202503", " 2025-12 ", "2025-13", "1999-12", "2200-01", "2025--03", "-202503",
		"2-0-2-5-0-3", "+20253", "２０２５-０３", "2025-3", "2025年3月", "", "9999999999999999999999", "2025-03\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("ParsePeriod(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if !p.Valid() {
			t.Fatalf("ParsePeriod(%q) = %d, not a valid month", s, int(p))
		}
		// Only the two documented forms are read, so each month has one
		// URL (besides its compact form).
		if in := strings.TrimSpace(s); in != p.String() && in != strings.ReplaceAll(p.String(), "-", "") {
			t.Fatalf("ParsePeriod(%q) = %s: read a form that is neither 2025-03 nor 202503", s, p)
		}
		if back, err := ParsePeriod(p.String()); err != nil || back != p {
			t.Fatalf("ParsePeriod(%q) = %s, which reads back as %d, %v", s, p, int(back), err)
		}
		if p.Next().Prev() != p || p.Prev().Next() != p || PeriodOf(p.First()) != p || PeriodOf(p.Last()) != p {
			t.Fatalf("period arithmetic broken around %s", p)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-03-08", "2025/3/8", "2025.3.8", "2025年3月8日", "2025-02-29", "2024-02-29", "2025-+3-+8",
		"2025-03-08-", "0002025-03-08", "2025-3-8日日", "２０２５-０３-０８", "1999-12-31", "2199-12-31", "2025年13月1日", " ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("ParseDate(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if d.Year() < 2000 || d.Year() >= 2200 {
			t.Fatalf("ParseDate(%q) = %s, outside 2000–2199", s, d)
		}
		if back, err := ParseDate(d.String()); err != nil || !back.Equal(d.Time) {
			t.Fatalf("ParseDate(%q) = %s, which reads back as %s, %v", s, d, back, err)
		}
		// The date is made of the digits typed: year, month and day in
		// that order, only separators between them.
		parts := strings.Split(dateSeparators.Replace(strings.TrimSpace(s)), "-")
		want := []int{d.Year(), int(d.Month()), d.Day()}
		for i, p := range parts {
			if n, err := strconv.Atoi(p); err != nil || n != want[i] || strings.Trim(p, "0123456789") != "" {
				t.Fatalf("ParseDate(%q) = %s from part %q", s, d, p)
			}
		}
	})
}

func FuzzCellDate(f *testing.F) {
	for _, s := range []string{"45661", "36526", "36525", "109574", "109575", "-1", "2025-01-04", "45661.5", "0x1", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := cellDate(s)
		if err == nil && (d.Year() < 2000 || d.Year() >= 2200) {
			t.Fatalf("cellDate(%q) = %s, outside 2000–2199", s, d)
		}
	})
}

// fuzzCategories is a small category list for row parsing.
var fuzzCategories = func() map[string]Category {
	m := map[string]Category{}
	for _, c := range []Category{
		{ID: 1, Code: "101", Name: "工作经费", Direction: Income, Leaf: true},
		{ID: 2, Code: "201", Name: "办公费", Direction: Expense, Leaf: true},
		{ID: 3, Code: "2", Name: "支出", Direction: Expense},
		{ID: 4, Code: "202", Name: "旧科目", Direction: Expense, Leaf: true, Archived: true},
	} {
		m[c.Name], m[c.Code] = c, c
	}
	return m
}()

var fuzzCols = map[string]int{ColDate: 0, ColVoucher: 1, ColSummary: 2, ColCategory: 3, ColIncome: 4, ColExpense: 5, ColBalance: 6}

func FuzzParseImportRow(f *testing.F) {
	f.Add("2025-01-03", "记1", "拨付工作经费", "工作经费", "5000", "", "15000.00")
	f.Add("45661", "", "购买打印纸", "201", "", "100.50", "")
	f.Add("2025年1月5日", "记3", "纳凉晚会", "办公费", "", "１，２３４．５０", "-1")
	f.Add("2025/1/32", "记2", "", "支出", "10", "10", "x")
	f.Add("2025-01-06", strings.Repeat("号", 31), strings.Repeat("字", 101), "旧科目", "0", "0", "")
	f.Add("2025-01-07", "\xff", "😀", "办公费", "", "99999999999.99", "")
	f.Fuzz(func(t *testing.T, date, voucher, summary, category, income, expense, balance string) {
		cells := []string{date, voucher, summary, category, income, expense, balance}
		ir, msgs := parseImportRow(7, cells, fuzzCols, fuzzCategories)
		for _, m := range msgs {
			if m == "" {
				t.Fatalf("row %q: empty problem", cells)
			}
		}
		if len(msgs) > 0 {
			return
		}
		// A row without problems is a whole, postable entry.
		checkShownText(t, summary, ir.summary, true)
		checkShownText(t, voucher, ir.ref, true)
		ct, ok := fuzzCategories[strings.TrimSpace(category)]
		switch {
		case ir.row != 7 || ir.summary == "" || utf8.RuneCountInString(ir.summary) > 100 || utf8.RuneCountInString(ir.ref) > 30:
			t.Fatalf("row %q: bad texts %+v", cells, ir)
		case ir.amount <= 0 || ir.amount > zh.MaxYuan*100:
			t.Fatalf("row %q: amount %d", cells, int64(ir.amount))
		case ir.date.Year() < 2000 || ir.date.Year() >= 2200:
			t.Fatalf("row %q: date %s", cells, ir.date)
		case !ok || !ct.Leaf || ct.Archived || ir.catID != ct.ID || ir.dir != ct.Direction:
			t.Fatalf("row %q: category %d %s", cells, ir.catID, ir.dir)
		case (strings.TrimSpace(balance) != "") != (ir.balance != nil):
			t.Fatalf("row %q: balance %v", cells, ir.balance)
		}
	})
}

// fuzzWorkbook is a small valid cashbook file.
func fuzzWorkbook(f *testing.F, rows [][]any) []byte {
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			f.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzOpenCashbook feeds whole files to the import's reading path: open
// the workbook, find the headings, parse every row. Anything may be
// refused, but only with the Chinese field error the page shows.
func FuzzOpenCashbook(f *testing.F) {
	f.Add(fuzzWorkbook(f, [][]any{
		{"日期", "凭证号", "摘要", "科目", "收入", "支出", "余额"},
		{"2025-01-03", "记1", "拨付工作经费", "工作经费", "5000", "", "15000.00"},
		{45661, "记2", "购买打印纸", "办公费", "", 100.5, 14899.5},
	}))
	f.Add(fuzzWorkbook(f, [][]any{{"标题"}, {}, {"摘要", "日期", "科目", "支出", "收入"}, {"<script>", "2025-1-1", "办公费", "1"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("日期,摘要\n2025-01-01,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, rows, err := openCashbook(bytes.NewReader(data))
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("openCashbook: %v is not a field error", err)
			}
			return
		}
		defer x.Close()
		defer rows.Close()
		var cols map[string]int
		for n := 1; rows.Next() && n < 1000; n++ {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return
			}
			if cols == nil {
				if cols, err = findColumns(cells, nil); err != nil {
					cols = nil
				}
				continue
			}
			parseImportRow(n, cells, cols, fuzzCategories)
		}
	})
}

// checkShownText fails unless out is text a page shows as it reads:
// UTF-8, trimmed, no control character (but a newline or tab when
// multiline) and no bidirectional control.
func checkShownText(t *testing.T, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) || out != strings.TrimSpace(out) {
		t.Fatalf("text %q gave %q, not trimmed UTF-8", in, out)
	}
	for _, r := range out {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) || unicode.Is(unicode.Bidi_Control, r) {
			t.Fatalf("text %q gave %q, which holds %U", in, out, r)
		}
	}
}
