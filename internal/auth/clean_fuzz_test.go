package auth

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"mingbai"
)

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"张桂兰", "  王秀英 ", "a\x00b", "\xff", "\u202e兰桂张", "\t", "😀", strings.Repeat("字", 21), ""} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, required bool) {
		out, err := cleanText("name", "姓名", s, 20, required)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("cleanText(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if n := utf8.RuneCountInString(out); n > 20 || required && n == 0 || !utf8.ValidString(out) || out != strings.TrimSpace(out) {
			t.Fatalf("cleanText(%q) = %q", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("cleanText(%q) = %q holds %U", s, out, r)
			}
		}
	})
}
