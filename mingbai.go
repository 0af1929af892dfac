// Package mingbai holds what every feature of Mingbai shares: the coded
// error with its Chinese message for users, the acting account (Actor) and
// the clock. It imports no other package of the project.
package mingbai

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The web layer maps each to an HTTP status.
const (
	EINVALID      = "invalid"      // bad input: 400 or 422
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409
	EFORBIDDEN    = "forbidden"    // 403
	EUNAUTHORIZED = "unauthorized" // 401
	ETOOMANY      = "too_many"     // 429
	ETOOLARGE     = "too_large"    // 413: a request body over its route's limit
	EUNAVAILABLE  = "unavailable"  // 503: the service refuses writes, e.g. after a failed log check
	EINTERNAL     = "internal"     // 500
)

// Error is an error a user may see. Message is Chinese and written for a
// resident or a cadre; Field, when set, names the form field it is about.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("mingbai %s (%s): %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("mingbai %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one form field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. An internal error
// never leaks its text: the user sees a generic message.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "服务器内部错误"
}

// ErrorField returns the form field an error is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Clock gives the current time. Features take a Clock so deadlines,
// periods and working days can be tested at fixed dates.
type Clock func() time.Time

// SystemClock is the real clock, in UTC.
func SystemClock() time.Time { return time.Now().UTC() }

// FixedClock returns a clock stopped at t.
func FixedClock(t time.Time) Clock { return func() time.Time { return t } }

// Shanghai is the time zone every date is shown in.
var Shanghai = mustLoadShanghai()

func mustLoadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991; a fixed
		// zone is exact for every date Mingbai shows.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}
