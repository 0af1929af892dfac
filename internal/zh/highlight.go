package zh

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fragment is one piece of a search-result snippet; Match marks a piece
// that matched the query. The text is plain: a template escapes it like any
// other text and wraps a match in <mark>, so no markup from a user's text
// or from this package can reach a page unescaped.
type Fragment struct {
	Text  string
	Match bool
}

// Highlight returns a snippet of at most width characters of text (plus an
// ellipsis at each cut end) around the first place any of queryTokens
// occurs, with every occurrence inside it marked. The text is shown
// NFKC-normalised with runs of white space collapsed, the form the tokens
// were made from, and matched case-insensitively. With no match the
// snippet is the start of the text; width <= 0 means the whole text.
// Pass the result of QueryTokens.
func Highlight(text string, queryTokens []string, width int) []Fragment {
	rs := []rune(strings.Join(strings.Fields(norm.NFKC.String(text)), " "))
	if len(rs) == 0 {
		return nil
	}
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = unicode.ToLower(r)
	}
	matched := make([]bool, len(rs))
	first := -1
	for _, tok := range queryTokens {
		tr := []rune(tok)
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(tr)], tr) {
				for k := i; k < i+len(tr); k++ {
					matched[k] = true
				}
				if first < 0 || i < first {
					first = i
				}
			}
		}
	}
	start, end := 0, len(rs)
	if width > 0 && width < len(rs) {
		// Show a little context before the first match, most of it after.
		start = max(0, first-width/4)
		end = min(len(rs), start+width)
		start = max(0, end-width)
	}
	var out []Fragment
	add := func(s string, match bool) {
		if n := len(out); n > 0 && out[n-1].Match == match {
			out[n-1].Text += s
			return
		}
		out = append(out, Fragment{Text: s, Match: match})
	}
	if start > 0 {
		add("…", false)
	}
	for i := start; i < end; {
		j := i
		for j < end && matched[j] == matched[i] {
			j++
		}
		add(string(rs[i:j]), matched[i])
		i = j
	}
	if end < len(rs) {
		add("…", false)
	}
	return out
}
