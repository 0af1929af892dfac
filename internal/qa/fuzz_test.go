package qa

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"mingbai"
	"mingbai/internal/zh"
)

// Fuzz targets for what residents and admins type: tracking codes and the
// holiday calendar rows.

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"ABCDE-23456", "abcde 23456", "ＡＢＣＤＥ－２３４５６", "ABCDE\u300023456", "ABCDE-2345", "ABCDE-234567",
		"OILUV-01234", "ſſſſſ-22222", "ABCDE-2345６", "😀", "\xff", "", "-----------", newCode(), strings.Repeat("A", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := NormalizeCode(s)
		if c == "" {
			return
		}
		// A code is ten characters of the alphabet, and every way the
		// page shows it reads back as itself.
		if len(c) != codeLen || strings.Trim(c, codeAlphabet) != "" {
			t.Fatalf("NormalizeCode(%q) = %q, not a code", s, c)
		}
		for _, shown := range []string{c, FormatCode(c), strings.ToLower(FormatCode(c)), " " + FormatCode(c) + " "} {
			if got := NormalizeCode(shown); got != c {
				t.Fatalf("NormalizeCode(%q) = %q, want %q", shown, got, c)
			}
		}
		// Nothing but separators was dropped: the code is the input's
		// other characters, in order.
		var kept []rune
		for _, r := range s {
			if r != ' ' && r != '-' && r != '\u3000' && r != '－' {
				kept = append(kept, r)
			}
		}
		if len(kept) != codeLen {
			t.Fatalf("NormalizeCode(%q) = %q from %d characters", s, c, len(kept))
		}
	})
}

func FuzzParseCalendarRow(f *testing.F) {
	f.Add("2027-01-01", "holiday", "元旦")
	f.Add("2027-02-07", "上班", "春节调休")
	f.Add("2027-02-08", "workday", "工作日")
	f.Add("2027-02-30", "休", "x")
	f.Add("0001-01-01", "休", "公元")
	f.Add(" 2027-01-01 ", "放假", strings.Repeat("节", 21))
	f.Add("2027-1-1", "holiday", "")
	f.Add("2027-01-01T00:00:00Z", "holiday", "\xff")
	f.Fuzz(func(t *testing.T, date, kind, name string) {
		d, err := ParseCalendarRow(date, kind, name)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("ParseCalendarRow(%q, %q, %q): %v is not EINVALID", date, kind, name, err)
			}
			return
		}
		if got := d.Date.Format(time.DateOnly); got != strings.TrimSpace(date) {
			t.Fatalf("ParseCalendarRow(%q) read date %s", date, got)
		}
		if d.Name == "" || utf8.RuneCountInString(d.Name) > 20 || d.Name != strings.TrimSpace(d.Name) {
			t.Fatalf("ParseCalendarRow name %q", d.Name)
		}
		if d.Kind != zh.Holiday && d.Kind != zh.Workday {
			t.Fatalf("ParseCalendarRow kind %q", d.Kind)
		}
		if wd := d.Date.Weekday(); d.Kind == zh.Workday && wd != time.Saturday && wd != time.Sunday {
			t.Fatalf("make-up working day %s is a %s", d.Date.Format(time.DateOnly), wd)
		}
	})
}

func FuzzParseCalendarTSV(f *testing.F) {
	f.Add("date\tkind\tname\n2027-01-01\tholiday\t元旦\n# 注释\n\n2027-02-07  上班  春节调休\n")
	f.Add("2027-01-01\tholiday\t元旦\n2027-01-01\tholiday\t元旦\n")
	f.Add("2027-01-01 holiday 元 旦\n")
	f.Add("\r\n\r\n2027-01-01\t休\t元旦\r\n")
	f.Add("2027-01-01\tholiday\t元旦\n" + strings.Repeat("x", 70000) + "\n")
	f.Fuzz(func(t *testing.T, text string) {
		days, err := ParseCalendarTSV(text)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("ParseCalendarTSV: %v is not EINVALID", err)
			}
			return
		}
		// Each row read is a valid row, each date once, and no more rows
		// than lines.
		if len(days) == 0 || len(days) > strings.Count(text, "\n")+1 {
			t.Fatalf("ParseCalendarTSV read %d rows from %d lines", len(days), strings.Count(text, "\n")+1)
		}
		seen := map[string]bool{}
		for _, d := range days {
			k := d.Date.Format(time.DateOnly)
			if seen[k] {
				t.Fatalf("ParseCalendarTSV read %s twice", k)
			}
			seen[k] = true
			if _, err := ParseCalendarRow(k, string(d.Kind), d.Name); err != nil {
				t.Fatalf("ParseCalendarTSV read row %s %s %q that ParseCalendarRow refuses: %v", k, d.Kind, d.Name, err)
			}
		}
	})
}

// Regression tests for what reviewing these parsers for fuzzing found.

func TestNormalizeCodeFullWidth(t *testing.T) {
	// A Chinese input method in full-width mode types these.
	if got := NormalizeCode("ａｂｃｄｅ－２３４５６"); got != "ABCDE23456" {
		t.Errorf("full-width code normalised to %q", got)
	}
}

func TestParseCalendarTSVLongLine(t *testing.T) {
	// A line longer than the scanner's buffer used to end the reading
	// silently, keeping only the rows before it.
	text := "2027-01-01\tholiday\t元旦\n" + strings.Repeat("x", 70000) + "\n2027-10-01\tholiday\t国庆节\n"
	if days, err := ParseCalendarTSV(text); mingbai.ErrorCode(err) != mingbai.EINVALID {
		t.Fatalf("ParseCalendarTSV with a 70,000-character line = %d rows, %v; want EINVALID", len(days), err)
	}
}
