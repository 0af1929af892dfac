package web

import "strconv"

// csvRow makes a row of a CSV download safe to open in a spreadsheet
// program: a cell that starts with = + - @ or a tab or carriage return is
// read by Excel and WPS as a formula, so text a visitor typed (a question,
// a title) could run a formula on a cadre's computer. Such a cell gets a
// leading apostrophe, which spreadsheets show as plain text; numbers such
// as -12.50 are left alone.
func csvRow(row []string) []string {
	for i, c := range row {
		if formulaLike(c) {
			row[i] = "'" + c
		}
	}
	return row
}

// csvRows is csvRow for every row.
func csvRows(rows [][]string) [][]string {
	for _, r := range rows {
		csvRow(r)
	}
	return rows
}

func formulaLike(c string) bool {
	if c == "" {
		return false
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		_, err := strconv.ParseFloat(c, 64)
		return err != nil
	}
	return false
}
