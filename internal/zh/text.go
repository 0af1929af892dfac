package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"mingbai"
)

// Text is the rule for one free-text field a person types: a name, a
// summary, a question. Every feature cleans its text with it, so that what
// one form refuses no other form lets through to a public page.
type Text struct {
	Field string // the form field an error points at
	Label string // the field's Chinese name in messages, e.g. "事项名称"
	Min   int    // fewest characters after trimming; 0 makes the field optional
	Max   int    // most characters after trimming
	// Multiline lets the text hold newlines and tabs (a question's body,
	// a disclosure's text); a one-line field refuses them.
	Multiline bool
}

// Clean trims s, turns CRLF into LF, and returns it if it is text a page
// can show as typed: valid UTF-8 (PostgreSQL refuses anything else), no
// control character (PostgreSQL refuses NUL; the others are invisible),
// and no bidirectional control, which could make a published name or
// amount display other than it reads. Such text is refused, never quietly
// changed, so the writer sees what will be stored. Lengths count
// characters, not bytes. Errors are EINVALID field errors in Chinese.
func (t Text) Clean(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !utf8.ValidString(s) || strings.ContainsFunc(s, t.refuses) {
		return "", mingbai.FieldError(t.Field, "%s含有无法显示的字符，请删去后重新输入", t.Label)
	}
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && t.Min > 0:
		return "", mingbai.FieldError(t.Field, "请填写%s", t.Label)
	case n < t.Min:
		return "", mingbai.FieldError(t.Field, "%s至少 %d 个字", t.Label, t.Min)
	case n > t.Max:
		return "", mingbai.FieldError(t.Field, "%s不能超过 %d 个字，现在是 %d 个字", t.Label, t.Max, n)
	}
	return s, nil
}

func (t Text) refuses(r rune) bool {
	if t.Multiline && (r == '\n' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
