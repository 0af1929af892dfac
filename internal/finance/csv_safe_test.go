package finance

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteCSVFormulaText: cells a spreadsheet would run as formulas are
// written as text; amounts, negative ones included, stay numbers.
func TestWriteCSVFormulaText(t *testing.T) {
	var b bytes.Buffer
	err := WriteCSV(&b, Table{Header: []string{"摘要", "金额"}, Rows: [][]string{
		{"=1+1", "-12.50"}, {"@SUM(A1)", "30.00"}, {"+86 phone", "-0.01"}, {"-购物卡", "1"}, {"\tcmd", "2"}, {"正常摘要", "3"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{"'=1+1,-12.50", "'@SUM(A1),30.00", "'+86 phone,-0.01", "'-购物卡,1", "'\tcmd,2", "正常摘要,3"} {
		if !strings.Contains(got, want) {
			t.Errorf("CSV lacks %q:\n%s", want, got)
		}
	}
}
