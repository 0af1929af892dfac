package zh

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"mingbai"
)

// Fuzz targets for the masks and the search query parser. The money,
// MaskText and Tokens targets live beside their unit tests.

func FuzzMaskPhone(f *testing.F) {
	for _, s := range []string{
		"13812345678", "+86 138-1234-5678", "８６１３８１２３４５６７８", "025-83123456", "1234", "",
		"138１２３４5678", "📱13812345678📱", "\xff13812345678", "861381234567812345", "0086 13812345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := digitsOnly(s)
		out := MaskPhone(s)
		if strings.Trim(out, "0123456789*") != "" {
			t.Fatalf("MaskPhone(%q) = %q holds something other than digits and stars", s, out)
		}
		shown := strings.ReplaceAll(out, "*", "")
		// At most the 3+4 digits of a mobile number show, never all of a
		// number longer than four digits.
		if len(shown) > 7 {
			t.Fatalf("MaskPhone(%q) = %q shows %d digits", s, out, len(shown))
		}
		if len(d) > 4 && strings.Contains(shown, d) {
			t.Fatalf("MaskPhone(%q) = %q shows the whole number", s, out)
		}
		if len(d) > 4 && !strings.Contains(out, "*") {
			t.Fatalf("MaskPhone(%q) = %q hides nothing", s, out)
		}
		// Each digit kept is in its place: the mask is a star per digit
		// (a +86 prefix dropped).
		dd := d
		if len(out) == len(d)-2 && strings.HasPrefix(d, "86") {
			dd = d[2:]
		}
		if len(out) != len(dd) {
			t.Fatalf("MaskPhone(%q) = %q, but the number has %d digits", s, out, len(d))
		}
		for i := range len(out) {
			if out[i] != '*' && out[i] != dd[i] {
				t.Fatalf("MaskPhone(%q) = %q moved digit %d", s, out, i)
			}
		}
	})
}

func FuzzMaskID(f *testing.F) {
	for _, s := range []string{
		id1, id2, id3, "110105 19900101 1232", "１１０１０５１９９００１０１１２３２", "11010519491231002ｘ",
		"110105900101123", "A123456789", "", "x", "身份证：" + id1, "110105199001011232110105199001011232",
		"\xc0\x80110105199001011232", "😀😀😀😀😀😀",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := normaliseID(s)
		out := MaskID(s)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(id) {
			t.Fatalf("MaskID(%q) = %q changed the length of %q", s, out, id)
		}
		shown := utf8.RuneCountInString(strings.ReplaceAll(out, "*", ""))
		if shown > 10 {
			t.Fatalf("MaskID(%q) = %q shows %d characters", s, out, shown)
		}
		n := utf8.RuneCountInString(id)
		if n > 4 && out == id && strings.Trim(string([]rune(id)[:n-4]), "*") != "" {
			t.Fatalf("MaskID(%q) = %q shows the whole number", s, out)
		}
		// The birth date of an identity number never shows.
		if n == 18 && allDigits(id[:17]) && out[6:14] != "********" {
			t.Fatalf("MaskID(%q) = %q shows the birth date", s, out)
		}
		if n == 15 && allDigits(id) && out[6:12] != "******" {
			t.Fatalf("MaskID(%q) = %q shows the birth date", s, out)
		}
	})
}

func FuzzQueryTokens(f *testing.F) {
	for _, s := range []string{
		"第三季度 党费 2026", "党", "ＡＢＣ　１２３", "\ufdfa", "㍿㍿", "", "   ", "\xff\xfe", "a" + strings.Repeat("b", 200),
		"😀党费😀", "AND OR NOT \"*\" -x", "'; DROP TABLE x; --", "公开：栏",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		toks := QueryTokens(q)
		// Bounded: at most one token per character of the normalised
		// query, each distinct, none empty, none longer than a cap.
		if n := utf8.RuneCountInString(norm.NFKC.String(q)); len(toks) > n {
			t.Fatalf("QueryTokens(%q) gave %d tokens for %d characters", q, len(toks), n)
		}
		seen := map[string]bool{}
		for _, tok := range toks {
			if tok == "" || len(tok) > maxTokenBytes || !utf8.ValidString(tok) || seen[tok] {
				t.Fatalf("QueryTokens(%q) has bad or repeated token %q in %q", q, tok, toks)
			}
			seen[tok] = true
			// A token is text a search index can take as one word: no
			// space, quote or operator character to escape.
			if strings.ContainsAny(tok, " \t\n\"'*()-:^") {
				t.Fatalf("QueryTokens(%q) has token %q with a search operator", q, tok)
			}
		}
		// The query's tokens are a function of its normalised text.
		if again := QueryTokens(norm.NFKC.String(q)); strings.Join(again, " ") != strings.Join(toks, " ") {
			t.Fatalf("QueryTokens(%q) = %q, of its NFKC form %q", q, toks, again)
		}
	})
}

// FuzzTextClean: whatever a person types, accepted text is trimmed UTF-8
// within its length, holds no control character (but a newline or tab in
// a multiline field) and no bidirectional control, and cleaning it again
// changes nothing; refused text gets an EINVALID field error.
func FuzzTextClean(f *testing.F) {
	for _, s := range []string{"党费收缴", "  标题  ", "a\x00b", "\xff\xfe", "金额\u202e00.001", "\u2066x\u2069", "行一\r\n行二", "行一\r行二",
		"\t缩进", "\x01 x", "😀", "\u0085", "\u200f", "楼道\u200b灯", "<script>alert(1)</script>", strings.Repeat("字", 61)} {
		f.Add(s, 2, 60, true)
		f.Add(s, 0, 20, false)
	}
	f.Fuzz(func(t *testing.T, s string, minLen, maxLen int, multiline bool) {
		rule := Text{Field: "f", Label: "字段", Min: minLen, Max: maxLen, Multiline: multiline}
		out, err := rule.Clean(s)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("Clean(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if n := utf8.RuneCountInString(out); n < minLen || n > maxLen || !utf8.ValidString(out) || out != strings.TrimSpace(out) {
			t.Fatalf("%+v.Clean(%q) = %q", rule, s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("Clean(%q) = %q holds %U", s, out, r)
			}
		}
		if again, err := rule.Clean(out); err != nil || again != out {
			t.Fatalf("Clean not idempotent on %q: %q, %v", out, again, err)
		}
	})
}
