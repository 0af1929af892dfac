// Package export turns tables into the files people download: CSV for any
// spreadsheet, XLSX workbooks and JSON. It is the one place that guards
// against spreadsheet formula injection, so every download of text a
// resident or cadre typed is safe to open.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Table is one sheet of a download: a name (the sheet's, or part of the
// file name), a header row and the rows under it.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
	// Numeric lists the columns whose cells are whole numbers; XLSX stores
	// them as numbers, so they sum and sort as such.
	Numeric []int
}

// Format is a download format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	JSON Format = "json"
)

// ContentType is the media type of a download in format f.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/json; charset=utf-8"
}

// SafeCell returns c as a spreadsheet shows it as text: a cell starting
// with = + - @, a tab or a carriage return is read by Excel and WPS as a
// formula, so text a visitor typed could run one on a cadre's computer.
// Such a cell gets a leading apostrophe, which spreadsheets show as plain
// text; numbers such as -12.50 are left alone.
func SafeCell(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			return "'" + c
		}
	}
	return c
}

// SafeRow is SafeCell applied to a copy of row.
func SafeRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = SafeCell(c)
	}
	return out
}

// WriteCSV writes one table as UTF-8 CSV with a byte-order mark, which
// Excel needs to read Chinese text correctly. Every cell passes SafeCell.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	cw := csv.NewWriter(w)
	if len(t.Header) > 0 {
		if err := cw.Write(SafeRow(t.Header)); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	for _, row := range t.Rows {
		if err := cw.Write(SafeRow(row)); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// WriteXLSX writes tables as the sheets of one workbook, streaming rows so
// a large ledger does not sit in memory twice. XLSX keeps text and
// formulas apart, but a cell is passed through SafeCell all the same: a
// user who copies it into a CSV or another program must not get a formula.
func WriteXLSX(w io.Writer, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Name); err != nil {
				return fmt.Errorf("xlsx sheet %s: %w", t.Name, err)
			}
		} else if _, err := f.NewSheet(t.Name); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", t.Name, err)
		}
		sw, err := f.NewStreamWriter(t.Name)
		if err != nil {
			return fmt.Errorf("xlsx stream: %w", err)
		}
		numeric := map[int]bool{}
		for _, c := range t.Numeric {
			numeric[c] = true
		}
		n := 0
		write := func(cells []string, header bool) error {
			n++
			row := make([]any, len(cells))
			for j, c := range cells {
				row[j] = SafeCell(c)
				if numeric[j] && !header {
					if v, err := strconv.ParseInt(c, 10, 64); err == nil {
						row[j] = v
					}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			return sw.SetRow(cell, row)
		}
		if len(t.Header) > 0 {
			if err := write(t.Header, true); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
		}
		for _, r := range t.Rows {
			if err := write(r, false); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx flush: %w", err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// WriteJSON writes a table as a JSON array of objects keyed by the header,
// for programs; JSON needs no formula guard.
func WriteJSON(w io.Writer, t Table) error {
	out := make([]map[string]string, len(t.Rows))
	for i, row := range t.Rows {
		obj := make(map[string]string, len(t.Header))
		for j, h := range t.Header {
			if j < len(row) {
				obj[h] = row[j]
			}
		}
		out[i] = obj
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return nil
}

// Write writes tables in format f: all of them as one workbook for XLSX,
// the first for CSV and JSON (which hold one table each).
func Write(w io.Writer, f Format, tables ...Table) error {
	if len(tables) == 0 {
		return fmt.Errorf("export: no table")
	}
	switch f {
	case CSV:
		return WriteCSV(w, tables[0])
	case XLSX:
		return WriteXLSX(w, tables...)
	case JSON:
		return WriteJSON(w, tables[0])
	}
	return fmt.Errorf("export: unknown format %q", f)
}
