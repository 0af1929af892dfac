package qa

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"mingbai"
)

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"楼道灯坏了", "  问题  ", "a\x00b", "\xff", "\x01 开头", "金额\u202e00.001", "行一\r\n行二", "\t", "😀", strings.Repeat("字", 501)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := cleanText("body", "内容", s, 2, 500)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("cleanText(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if n := utf8.RuneCountInString(out); n < 2 || n > 500 || !utf8.ValidString(out) || out != strings.TrimSpace(out) {
			t.Fatalf("cleanText(%q) = %q", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) && r != '\n' && r != '\t' || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("cleanText(%q) = %q holds %U", s, out, r)
			}
		}
		if again, err := cleanText("body", "内容", out, 2, 500); err != nil || again != out {
			t.Fatalf("cleanText not idempotent on %q: %q, %v", out, again, err)
		}
	})
}
