package tlog

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Envelope is what a feature's leaf says about one published version of
// one public object. The leaf is the envelope's canonical JSON; the content
// itself stays in the feature's tables, so personal data can be redacted
// from it without breaking the log (the hash stays).
type Envelope struct {
	Kind      string // what was published: "disclosure", "ledger_entry", "answer", …
	Community int64  // the community org unit, 0 for district-wide
	Object    string // the object's id within its kind
	Version   int64  // 1 for the first version of the object, then 2, 3, …
	// Time is when the version was published. The leaf keeps it in UTC to
	// the second.
	Time          time.Time
	ContentSHA256 [32]byte // SHA-256 of the version's canonical content (ContentHash)
	Corrects      *int64   // leaf index of the version this one corrects, if any
	Withdraws     *int64   // leaf index of the version this one withdraws, if any
}

// envelopeJSON is the wire form; its fields are in canonical key order.
type envelopeJSON struct {
	Community     int64  `json:"community"`
	ContentSHA256 string `json:"content_sha256"`
	Corrects      *int64 `json:"corrects,omitempty"`
	Kind          string `json:"kind"`
	Object        string `json:"object"`
	Time          string `json:"time"`
	Version       int64  `json:"version"`
	Withdraws     *int64 `json:"withdraws,omitempty"`
}

// TimeFormat is how the envelope writes its time: RFC 3339 in UTC, whole
// seconds.
const TimeFormat = "2006-01-02T15:04:05Z"

// MaxEntrySize is the largest leaf the log takes: C2SP entry bundles give
// each entry a 16-bit length.
const MaxEntrySize = 1<<16 - 1

// Validate checks that the envelope can become a leaf.
func (e Envelope) Validate() error {
	switch {
	case !validKind(e.Kind):
		return fmt.Errorf("envelope: kind %q must be lower-case letters, digits and _", e.Kind)
	case e.Object == "":
		return errors.New("envelope: object id is empty")
	case e.Version < 1:
		return fmt.Errorf("envelope: version %d must be 1 or more", e.Version)
	case e.Community < 0:
		return fmt.Errorf("envelope: community %d is negative", e.Community)
	case e.Time.IsZero():
		return errors.New("envelope: time is not set")
	case e.ContentSHA256 == [32]byte{}:
		return errors.New("envelope: content hash is not set")
	case e.Corrects != nil && *e.Corrects < 0, e.Withdraws != nil && *e.Withdraws < 0:
		return errors.New("envelope: a corrected or withdrawn leaf index is negative")
	}
	return nil
}

func validKind(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range []byte(k) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// MarshalLeaf returns the canonical JSON of the envelope: the exact bytes
// of its leaf.
func (e Envelope) MarshalLeaf() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(envelopeJSON{
		Community:     e.Community,
		ContentSHA256: hex.EncodeToString(e.ContentSHA256[:]),
		Corrects:      e.Corrects,
		Kind:          e.Kind,
		Object:        e.Object,
		Time:          e.Time.UTC().Format(TimeFormat),
		Version:       e.Version,
		Withdraws:     e.Withdraws,
	})
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	// encoding/json escapes <, > and & and does not normalise strings;
	// CanonicalizeJSON makes it the one canonical form.
	leaf, err := CanonicalizeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	if len(leaf) > MaxEntrySize {
		return nil, fmt.Errorf("envelope: %d bytes is too large for a leaf", len(leaf))
	}
	return leaf, nil
}

// ParseEnvelope reads a leaf written by MarshalLeaf. It refuses anything
// that is not exactly the canonical form, so a leaf has one meaning.
func ParseEnvelope(leaf []byte) (Envelope, error) {
	if !IsCanonical(leaf) {
		return Envelope{}, errors.New("leaf is not canonical JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(leaf))
	dec.DisallowUnknownFields()
	var j envelopeJSON
	if err := dec.Decode(&j); err != nil {
		return Envelope{}, fmt.Errorf("leaf is not an envelope: %w", err)
	}
	e := Envelope{Kind: j.Kind, Community: j.Community, Object: j.Object, Version: j.Version, Corrects: j.Corrects, Withdraws: j.Withdraws}
	h, err := hex.DecodeString(j.ContentSHA256)
	if err != nil || len(h) != 32 {
		return Envelope{}, fmt.Errorf("leaf content_sha256 %q is not 64 hex digits", j.ContentSHA256)
	}
	copy(e.ContentSHA256[:], h)
	if e.Time, err = time.Parse(TimeFormat, j.Time); err != nil {
		return Envelope{}, fmt.Errorf("leaf time %q: %w", j.Time, err)
	}
	again, err := e.MarshalLeaf()
	if err != nil {
		return Envelope{}, fmt.Errorf("leaf: %w", err)
	}
	if !bytes.Equal(again, leaf) {
		return Envelope{}, errors.New("leaf is not in the envelope's canonical form")
	}
	return e, nil
}
