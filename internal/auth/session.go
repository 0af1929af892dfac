package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Session is a login. Token is the secret for the cookie and is set only
// by Login; the database keeps just its SHA-256. ID is a public handle (a
// prefix of that hash) for lists of sessions and Actor.SessionID.
type Session struct {
	Token      string
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, MaxSessionAge after login
	IP         string
}

// IdleDeadline is when the session ends if it is not used before.
func (s *Session) IdleDeadline() time.Time { return s.LastSeenAt.Add(IdleTimeout) }

const tokenBytes = 32

// errBadLogin is the one answer to a wrong login and to a wrong password.
func errBadLogin() error {
	return mingbai.Errorf(mingbai.EUNAUTHORIZED, "手机号/用户名或密码不正确")
}

func errNoSession() error { return mingbai.Errorf(mingbai.EUNAUTHORIZED, "请先登录") }

func errExpired() error {
	return mingbai.Errorf(mingbai.EUNAUTHORIZED, "登录已过期，请重新登录")
}

func newToken() (token string, hash string, err error) {
	var raw [tokenBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), hashToken(raw[:]), nil
}

func hashToken(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// tokenHash checks the form of a token from a cookie and returns its hash.
func tokenHash(token string) (string, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	return hashToken(raw), true
}

// sessionID is the public handle of a session: 64 bits of its token's hash,
// which reveal nothing of the token.
func sessionID(hash string) string { return hash[:16] }

// Login checks a username or phone number and a password and starts a new
// session with a fresh token (never reusing one, so a planted cookie cannot
// fix a session). ip is the client's address for throttling ("" when
// unknown).
//
// A wrong login and a wrong password get the same message after the same
// work, a password hash. Failures are counted per account (or per login as
// typed, when it matches no account) and address together: after
// pairFreeFailures the address waits before its next try at that account,
// a wait that doubles up to maxWait, whether the account exists or not.
// The account itself is never locked: its owner, from an address with no
// recent failure, always gets in with the right password.
func (s *Service) Login(ctx context.Context, login, password, ip string) (*Session, error) {
	if strings.TrimSpace(login) == "" {
		return nil, mingbai.FieldError("login", "请输入手机号或用户名")
	}
	if password == "" {
		return nil, mingbai.FieldError("password", "请输入密码")
	}
	if len(password) > maxPasswordLen {
		return nil, errBadLogin()
	}
	dummy, err := s.dummy()
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	ip = strings.TrimSpace(ip)
	now := s.clock()

	var (
		u       *User
		encoded string
		key     string
		wait    time.Duration
	)
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, encoded, err = userByLogin(ctx, tx, login)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u, encoded = nil, dummy
			_, arg := loginLookup(login)
			key = "login:" + arg
		case err != nil:
			return err
		default:
			key = "user:" + strconv.FormatInt(u.ID, 10)
		}
		wait, err = pairWait(ctx, tx, now, key, ip)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if wait > 0 {
		return nil, waitMessage(wait)
	}

	ok, stale, err := s.verify(ctx, encoded, password)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if u == nil || !ok {
		var userID int64
		if u != nil {
			userID = u.ID
		}
		if err := s.recordFailure(ctx, now, key, userID, ip); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, errBadLogin()
	}

	// Only someone who knows the password learns the account's state.
	switch u.Status {
	case StatusPending:
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "您的注册正在等待社区工作人员审核，审核通过后即可登录")
	case StatusRejected:
		msg := "您的注册未通过社区审核"
		if u.RejectReason != "" {
			msg += "：" + u.RejectReason
		}
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "%s", msg)
	case StatusDisabled:
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "该账号已停用，如有疑问请联系社区")
	}

	var rehash string
	if stale {
		// The hash was made with older parameters: redo it while the
		// password is at hand.
		if rehash, err = s.hash(ctx, password); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	sess := &Session{
		Token: token, ID: sessionID(hash), UserID: u.ID, IP: ip,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(MaxSessionAge),
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, id, user_id, ip, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hash, sess.ID, u.ID, ip, now, now, sess.ExpiresAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", now, u.ID); err != nil {
			return err
		}
		// The right password ends this address's run of failures at the
		// account (the owner's typos), not other addresses'.
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE account_key = ? AND ip = ?", key, ip); err != nil {
			return err
		}
		if rehash != "" {
			if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", rehash, u.ID, encoded); err != nil {
				return err
			}
		}
		// Sweep this account's dead sessions so they do not pile up.
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND (expires_at <= ? OR last_seen_at <= ?)",
			u.ID, now, now.Add(-IdleTimeout))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("login: start session for user %d: %w", u.ID, err)
	}
	return sess, nil
}

// pairWait returns how long the address ip must still wait before trying
// the account key again, 0 if it need not: after pairFreeFailures failures
// of the pair within pairWindow (one, when the address is hot), firstWait
// after the latest failure, doubling with each further failure up to
// maxWait.
func pairWait(ctx context.Context, tx *store.Tx, now time.Time, key, ip string) (time.Duration, error) {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE account_key = ? AND ip = ? AND failed_at > ?",
		key, ip, now.Add(-pairWindow)).Scan(&n); err != nil {
		return 0, fmt.Errorf("login failures: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	free := pairFreeFailures
	if ip != "" && n < free {
		var all int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE ip = ? AND failed_at > ?",
			ip, now.Add(-hotWindow)).Scan(&all); err != nil {
			return 0, fmt.Errorf("login failures: %w", err)
		}
		if all >= hotAddressFailures {
			free = 1
		}
	}
	if n < free {
		return 0, nil
	}
	var last time.Time
	if err := tx.QueryRow(ctx, "SELECT failed_at FROM login_failures WHERE account_key = ? AND ip = ? ORDER BY failed_at DESC LIMIT 1",
		key, ip).Scan(&last); err != nil {
		return 0, fmt.Errorf("login failures: %w", err)
	}
	wait := maxWait
	if d := n - free; d < 20 {
		wait = min(firstWait<<d, maxWait)
	}
	return max(last.Add(wait).Sub(now), 0), nil
}

// recordFailure counts a failed login of the account key (userID, 0 for a
// login that matches no account) from ip. From the pair's
// pairFreeFailures-th failure within pairWindow on, the failures are a
// burst: recorded for the account's district admins (LoginBursts) and
// logged.
func (s *Service) recordFailure(ctx context.Context, now time.Time, key string, userID int64, ip string) error {
	var n int
	var opened bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		opened = false
		if _, err := tx.Exec(ctx, "INSERT INTO login_failures (account_key, ip, failed_at) VALUES (?, ?, ?)", key, ip, now); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE account_key = ? AND ip = ? AND failed_at > ?",
			key, ip, now.Add(-pairWindow)).Scan(&n); err != nil {
			return err
		}
		if n < pairFreeFailures {
			return nil
		}
		res, err := tx.Exec(ctx, `UPDATE login_bursts SET failures = failures + 1, last_at = ?
			WHERE account_key = ? AND ip = ? AND last_at > ?`, now, key, ip, now.Add(-pairWindow))
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k > 0 {
			return err
		}
		opened = true
		_, err = tx.Exec(ctx, `INSERT INTO login_bursts (account_key, user_id, ip, failures, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, ?)`, key, nullableID(userID), ip, n, now, now)
		return err
	})
	if err != nil {
		return err
	}
	if n >= pairFreeFailures && (opened || n&(n-1) == 0) {
		// At the burst's start and at each doubling, not at every guess.
		s.logger.Warn("burst of failed logins", "account", key, "ip", ip, "failures", n)
	}
	return nil
}

// LoginBurst is a run of failed logins on one account from one address.
type LoginBurst struct {
	UserID   int64
	Name     string
	Login    string
	IP       string
	Failures int
	FirstAt  time.Time
	LastAt   time.Time
}

// LoginBursts lists the recent bursts of failed logins on accounts whose
// home district actor administers, newest first: guessing at passwords
// that the throttle slowed down, for the admins to see and act on.
func (s *Service) LoginBursts(ctx context.Context, actor *mingbai.Actor) ([]LoginBurst, error) {
	districts := actor.Units(mingbai.RoleDistrictAdmin)
	if len(districts) == 0 {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有区管理员可以查看登录异常")
	}
	args := []any{s.clock().Add(-burstKeep)}
	for _, d := range districts {
		args = append(args, d)
	}
	var list []LoginBurst
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		list, err = store.QueryAll(ctx, tx, func(sc store.Scanner) (LoginBurst, error) {
			var b LoginBurst
			err := sc.Scan(&b.UserID, &b.Name, &b.Login, &b.IP, &b.Failures, &b.FirstAt, &b.LastAt)
			b.FirstAt, b.LastAt = b.FirstAt.UTC(), b.LastAt.UTC()
			return b, err
		}, `SELECT b.user_id, u.name, COALESCE(u.username, u.phone, ''), b.ip, b.failures, b.first_at, b.last_at
			FROM login_bursts b JOIN users u ON u.id = b.user_id
			WHERE b.last_at > ? AND u.district_id IN (?`+strings.Repeat(", ?", len(districts)-1)+`)
			ORDER BY b.last_at DESC, b.id DESC LIMIT 200`, args...)
		return err
	})
	return list, wrap("login bursts", err)
}

// Session returns the live session for a token from a cookie and the
// account acting through it. A missing, expired or ended session, or one
// of an account no longer active, is EUNAUTHORIZED.
func (s *Service) Session(ctx context.Context, token string) (*Session, *mingbai.Actor, error) {
	hash, ok := tokenHash(token)
	if !ok {
		return nil, nil, errNoSession()
	}
	now := s.clock()
	var sess Session
	var status string
	var a *mingbai.Actor
	expired := false
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `SELECT s.id, s.user_id, s.ip, s.created_at, s.last_seen_at, s.expires_at, u.status
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash).
			Scan(&sess.ID, &sess.UserID, &sess.IP, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession()
		}
		if err != nil {
			return err
		}
		if !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleDeadline()) {
			expired = true
			return nil
		}
		if UserStatus(status) != StatusActive {
			return errNoSession()
		}
		a, err = actor(ctx, tx, sess.UserID)
		return err
	})
	if err != nil {
		return nil, nil, wrap("session", err)
	}
	if expired {
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hash)
			return err
		}); err != nil {
			return nil, nil, fmt.Errorf("end expired session: %w", err)
		}
		return nil, nil, errExpired()
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		// Written at most once a minute per session: every request reads the
		// session, and SQLite has one writer.
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", now, hash)
			return err
		}); err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC()
	a.SessionID = sess.ID
	return &sess, a, nil
}

// Logout ends the session of token. Ending a session that is already gone
// is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash, ok := tokenHash(token)
	if !ok {
		return nil
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hash)
		return err
	})
	return wrap("logout", err)
}

// LogoutEverywhere ends every session of the account.
func (s *Service) LogoutEverywhere(ctx context.Context, userID int64) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		return err
	})
	return wrap(fmt.Sprintf("logout everywhere user %d", userID), err)
}

// Sessions lists the account's live sessions, newest first, for the
// account page ("where am I logged in").
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	now := s.clock()
	var list []Session
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		list, err = store.QueryAll(ctx, tx, func(sc store.Scanner) (Session, error) {
			var ss Session
			err := sc.Scan(&ss.ID, &ss.UserID, &ss.IP, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt)
			ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC()
			return ss, err
		}, `SELECT id, user_id, ip, created_at, last_seen_at, expires_at FROM sessions
			WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY created_at DESC`,
			userID, now, now.Add(-IdleTimeout))
		return err
	})
	return list, wrap(fmt.Sprintf("sessions of user %d", userID), err)
}

// EndSession ends one session of the account by its public id. The
// account is part of the key, so nobody can end another account's session.
func (s *Service) EndSession(ctx context.Context, userID int64, id string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id = ?", userID, id)
		return err
	})
	return wrap("end session", err)
}

// Purge deletes expired sessions, login failures older than they count, bursts older than admins are shown them, and
// registration attempts older than their window. The chores loop of serve
// runs it; correctness never depends on it.
func (s *Service) Purge(ctx context.Context) error {
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", now, now.Add(-IdleTimeout)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE failed_at <= ?", now.Add(-pairWindow)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM login_bursts WHERE last_at <= ?", now.Add(-burstKeep)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM register_attempts WHERE at <= ?", now.Add(-registerWindow))
		return err
	})
	return wrap("purge sessions", err)
}

// SiteKey returns the random key named name that every app node shares
// (the web layer MACs its CSRF tokens with "csrf"), made on first use.
func (s *Service) SiteKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("site key %s: %w", name, err)
	}
	var key []byte
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		// Two nodes starting together both insert; the first wins and both
		// read its key.
		if _, err := tx.Exec(ctx, "INSERT INTO site_keys (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, fresh); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT secret FROM site_keys WHERE name = ?", name).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("site key %s: %w", name, err)
	}
	return key, nil
}
