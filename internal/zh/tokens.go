package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Search tokens.
//
// Chinese has no spaces between words and Mingbai carries no dictionary, so
// the board's search indexes overlapping character bigrams (n-grams, as
// Lucene's CJKAnalyzer and many Chinese search engines do): "党费公开" is
// indexed as 党费 费公 公开, and a query for 费公开 becomes 费公 AND 公开,
// which matches. Each single character is indexed too, so a one-character
// query such as 党 finds something. Numbers and Latin words are whole tokens.
//
// A query matches a text when every one of its QueryTokens is among the
// text's Tokens (AND of all query tokens, no phrase or order check). That
// is a plain set test any index can run: SQLite FTS5 over a column holding
// the tokens joined by spaces, PostgreSQL over a tsvector built from the
// same tokens. docs/zh.md shows both. Bigram AND can match a text where the
// bigrams are far apart (a query 公开栏 matches "公开……栏目" only if 开栏
// is also there, so false hits are rare); callers that care rank by
// closeness or confirm with a substring test on the normalised text.

// maxTokenBytes caps a Latin word or number, so a pasted hash or a run of
// digits cannot exceed an index's word limit (PostgreSQL's is 2047 bytes).
// Index and query are cut the same way, so they still meet.
const maxTokenBytes = 64

// Tokens returns the index tokens of text, in text order, repeats kept (so
// an index can count them): each run of CJK characters gives every
// character and every overlapping pair; each run of letters gives one
// lowercased word; each run of digits gives one number. Text is first
// normalised with NFKC, so full-width letters and digits and compatibility
// forms (①, ﬁ, ㎡) index as their plain forms. Punctuation, spaces and
// symbols are dropped, and a pair never spans a boundary between CJK and
// other characters or punctuation: "2026年第三季度党费" gives 2026, then
// 年 年第 第 第三 三 三季 季 季度 度 度党 党 党费 费.
func Tokens(text string) []string {
	return tokenize(text, true)
}

// QueryTokens returns the tokens of a search query, each once, in query
// order: as Tokens, except that a CJK run of two or more characters gives
// only its pairs (the single characters would add nothing to an AND) and a
// lone CJK character gives itself. An empty result means the query has
// nothing searchable.
func QueryTokens(q string) []string {
	toks := tokenize(q, false)
	out := toks[:0]
	seen := make(map[string]bool, len(toks))
	for _, t := range toks {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

type runeClass int8

const (
	classOther runeClass = iota
	classCJK
	classLetter
	classDigit
)

func classify(r rune) runeClass {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			return classLetter
		case '0' <= r && r <= '9':
			return classDigit
		}
		return classOther
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return classCJK
	case unicode.IsLetter(r), unicode.In(r, unicode.Mn, unicode.Mc):
		return classLetter
	case unicode.IsDigit(r):
		return classDigit
	}
	return classOther
}

// tokenize splits normalised text into runs of one class. Every token is
// a substring of the normalised text, so tokens cost no allocation beyond
// the slice that holds them.
func tokenize(text string, index bool) []string {
	s := norm.NFKC.String(text)
	// Each character gives at most two tokens (a CJK character and the
	// pair it ends), so one allocation holds them all.
	n := utf8.RuneCountInString(s)
	if index {
		n *= 2
	}
	toks := make([]string, 0, n)
	prev := 0   // byte offset of the previous character of a CJK run
	runLen := 0 // characters in the current CJK run
	wordStart, wordClass := -1, classOther
	endWord := func(end int) {
		if wordStart >= 0 {
			toks = append(toks, capToken(lower(s[wordStart:end])))
			wordStart = -1
		}
	}
	endCJK := func(end int) {
		if runLen == 1 && !index {
			toks = append(toks, s[prev:end])
		}
		runLen = 0
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := classify(r)
		// A combining mark continues a word only; alone it is dropped.
		if c == classLetter && wordClass != classLetter && unicode.In(r, unicode.Mn, unicode.Mc) {
			c = classOther
		}
		if c != wordClass || c == classCJK {
			endWord(i)
		}
		if c != classCJK {
			endCJK(i)
		}
		switch c {
		case classCJK:
			if runLen > 0 {
				toks = append(toks, s[prev:i+size])
			}
			if index {
				toks = append(toks, s[i:i+size])
			}
			prev = i
			runLen++
			wordClass = classCJK
		case classLetter, classDigit:
			if wordStart < 0 {
				wordStart = i
			}
			wordClass = c
		default:
			wordClass = classOther
		}
		i += size
	}
	endWord(len(s))
	endCJK(len(s))
	return toks
}

// lower lowercases a word, allocating only when it has capitals.
func lower(w string) string {
	for _, r := range w {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return strings.ToLower(w)
		}
	}
	return w
}

// capToken cuts a token to maxTokenBytes at a character boundary.
func capToken(t string) string {
	if len(t) <= maxTokenBytes {
		return t
	}
	cut := maxTokenBytes
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return t[:cut]
}
