package tlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Redaction leaves. Personal data that must come down is masked in the
// content of a published version; the version's leaf keeps the original
// hash. The masking itself is published as a leaf of its own, whose
// content is a RedactionRecord: which leaf, who, when, why, which spans of
// which fields were replaced by the mask character, and the hash of the
// content as it reads after masking. Fsck and `mingbai verify --content`
// then check the content shown now against that record, so neither a
// redaction that writes new text nor a quiet SQL edit after a redaction
// passes. docs/log.md says what this proves and what it cannot.

// RedactionKindSuffix ends the kind of every redaction leaf
// ("disclosure_redaction", …): the suffix is how fsck and outside
// auditors recognise one without knowing the feature.
const RedactionKindSuffix = "_redaction"

// IsRedactionKind reports whether leaves of kind are redaction records.
func IsRedactionKind(kind string) bool {
	return strings.HasSuffix(kind, RedactionKindSuffix) && len(kind) > len(RedactionKindSuffix)
}

// Mask is the one character a redaction may write: each masked character
// (Unicode code point) becomes one Mask, so a redaction never changes a
// text's length and never inserts words.
const Mask = "■"

// Span is a half-open range [Start, End) of code points (runes) of a
// string field of the canonical content, i.e. of its NFC form.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// RedactedField says how one string field of the content was masked.
type RedactedField struct {
	// Length is the field's length in code points, the same before and
	// after masking.
	Length int    `json:"length"`
	Spans  []Span `json:"spans"` // sorted, not overlapping, not touching
}

// RedactionRecord is the content of a redaction leaf. Spans and files are
// cumulative: a second redaction of the same version repeats the first
// one's spans and adds its own, so the newest record alone describes the
// content shown now.
type RedactionRecord struct {
	Kind      string `json:"kind"`      // the redaction leaf's kind
	Community int64  `json:"community"` // as the redacted leaf's
	// Redacts is the leaf index of the redacted version, OriginalSHA256
	// that leaf's content_sha256 (the hash of the text before masking).
	Redacts        int64  `json:"redacts"`
	OriginalSHA256 string `json:"original_sha256"`
	// Previous is the index of the previous redaction leaf of the same
	// version, if any.
	Previous *int64 `json:"previous,omitempty"`
	// RedactedSHA256 is the SHA-256 of the version's canonical content
	// after masking: what the content source must serve from now on.
	RedactedSHA256 string                   `json:"redacted_sha256"`
	Mask           string                   `json:"mask"`
	Fields         map[string]RedactedField `json:"fields"`
	// Files are the SHA-256 of attachments taken down.
	Files      []string `json:"files"`
	RedactedBy int64    `json:"redacted_by"` // account id
	ByName     string   `json:"redacted_by_name"`
	At         string   `json:"redacted_at"` // TimeFormat
	What       string   `json:"what"`        // what was removed, in words
	Why        string   `json:"why"`
}

// ParseRedactionRecord reads the canonical content of a redaction leaf.
func ParseRedactionRecord(content []byte) (*RedactionRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.DisallowUnknownFields()
	var r RedactionRecord
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("redaction record: %w", err)
	}
	if r.Mask != Mask {
		return nil, fmt.Errorf("redaction record: mask %q is not %q", r.Mask, Mask)
	}
	if _, err := hex.DecodeString(r.RedactedSHA256); err != nil || len(r.RedactedSHA256) != 64 {
		return nil, fmt.Errorf("redaction record: redacted_sha256 %q is not 64 hex digits", r.RedactedSHA256)
	}
	for name, f := range r.Fields {
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("redaction record: field %s: %w", name, err)
		}
	}
	return &r, nil
}

func (f RedactedField) validate() error {
	end := 0
	for i, s := range f.Spans {
		if s.Start < end || s.End <= s.Start || s.End > f.Length || (i > 0 && s.Start == end) {
			return fmt.Errorf("span %d [%d,%d) is out of order, empty, touching or beyond length %d", i, s.Start, s.End, f.Length)
		}
		end = s.End
	}
	return nil
}

// MaskText replaces every occurrence of each needle in text with Mask,
// one per code point, and returns the masked text, its field record and
// which needles occur. Spans already in prev (an earlier redaction) stay
// masked. text must be NFC (as canonical content is), so spans count the
// same code points an auditor reads.
func MaskText(text string, needles []string, prev []Span) (masked string, field RedactedField, found map[string]bool) {
	runes := []rune(text)
	hit := make([]bool, len(runes))
	for _, s := range prev {
		for i := s.Start; i < s.End && i < len(hit); i++ {
			hit[i] = true
		}
	}
	found = map[string]bool{}
	for _, n := range needles {
		nr := []rune(n)
		if len(nr) == 0 {
			continue
		}
		for i := 0; i+len(nr) <= len(runes); i++ {
			if slices.Equal(runes[i:i+len(nr)], nr) {
				found[n] = true
				for j := i; j < i+len(nr); j++ {
					hit[j] = true
				}
			}
		}
	}
	mask, _ := utf8.DecodeRuneInString(Mask)
	field.Length = len(runes)
	field.Spans = []Span{}
	for i := range runes {
		if !hit[i] {
			continue
		}
		runes[i] = mask
		if n := len(field.Spans); n > 0 && field.Spans[n-1].End == i {
			field.Spans[n-1].End = i + 1
		} else {
			field.Spans = append(field.Spans, Span{i, i + 1})
		}
	}
	return string(runes), field, found
}

// covers reports whether every span of old lies inside the spans of f.
func (f RedactedField) covers(old RedactedField) bool {
	if f.Length != old.Length {
		return false
	}
	for _, o := range old.Spans {
		ok := false
		for _, s := range f.Spans {
			if s.Start <= o.Start && o.End <= s.End {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// CheckRedacted checks content, the canonical content a redacted version
// shows now, against the newest redaction record of that version, rec
// (the content of leaf recIndex), and against the redacted version's own
// envelope. It returns what is wrong, in words; none means the content is
// what the redaction leaf says: the same hash, each declared field of the
// declared length, and the mask at every position inside the spans. The
// text outside the spans cannot be compared with the original here (the
// original is gone); the hash binds it to what the server masked.
func CheckRedacted(rec *RedactionRecord, recIndex int64, target Envelope, targetIndex int64, content []byte) []string {
	var out []string
	if rec.Redacts != targetIndex {
		out = append(out, fmt.Sprintf("redaction leaf %d redacts leaf %d, not %d", recIndex, rec.Redacts, targetIndex))
	}
	if rec.OriginalSHA256 != hex.EncodeToString(target.ContentSHA256[:]) {
		out = append(out, fmt.Sprintf("redaction leaf %d names original hash %s, the redacted leaf says %s", recIndex, rec.OriginalSHA256, hex.EncodeToString(target.ContentSHA256[:])))
	}
	if rec.Community != target.Community {
		out = append(out, fmt.Sprintf("redaction leaf %d is of community %d, the redacted leaf of %d", recIndex, rec.Community, target.Community))
	}
	if got := ContentHash256(content); got != rec.RedactedSHA256 {
		out = append(out, fmt.Sprintf("the redacted content hashes to %s, but redaction leaf %d says %s: it was changed after the redaction", got, recIndex, rec.RedactedSHA256))
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return append(out, fmt.Sprintf("the redacted content is not a JSON object: %v", err))
	}
	names := make([]string, 0, len(rec.Fields))
	for name := range rec.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	mask, _ := utf8.DecodeRuneInString(Mask)
	for _, name := range names {
		f := rec.Fields[name]
		s, ok := obj[name].(string)
		if !ok {
			out = append(out, fmt.Sprintf("redaction leaf %d masks field %q, which the content does not have as text", recIndex, name))
			continue
		}
		runes := []rune(s)
		if len(runes) != f.Length {
			out = append(out, fmt.Sprintf("field %q is %d characters long, redaction leaf %d says %d: masking never changes a length", name, len(runes), recIndex, f.Length))
			continue
		}
		for _, sp := range f.Spans {
			for i := sp.Start; i < sp.End; i++ {
				if runes[i] != mask {
					out = append(out, fmt.Sprintf("field %q character %d is %q, not the mask %s, inside a span of redaction leaf %d", name, i, runes[i], Mask, recIndex))
					break
				}
			}
		}
	}
	return out
}

// CheckRedactionChain checks that rec (leaf recIndex) follows prev (leaf
// prevIndex) of the same version: it names it as previous and keeps all of
// its spans and files, so a later redaction can only mask more.
func CheckRedactionChain(rec *RedactionRecord, recIndex int64, prev *RedactionRecord, prevIndex int64) []string {
	var out []string
	if rec.Previous == nil || *rec.Previous != prevIndex {
		out = append(out, fmt.Sprintf("redaction leaf %d does not name the earlier redaction leaf %d of the same version as previous", recIndex, prevIndex))
	}
	for name, old := range prev.Fields {
		if !rec.Fields[name].covers(old) {
			out = append(out, fmt.Sprintf("redaction leaf %d unmasks field %q masked by redaction leaf %d", recIndex, name, prevIndex))
		}
	}
	for _, f := range prev.Files {
		if !slices.Contains(rec.Files, f) {
			out = append(out, fmt.Sprintf("redaction leaf %d puts back file %s taken down by redaction leaf %d", recIndex, f, prevIndex))
		}
	}
	return out
}

// ContentHash256 is the lower-case hex SHA-256 of canonical content.
func ContentHash256(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// RedactedContent is what a ContentSource returns (as its error) for a
// version whose content was redacted: the content as it reads now, and
// the index of the redaction leaf its row names (-1 for none). It matches
// ErrRedacted, so callers that only count redactions keep working.
type RedactedContent struct {
	Content []byte
	By      int64
	// Problem is what the feature found wrong with the columns it shows
	// beside the content (who, when, why), if anything.
	Problem error
}

func (r *RedactedContent) Error() string {
	if r.By < 0 {
		return "content redacted without a redaction leaf"
	}
	return "content redacted by leaf " + strconv.FormatInt(r.By, 10)
}

// Is makes errors.Is(err, ErrRedacted) true.
func (r *RedactedContent) Is(target error) bool { return target == ErrRedacted }

// asRedacted returns err's RedactedContent, if it has one.
func asRedacted(err error) (*RedactedContent, bool) {
	var rc *RedactedContent
	ok := errors.As(err, &rc)
	return rc, ok
}
