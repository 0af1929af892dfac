package qa

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Guessing tracking codes. A code is the only key to an item's private
// side (its photos, contact, confirming and reopening) and to a
// complaint's progress, and 29^10 codes make guessing hopeless only at a
// bounded rate. So an address that has looked up MaxCodeMisses codes that
// match nothing within CodeMissWindow is refused every lookup, right or
// wrong, until the window has passed: refusing only the wrong ones would
// tell it which guesses were right. A resident following their own code
// never misses, so looking it up again and again is never refused. Misses
// are rows of qa_throttle, like the submission limits, so every app node
// counts them together.
const (
	MaxCodeMisses  = 20
	CodeMissWindow = time.Hour
)

var (
	errMalformedCode = mingbai.Errorf(mingbai.ENOTFOUND, "查询码不对：查询码是 10 位字母和数字，例如 7KX2M-9QH4D。")
	errUnknownCode   = mingbai.Errorf(mingbai.ENOTFOUND, "没有找到这个查询码，请核对后再试。")
)

// IsUnknownCode reports whether err says that a well-formed tracking code
// matched nothing: a miss that CountCodeMiss counts. A malformed code is
// refused before any lookup and tells a guesser nothing, so it is no miss.
func IsUnknownCode(err error) bool { return errors.Is(err, errUnknownCode) }

func codeMissKey(ip string) string { return "code-miss:" + ip }

// CheckCodeLookup refuses a tracking-code lookup from an address that has
// missed MaxCodeMisses times within CodeMissWindow.
func (s *Service) CheckCodeLookup(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	return s.db.Read(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, throttleCountSQL, codeMissKey(ip), s.clock().Add(-CodeMissWindow)).Scan(&n); err != nil {
			return fmt.Errorf("count code misses: %w", err)
		}
		if n >= MaxCodeMisses {
			return mingbai.Errorf(mingbai.ETOOMANY, "这台设备查询码输错的次数太多，请一小时后再查。如忘记查询码，请联系社区居委会。")
		}
		return nil
	})
}

// CountCodeMiss records that a lookup from the address matched nothing.
func (s *Service) CountCodeMiss(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, throttleAddSQL, codeMissKey(ip), s.clock()); err != nil {
			return fmt.Errorf("count code miss: %w", err)
		}
		return nil
	})
}
