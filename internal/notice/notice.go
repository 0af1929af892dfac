// Package notice is every account's inbox (我的消息) and its mail. The
// 提问栏, complaints and the finance review leave a notice in the same
// transaction as the change it reports, so a notice is never lost or sent
// for a change that was rolled back; a chore mails the notices of accounts
// that asked for mail, at once or as a daily digest.
package notice

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Notice is one message in an account's inbox.
type Notice struct {
	ID        int64
	Kind      string // e.g. reply, overdue, due_soon, reopened, referred, complaint, statement_*
	Text      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Note is a notice to make.
type Note struct {
	Community int64 // the community it concerns, 0 for none
	Item      int64 // the 提问栏 item it concerns, 0 for none
	Kind      string
	Text      string
	Link      string // a path on this site, "" for none
	// Dedup, when set, makes a second note with the same key for the same
	// account a no-op, so sweeps can run any number of times.
	Dedup string
}

// Add makes note for one account, in tx.
func Add(ctx context.Context, tx *store.Tx, user int64, n Note, now time.Time) error {
	if n.Dedup != "" {
		var count int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND dedup = ?", user, n.Dedup).Scan(&count); err != nil {
			return fmt.Errorf("notice %s: %w", n.Dedup, err)
		}
		if count > 0 {
			return nil
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO notices (user_id, community_id, item_id, kind, text, link, dedup, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, user, n.Community, nullID(n.Item), n.Kind, n.Text, n.Link, n.Dedup, now)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", user, err)
	}
	return nil
}

// ToRole makes note for every account that holds role on unit now.
func ToRole(ctx context.Context, tx *store.Tx, role mingbai.Role, unit int64, n Note, now time.Time) error {
	ids, err := Holders(ctx, tx, role, unit)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := Add(ctx, tx, id, n, now); err != nil {
			return err
		}
	}
	return nil
}

// Holders returns the active accounts holding role on unit now.
func Holders(ctx context.Context, tx *store.Tx, role mingbai.Role, unit int64) ([]int64, error) {
	ids, err := store.QueryAll(ctx, tx, store.ScanInt64, `SELECT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role = ? AND g.unit_id = ? AND g.revoked_at IS NULL AND u.status = 'active' ORDER BY g.user_id`, string(role), unit)
	if err != nil {
		return nil, fmt.Errorf("holders of %s on %d: %w", role, unit, err)
	}
	return ids, nil
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// Service reads and marks an account's inbox and mails notices.
type Service struct {
	db   *store.DB
	now  mingbai.Clock
	mail *Mailer
}

// NewService returns the inbox service.
func NewService(db *store.DB, now mingbai.Clock) *Service {
	if now == nil {
		now = mingbai.SystemClock
	}
	return &Service{db: db, now: now}
}

// SetMailer makes the service mail notices through m (nil: inbox only).
func (s *Service) SetMailer(m *Mailer) { s.mail = m }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Inbox returns an account's newest notices and how many are unread.
func (s *Service) Inbox(ctx context.Context, userID int64, limit int) ([]Notice, int, error) {
	var out []Notice
	var unread int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL", userID).Scan(&unread); err != nil {
			return fmt.Errorf("unread: %w", err)
		}
		var err error
		out, err = store.QueryAll(ctx, tx, func(rows store.Scanner) (Notice, error) {
			var n Notice
			var read sql.NullTime
			err := rows.Scan(&n.ID, &n.Kind, &n.Text, &n.Link, &n.CreatedAt, &read)
			if read.Valid {
				t := read.Time.UTC()
				n.ReadAt = &t
			}
			return n, err
		}, "SELECT id, kind, text, link, created_at, read_at FROM notices WHERE user_id = ? ORDER BY id DESC LIMIT ?", userID, limit)
		if err != nil {
			return fmt.Errorf("notices of %d: %w", userID, err)
		}
		return nil
	})
	return out, unread, err
}

// Unread counts an account's unread notices.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL", userID).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("unread notices of %d: %w", userID, err)
	}
	return n, nil
}

// MarkRead marks all of an account's notices read.
func (s *Service) MarkRead(ctx context.Context, userID int64) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL", s.clock(), userID)
		return err
	})
}

// Mail modes.
const (
	MailNone    = "none"
	MailInstant = "instant"
	MailDaily   = "daily"
)

// MailPrefs is how an account wants its notices by email.
type MailPrefs struct {
	Email string
	Mode  string
}

// MailPrefs returns an account's choice (none when never set).
func (s *Service) MailPrefs(ctx context.Context, userID int64) (MailPrefs, error) {
	p := MailPrefs{Mode: MailNone}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, "SELECT email, mode FROM mail_prefs WHERE user_id = ?", userID).Scan(&p.Email, &p.Mode)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	return p, err
}

// SetMailPrefs stores an account's choice: none, at once, or a daily digest.
func (s *Service) SetMailPrefs(ctx context.Context, userID int64, p MailPrefs) error {
	p.Email = strings.TrimSpace(p.Email)
	switch p.Mode {
	case MailNone:
	case MailInstant, MailDaily:
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > 200 {
			return mingbai.FieldError("email", "请填写正确的电子邮箱，例如 zhang@example.com")
		}
	default:
		return mingbai.FieldError("mode", "请选择不发邮件、立即发送或每日汇总")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM mail_prefs WHERE user_id = ?", userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO mail_prefs (user_id, email, mode, last_digest_at) VALUES (?, ?, ?, ?)", userID, p.Email, p.Mode, s.clock())
		return err
	})
}
