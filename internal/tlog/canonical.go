package tlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Canonical JSON, defined once for leaves and for the content they hash
// (docs/log.md is the specification for outside auditors):
//
//   - objects have their keys sorted by their UTF-8 bytes, each key once;
//   - no whitespace outside strings;
//   - strings are UTF-8 in Unicode Normalization Form C; only '"', '\\' and
//     the control characters U+0000..U+001F are escaped, as \" \\ \b \f \n
//     \r \t or \u00xx (lower-case hex); everything else is written as is;
//   - numbers are integers between -2^63 and 2^63-1, written in decimal
//     without a plus sign, leading zeros, fraction or exponent ("-0" is
//     written "0"); floating-point numbers are refused;
//   - true, false and null as usual.
//
// Canonical produces this form from any Go value encoding/json can marshal,
// so a feature hashes its content by handing its public struct to
// ContentHash.

// Canonical returns the canonical JSON encoding of v.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes the JSON text data in canonical form.
func CanonicalizeJSON(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("canonical json: not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if dec.More() {
		return nil, errors.New("canonical json: trailing data after the value")
	}
	var b bytes.Buffer
	b.Grow(len(data))
	if err := writeCanonical(&b, v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return b.Bytes(), nil
}

// IsCanonical reports whether data is already in canonical form.
func IsCanonical(data []byte) bool {
	c, err := CanonicalizeJSON(data)
	return err == nil && bytes.Equal(c, data)
}

// ContentHash returns the SHA-256 of the canonical JSON of v: the
// content_sha256 a feature puts in its leaf's envelope.
func ContentHash(v any) ([32]byte, error) {
	c, err := Canonical(v)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(c), nil
}

var (
	minInt64 = big.NewInt(-1 << 63)
	maxInt64 = big.NewInt(1<<63 - 1)
)

func writeCanonical(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		n, ok := new(big.Int).SetString(string(v), 10)
		if !ok {
			return fmt.Errorf("number %s is not an integer: canonical JSON has integers only", v)
		}
		if n.Cmp(minInt64) < 0 || n.Cmp(maxInt64) > 0 {
			return fmt.Errorf("integer %s does not fit in 64 bits", v)
		}
		b.WriteString(n.String())
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		// Keys are normalised before sorting, so two keys that differ only
		// in normalisation collide here and are refused.
		keys := make([]string, 0, len(v))
		vals := make(map[string]any, len(v))
		for k, e := range v {
			nk := norm.NFC.String(k)
			if _, dup := vals[nk]; dup {
				return fmt.Errorf("key %q appears twice after NFC normalisation", nk)
			}
			vals[nk] = e
			keys = append(keys, nk)
		}
		slices.Sort(keys) // Go compares strings by bytes: UTF-8 order
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeCanonical(b, vals[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value of type %T", v)
	}
	return nil
}

const hexDigits = "0123456789abcdef"

func writeString(b *bytes.Buffer, s string) {
	s = norm.NFC.String(s)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}
