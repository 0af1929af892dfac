package disclosure

import (
	"strings"
	"testing"
	"time"

	"mingbai"
)

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
