package disclosure

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"mingbai"
)

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"党费收缴", "  标题  ", "a\x00b", "\xff", "金额\u202e00.001", "\u2067x\u2069", "行一\r\n行二", "行一\r行二",
		"\t缩进", "😀", "\u0085", strings.Repeat("字", 61)} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		out, err := cleanText("f", "字段", s, 2, 60, multiline)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("cleanText(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if n := utf8.RuneCountInString(out); n < 2 || n > 60 || !utf8.ValidString(out) || out != strings.TrimSpace(out) {
			t.Fatalf("cleanText(%q) = %q", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("cleanText(%q) = %q holds %U", s, out, r)
			}
		}
		if again, err := cleanText("f", "字段", out, 2, 60, multiline); err != nil || again != out {
			t.Fatalf("cleanText not idempotent on %q: %q, %v", out, again, err)
		}
	})
}

func FuzzCleanDate(f *testing.F) {
	for _, s := range []string{"2026-07-01", " 2026-07-01 ", "2026-7-1", "2026-02-29", "1999-12-31", "2100-12-31", "2101-01-01", "+2026-07-01",
		"２０２６-０７-０１", "2026-07-01T00:00:00Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := cleanDate("valid_from", "公开起始日期", s)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("cleanDate(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if out == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("cleanDate(%q) = empty", s)
			}
			return
		}
		// What is stored is what was typed, in the one form dates compare
		// in as strings.
		d, err := time.Parse("2006-01-02", out)
		if err != nil || out != strings.TrimSpace(s) || d.Year() < 2000 || d.Year() > 2100 {
			t.Fatalf("cleanDate(%q) = %q", s, out)
		}
	})
}
