package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/export"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"plain":             "plain",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1+1":              "'+1+1",
		"-12.50":            "-12.50",
		"-":                 "'-",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tcmd":             "'\tcmd",
		"\rcmd":             "'\rcmd",
		"+86":               "+86",
		"中文=1":              "中文=1",
	} {
		if got := export.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// table holds a formula in the header and a cell, and a number column.
var table = export.Table{
	Name:    "明细",
	Header:  []string{"名称", "=金额"},
	Rows:    [][]string{{"=1+1", "300"}, {"电扇", "-12"}},
	Numeric: []int{1},
}

func TestEveryFormatGuards(t *testing.T) {
	var c bytes.Buffer
	if err := export.Write(&c, export.CSV, table); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.String(), "\uFEFF") {
		t.Fatal("CSV without byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][1] != "'=金额" || recs[1][0] != "'=1+1" || recs[2][1] != "-12" {
		t.Fatalf("CSV rows %q", recs)
	}

	var x bytes.Buffer
	if err := export.Write(&x, export.XLSX, table, export.Table{Name: "第二页", Rows: [][]string{{"a"}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "明细" || got[1] != "第二页" {
		t.Fatalf("sheets %q", got)
	}
	if v, _ := f.GetCellValue("明细", "A2"); v != "'=1+1" {
		t.Fatalf("XLSX A2 = %q", v)
	}
	if typ, _ := f.GetCellType("明细", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("XLSX B2 is %v, want a number", typ)
	}
	if formula, _ := f.GetCellFormula("明细", "A2"); formula != "" {
		t.Fatalf("XLSX A2 holds formula %q", formula)
	}

	var j bytes.Buffer
	if err := export.Write(&j, export.JSON, table); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]string
	if err := json.Unmarshal(j.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0]["名称"] != "=1+1" || objs[1]["=金额"] != "-12" {
		t.Fatalf("JSON %v", objs)
	}
	if err := export.Write(&j, "pdf", table); err == nil {
		t.Fatal("unknown format accepted")
	}
}
