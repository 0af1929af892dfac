package zh

import (
	"path"
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

// Visible returns s, CRLF turned into LF, without what Text refuses in a
// multiline text: invalid UTF-8, control characters but newlines and
// tabs, bidirectional controls. A form shows a refused text back this way,
// so the writer can see and send what will be stored (the characters
// themselves are invisible).
func Visible(s string) string {
	return strings.Map(func(r rune) rune {
		if (Text{Multiline: true}).refuses(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), ""))
}

func (t Text) refuses(r rune) bool {
	if t.Multiline && (r == '\n' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// FileName is the name an uploaded file is shown and served under: its base
// name without paths, quotes, control or bidirectional characters (a
// right-to-left override makes "发票\u202egpj.exe" read as "发票exe.jpg"),
// valid UTF-8, at most max characters; fallback when nothing is left.
// Unlike typed text it is cleaned, not refused: the name came with the
// file, and the uploader cannot see what to fix.
func FileName(name, fallback string, max int) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if name == "/" || name == "." || name == "" {
		return fallback
	}
	if r := []rune(name); len(r) > max {
		name = string(r[:max])
	}
	return name
}
