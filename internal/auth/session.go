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

// Deadline is when the session ends if it is not used: the earlier of the
// idle and the absolute end.
func (s *Session) Deadline() time.Time {
	if d := s.IdleDeadline(); d.Before(s.ExpiresAt) {
		return d
	}
	return s.ExpiresAt
}

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
// work, a password hash; failures are counted per account (or per login as
// typed, when it matches no account) and per address, and too many lock
// further attempts for a while with ETOOMANY, whether the account exists
// or not.
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
		u         *User
		encoded   string
		key       string
		lastLogin *time.Time
		wait      time.Duration
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
			if err := tx.QueryRow(ctx, "SELECT last_login_at FROM users WHERE id = ?", u.ID).Scan(&lastLogin); err != nil {
				return err
			}
		}
		wait, err = lockedFor(ctx, tx, now, key, ip)
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
		since := now.Add(-failureWindow)
		if lastLogin != nil && lastLogin.After(since) {
			// A correct password ends the run of failures before it.
			since = *lastLogin
		}
		if err := s.recordFailure(ctx, now, key, ip, since); err != nil {
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

// lockedFor returns how long the account key or the address is still
// locked, 0 if neither is.
func lockedFor(ctx context.Context, tx *store.Tx, now time.Time, key, ip string) (time.Duration, error) {
	rows, err := tx.Query(ctx, "SELECT locked_until FROM login_locks WHERE lock_key IN (?, ?)", key, "ip:"+ip)
	if err != nil {
		return 0, fmt.Errorf("login locks: %w", err)
	}
	defer rows.Close()
	var wait time.Duration
	for rows.Next() {
		var until time.Time
		if err := rows.Scan(&until); err != nil {
			return 0, fmt.Errorf("login locks: %w", err)
		}
		wait = max(wait, until.Sub(now))
	}
	return wait, rows.Err()
}

// recordFailure counts a failed login and locks the account key or the
// address when it reaches its limit. Account failures count from since
// (the window's start, or the last successful login if later).
func (s *Service) recordFailure(ctx context.Context, now time.Time, key, ip string, since time.Time) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO login_failures (account_key, ip, failed_at) VALUES (?, ?, ?)", key, ip, now); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE account_key = ? AND failed_at > ?", key, since).Scan(&n); err != nil {
			return err
		}
		if n >= accountFailureLimit {
			if err := lock(ctx, tx, key, now.Add(lockDuration)); err != nil {
				return err
			}
		}
		if ip == "" {
			return nil
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE ip = ? AND failed_at > ?", ip, now.Add(-failureWindow)).Scan(&n); err != nil {
			return err
		}
		if n >= ipFailureLimit {
			return lock(ctx, tx, "ip:"+ip, now.Add(lockDuration))
		}
		return nil
	})
}

func lock(ctx context.Context, tx *store.Tx, key string, until time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO login_locks (lock_key, locked_until) VALUES (?, ?)
		ON CONFLICT (lock_key) DO UPDATE SET locked_until = excluded.locked_until`, key, until)
	return err
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
		rows, err := tx.Query(ctx, `SELECT id, user_id, ip, created_at, last_seen_at, expires_at FROM sessions
			WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY created_at DESC`,
			userID, now, now.Add(-IdleTimeout))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ss Session
			if err := rows.Scan(&ss.ID, &ss.UserID, &ss.IP, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt); err != nil {
				return err
			}
			ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC()
			list = append(list, ss)
		}
		return rows.Err()
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

// Purge deletes expired sessions, login failures older than the
// throttling window and ended locks. Run it now and then (hourly is
// plenty); correctness never depends on it.
func (s *Service) Purge(ctx context.Context) error {
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", now, now.Add(-IdleTimeout)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE failed_at <= ?", now.Add(-failureWindow)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM login_locks WHERE locked_until <= ?", now)
		return err
	})
	return wrap("purge sessions", err)
}
