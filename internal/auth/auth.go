// Package auth holds Mingbai's accounts, their roles on org units, login
// sessions and the self-registration of residents. It is a service the web
// layer and the command line call; it knows nothing of HTTP (cookies and
// CSRF live in the web layer).
//
// Passwords are hashed with argon2id; session tokens are random and only
// their SHA-256 is stored; failed logins are counted in the database so
// throttling holds across any number of app nodes, and slow down the
// address that guesses, never lock the account; and the answers to a
// wrong login and a wrong password, or to a registration with a known or
// a new phone, are the same, in words and in work, so nobody can learn
// which phone numbers have accounts. Every account has a home district,
// and only that district's admins list, read or change it (AdminUsers,
// ManagedUser).
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"mingbai"
	"mingbai/internal/store"
)

// Session and throttling limits (issue 2: idle 2 h, absolute 7 d). Wrong
// passwords are throttled per account and address together (issue 13): an
// address that guesses at an account waits, the account's owner elsewhere
// does not, and no account or address is ever locked outright, so nobody
// can lock a cadre out by typing wrong passwords for them.
const (
	IdleTimeout   = 2 * time.Hour      // a session unused this long ends
	MaxSessionAge = 7 * 24 * time.Hour // a session ends this long after login whatever its use
	touchEvery    = time.Minute        // last_seen_at is written at most this often, to spare the writer

	pairFreeFailures = 5                // wrong passwords of one account from one address before waits begin
	firstWait        = time.Second      // the wait after those, doubling with each further failure
	maxWait          = 15 * time.Minute // the longest wait
	// pairWindow is how long a failure counts for its account and address,
	// unless the right password from that address ends the run first.
	// Longer than maxWait, so the waits of a patient guesser reach it.
	pairWindow = 24 * time.Hour
	// hotAddressFailures failures from one address within hotWindow, over
	// all accounts, make it hot: then its waits begin at the first failure
	// of an account. Generous, because a community's residents share one
	// address (a NAT); an account with no failure from the address is
	// never made to wait.
	hotAddressFailures = 100
	hotWindow          = 15 * time.Minute
	burstKeep          = 30 * 24 * time.Hour // how long district admins see a burst of failures

	// Registrations per address within registerWindow. A community office
	// helping its elderly residents sign up sends them all from one
	// address, so the limit is far above a family's needs.
	registerLimit  = 20
	registerWindow = time.Hour
)

// Service manages accounts, roles, sessions and registrations.
type Service struct {
	db     *store.DB
	now    mingbai.Clock
	params HashParams

	// hashSlots bounds concurrent argon2 work: each hash takes DefaultHashParams'
	// 64 MiB, and a burst of logins must queue rather than exhaust memory.
	hashSlots chan struct{}

	dummyOnce sync.Once
	dummyHash string
	dummyErr  error

	logger *slog.Logger // warns of bursts of failed logins

	// verifications counts password checks, so a test can prove that a
	// login for a missing account does the same work as a wrong password.
	verifications atomic.Int64
}

// NewService returns a Service on db using the clock now and the default
// hash parameters.
func NewService(db *store.DB, now mingbai.Clock) *Service {
	return &Service{
		db:        db,
		now:       now,
		params:    DefaultHashParams,
		hashSlots: make(chan struct{}, runtime.NumCPU()),
		logger:    slog.Default(),
	}
}

// SetLogger sets where warnings of login attacks go (slog.Default()
// otherwise).
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// SetHashParams changes the argon2id parameters of new hashes. Call it
// before first use; tests use it with TestHashParams to stay fast.
func (s *Service) SetHashParams(p HashParams) { s.params = p }

// clock returns the current time in UTC at the precision both databases
// keep, so times compare equal after a round trip.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// hash hashes password, waiting for a free slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return hashPassword(password, s.params)
}

// verify checks password against encoded, waiting for a free slot.
func (s *Service) verify(ctx context.Context, encoded, password string) (ok, stale bool, err error) {
	if err := s.acquire(ctx); err != nil {
		return false, false, err
	}
	defer s.release()
	s.verifications.Add(1)
	return checkPassword(encoded, password, s.params)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) release() { <-s.hashSlots }

// dummy returns a hash of a password nobody knows, made with the current
// parameters, so that a login for a missing account costs the same work as
// one for an existing account.
func (s *Service) dummy() (string, error) {
	s.dummyOnce.Do(func() { s.dummyHash, s.dummyErr = hashPassword("mingbai-no-such-account", s.params) })
	return s.dummyHash, s.dummyErr
}

// UserStatus is where an account stands.
type UserStatus string

// The statuses of an account.
const (
	StatusActive   UserStatus = "active"   // may log in
	StatusPending  UserStatus = "pending"  // registered, awaiting a cadre's verification
	StatusRejected UserStatus = "rejected" // registration turned down, with a reason
	StatusDisabled UserStatus = "disabled" // switched off by an administrator
)

// Label is the Chinese name of a status.
func (st UserStatus) Label() string {
	switch st {
	case StatusActive:
		return "正常"
	case StatusPending:
		return "待审核"
	case StatusRejected:
		return "未通过"
	case StatusDisabled:
		return "已停用"
	}
	return string(st)
}

func (st UserStatus) valid() bool { return st.Label() != string(st) }

// User is an account. Grants holds its live roles.
type User struct {
	ID           int64
	Username     string
	Phone        string
	Name         string
	BuildingUnit string // 楼栋单元 a resident gave at registration
	Status       UserStatus
	CommunityID  int64 // the community registered in, 0 if none
	DistrictID   int64 // the home district, whose admins manage the account; 0 if none yet
	RejectReason string
	CreatedAt    time.Time
	Grants       []mingbai.Grant
}

// Login is what the user types to log in: the username, else the phone.
func (u *User) Login() string {
	if u.Username != "" {
		return u.Username
	}
	return u.Phone
}

var errNoRows = sql.ErrNoRows

func notFoundUser(err error) error {
	if errors.Is(err, errNoRows) {
		return mingbai.Errorf(mingbai.ENOTFOUND, "用户不存在")
	}
	return err
}

// Validation of what people type.

var usernameRE = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// normalizeUsername lower-cases and trims a username; the empty string
// means none.
func normalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return mingbai.FieldError("username", "用户名须为 3–32 位小写字母、数字或 _ . - 符号")
	}
	if strings.Trim(u, "0123456789") == "" {
		// An all-digit username could be taken for someone's phone number at login.
		return mingbai.FieldError("username", "用户名不能全是数字")
	}
	return nil
}

var phoneRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// normalizePhone removes the spaces, dashes and +86 prefix people type
// around a mainland mobile number.
func normalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s
}

func validatePhone(p string) error {
	if !phoneRE.MatchString(p) {
		return mingbai.FieldError("phone", "请输入正确的手机号（11 位数字，以 1 开头）")
	}
	return nil
}

const (
	minPasswordLen = 8
	maxPasswordLen = 256 // argon2 takes any length; this keeps requests small
)

func validatePassword(field, password string, others ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n == 0:
		return mingbai.FieldError(field, "请设置密码")
	case n < minPasswordLen:
		return mingbai.FieldError(field, "密码至少 %d 位", minPasswordLen)
	case len(password) > maxPasswordLen:
		return mingbai.FieldError(field, "密码太长，请不超过 %d 个字符", maxPasswordLen)
	case strings.Trim(password, "0123456789") == "":
		return mingbai.FieldError(field, "密码不能全是数字，请加入字母或符号")
	}
	for _, o := range others {
		if o != "" && (strings.EqualFold(password, o) || normalizePhone(password) == o) {
			return mingbai.FieldError(field, "密码不能与用户名或手机号相同")
		}
	}
	return nil
}

// nullable turns "" into SQL NULL and keeps anything else as a string.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullableID turns 0 into SQL NULL.
func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// throttled is the error of an attempt that must wait: ETOOMANY with the
// wait, for a Retry-After header (see RetryAfter).
type throttled struct {
	err  *mingbai.Error
	wait time.Duration
}

func (t *throttled) Error() string { return t.err.Error() }
func (t *throttled) Unwrap() error { return t.err }

// waitMessage tells a throttled user how long to wait, in seconds under a
// minute and in whole minutes above.
func waitMessage(wait time.Duration) error {
	if wait < time.Minute {
		secs := max(int((wait+time.Second-1)/time.Second), 1)
		return &throttled{mingbai.Errorf(mingbai.ETOOMANY, "密码错误次数较多，请 %d 秒后再试", secs), wait}
	}
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return &throttled{mingbai.Errorf(mingbai.ETOOMANY, "密码错误次数较多，请 %d 分钟后再试", minutes), wait}
}

// RetryAfter is how long a throttled login must wait, when err says so.
func RetryAfter(err error) (time.Duration, bool) {
	var t *throttled
	if errors.As(err, &t) {
		return t.wait, true
	}
	return 0, false
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var me *mingbai.Error
	if errors.As(err, &me) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
