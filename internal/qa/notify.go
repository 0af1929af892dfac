package qa

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Notification is one message in an account's in-app inbox.
type Notification struct {
	ID        int64
	Kind      string // reply, overdue, due_soon, reopened, referred
	Text      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// notify adds a notification for one account. dedup, when set, makes a
// second notification with the same key for the same account a no-op, so
// sweeps can run any number of times.
func notify(ctx context.Context, tx *store.Tx, user, community, item int64, kind, text, link, dedup string, now time.Time) error {
	if dedup != "" {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM qa_notifications WHERE user_id = ? AND dedup = ?", user, dedup).Scan(&n); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO qa_notifications (user_id, community_id, item_id, kind, text, link, dedup, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, user, community, nullInt(item), kind, text, link, dedup, now)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", user, err)
	}
	return nil
}

// holders returns the accounts holding role on unit now.
func holders(ctx context.Context, tx *store.Tx, role mingbai.Role, unit int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role = ? AND g.unit_id = ? AND g.revoked_at IS NULL AND u.status = 'active' ORDER BY g.user_id`, string(role), unit)
	if err != nil {
		return nil, fmt.Errorf("holders of %s on %d: %w", role, unit, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// itemLink is where a cadre opens an item.
func itemLink(ctx context.Context, tx *store.Tx, it *Item) (string, error) {
	var slug string
	if err := tx.QueryRow(ctx, "SELECT slug FROM org_units WHERE id = ?", it.CommunityID).Scan(&slug); err != nil {
		return "", fmt.Errorf("community slug: %w", err)
	}
	return fmt.Sprintf("/c/%s/qa/items/%d", slug, it.ID), nil
}

// notifyRole notifies every holder of role on unit about an item.
func notifyRole(ctx context.Context, tx *store.Tx, role mingbai.Role, unit int64, it *Item, kind, text, dedup string, now time.Time) error {
	ids, err := holders(ctx, tx, role, unit)
	if err != nil {
		return err
	}
	link, err := itemLink(ctx, tx, it)
	if err != nil {
		return err
	}
	if role == mingbai.RoleStreetOfficer {
		link = fmt.Sprintf("/qa/referred/%d", it.ID)
		if kind == "overdue" {
			link = ""
		}
	}
	for _, id := range ids {
		if err := notify(ctx, tx, id, it.CommunityID, it.ID, kind, text, link, dedup, now); err != nil {
			return err
		}
	}
	return nil
}

func notifyReferees(ctx context.Context, tx *store.Tx, it *Item, now time.Time) error {
	text := fmt.Sprintf("有一条%s转办给您单位，请在原帖中答复。", it.Kind.Label())
	for _, role := range []mingbai.Role{mingbai.RoleStreetOfficer, mingbai.RoleClerk} {
		ids, err := holders(ctx, tx, role, it.ReferredTo)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := notify(ctx, tx, id, it.CommunityID, it.ID, "referred", text, fmt.Sprintf("/qa/referred/%d", it.ID), fmt.Sprintf("referred:%d:%d", it.ID, it.ReferredTo), now); err != nil {
				return err
			}
		}
	}
	return nil
}

// Notifications returns an account's newest notifications.
func (s *Service) Notifications(ctx context.Context, userID int64, limit int) ([]Notification, int, error) {
	var out []Notification
	var unread int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM qa_notifications WHERE user_id = ? AND read_at IS NULL", userID).Scan(&unread); err != nil {
			return fmt.Errorf("unread: %w", err)
		}
		rows, err := tx.Query(ctx, "SELECT id, kind, text, link, created_at, read_at FROM qa_notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?", userID, limit)
		if err != nil {
			return fmt.Errorf("notifications: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n Notification
			var read sql.NullTime
			if err := rows.Scan(&n.ID, &n.Kind, &n.Text, &n.Link, &n.CreatedAt, &read); err != nil {
				return err
			}
			n.ReadAt = timePtr(read)
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, unread, err
}

// MarkRead marks all of an account's notifications read.
func (s *Service) MarkRead(ctx context.Context, userID int64) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE qa_notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", s.clock(), userID)
		return err
	})
}

// Mail modes.
const (
	MailNone    = "none"
	MailInstant = "instant"
	MailDaily   = "daily"
)

// MailPrefs is how an account wants notifications by email.
type MailPrefs struct {
	Email string
	Mode  string
}

// MailPrefs returns an account's choice (none when never set).
func (s *Service) MailPrefs(ctx context.Context, userID int64) (MailPrefs, error) {
	p := MailPrefs{Mode: MailNone}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, "SELECT email, mode FROM qa_mail_prefs WHERE user_id = ?", userID).Scan(&p.Email, &p.Mode)
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
		if _, err := tx.Exec(ctx, "DELETE FROM qa_mail_prefs WHERE user_id = ?", userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO qa_mail_prefs (user_id, email, mode, last_digest_at) VALUES (?, ?, ?, ?)", userID, p.Email, p.Mode, s.clock())
		return err
	})
}

// Mailer sends email through an SMTP server.
type Mailer struct {
	Addr     string // host:port
	From     string
	Username string // with Password, PLAIN authentication (needs TLS unless localhost)
	Password string
	// BaseURL makes links in mails absolute, e.g. https://gongkai.example.cn
	BaseURL string
}

// Send sends one plain-text mail.
func (m *Mailer) Send(to, subject, body string) error {
	var auth smtp.Auth
	if m.Username != "" {
		host := m.Addr
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + mime(subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	if err := smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg)); err != nil {
		return fmt.Errorf("send mail to %s: %w", to, err)
	}
	return nil
}

// mime encodes a header value with RFC 2047 when it is not ASCII.
func mime(s string) string {
	for _, r := range s {
		if r >= 0x80 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

// DeliverMail sends, when a mailer is set, each unsent notification of
// accounts that chose mail at once, and a digest to accounts that chose a
// daily digest and last had one a day or more ago. A notification is
// marked emailed only after its mail was accepted.
func (s *Service) DeliverMail(ctx context.Context) (sent int, err error) {
	if s.mail == nil {
		return 0, nil
	}
	type pending struct {
		user        int64
		email, mode string
		ids         []int64
		lines       []string
	}
	now := s.clock()
	var batch []*pending
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT p.user_id, p.email, p.mode, n.id, n.text, n.link FROM qa_mail_prefs p
			JOIN qa_notifications n ON n.user_id = p.user_id
			WHERE n.emailed_at IS NULL AND (p.mode = 'instant' OR (p.mode = 'daily' AND (p.last_digest_at IS NULL OR p.last_digest_at <= ?)))
			ORDER BY p.user_id, n.id`, now.Add(-24*time.Hour))
		if err != nil {
			return fmt.Errorf("pending mail: %w", err)
		}
		defer rows.Close()
		byUser := map[int64]*pending{}
		for rows.Next() {
			var p pending
			var id int64
			var text, link string
			if err := rows.Scan(&p.user, &p.email, &p.mode, &id, &text, &link); err != nil {
				return err
			}
			cur := byUser[p.user]
			if cur == nil {
				cur = &pending{user: p.user, email: p.email, mode: p.mode}
				byUser[p.user] = cur
				batch = append(batch, cur)
			}
			if link != "" {
				text += "\n" + s.mail.BaseURL + link
			}
			cur.ids = append(cur.ids, id)
			cur.lines = append(cur.lines, text)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for _, p := range batch {
		mails := [][]string{p.lines}
		if p.mode == MailInstant {
			mails = nil
			for _, l := range p.lines {
				mails = append(mails, []string{l})
			}
		}
		ids := p.ids
		for _, lines := range mails {
			subject := "居务公开：您有新的消息"
			if p.mode == MailDaily {
				subject = fmt.Sprintf("居务公开：今日汇总（%d 条消息）", len(lines))
			}
			if err := s.mail.Send(p.email, subject, strings.Join(lines, "\n\n")); err != nil {
				return sent, err
			}
			n := len(lines)
			done := ids[:n]
			ids = ids[n:]
			err := s.db.Write(ctx, func(tx *store.Tx) error {
				for _, id := range done {
					if _, err := tx.Exec(ctx, "UPDATE qa_notifications SET emailed_at = ? WHERE id = ?", now, id); err != nil {
						return err
					}
				}
				if p.mode == MailDaily {
					_, err := tx.Exec(ctx, "UPDATE qa_mail_prefs SET last_digest_at = ? WHERE user_id = ?", now, p.user)
					return err
				}
				return nil
			})
			if err != nil {
				return sent, fmt.Errorf("mark mailed: %w", err)
			}
			sent++
		}
	}
	return sent, nil
}

// Sweep notifies cadres of items due within a working day (reminders) and
// cadres and street officers of items overdue. It is idempotent: each
// reminder or overdue notice is made once per deadline. It returns how
// many items are due or overdue.
//
// It runs every minute, so it first works out what is owed in a read
// transaction, in a few queries however many items are due, and takes
// the write lock only when some notice is still to be made: a sweep that
// finds nothing new costs a few milliseconds and holds up no writer.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.clock()
	soon, _ := s.Calendar().AddWorkdays(now, 1)
	var (
		items []*Item
		owed  []owedNotice
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		items, err = queryItems(ctx, tx, "WHERE i.status IN ('received', 'studying', 'referred') AND i.reply_due < ? ORDER BY i.reply_due, i.id", endOfDay(soon).UTC())
		if err != nil {
			return err
		}
		owed, err = owedNotices(ctx, tx, items, now)
		return err
	})
	if err != nil || len(owed) == 0 {
		return len(items), err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		// notify checks each notice again: another sweep may have made it
		// since the read.
		for _, n := range owed {
			if err := notify(ctx, tx, n.user, n.item.CommunityID, n.item.ID, n.kind, n.text, n.link, n.dedup, now); err != nil {
				return err
			}
		}
		return nil
	})
	return len(items), err
}

// owedNotice is a reminder or overdue notice not yet made.
type owedNotice struct {
	user                    int64
	item                    *Item
	kind, text, link, dedup string
}

// owedNotices lists the notices items due or overdue call for, to every
// current holder of the role, less those made already.
func owedNotices(ctx context.Context, tx *store.Tx, items []*Item, now time.Time) ([]owedNotice, error) {
	if len(items) == 0 {
		return nil, nil
	}
	type roleUnit struct {
		role mingbai.Role
		unit int64
	}
	holdersOf := map[roleUnit][]int64{}
	rows, err := tx.Query(ctx, `SELECT g.role, g.unit_id, g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role IN (?, ?) AND g.revoked_at IS NULL AND u.status = 'active' ORDER BY g.user_id`,
		string(mingbai.RoleCadre), string(mingbai.RoleStreetOfficer))
	if err != nil {
		return nil, fmt.Errorf("sweep: holders: %w", err)
	}
	for rows.Next() {
		var k roleUnit
		var user int64
		if err := rows.Scan(&k.role, &k.unit, &user); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sweep: holders: %w", err)
		}
		holdersOf[k] = append(holdersOf[k], user)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweep: holders: %w", err)
	}

	communities := map[int64]string{}
	itemIDs := make([]int64, 0, len(items))
	for _, it := range items {
		communities[it.CommunityID] = ""
		itemIDs = append(itemIDs, it.ID)
	}
	communityIDs := make([]int64, 0, len(communities))
	for id := range communities {
		communityIDs = append(communityIDs, id)
	}
	err = tx.QueryIn(ctx, "SELECT id, slug FROM org_units WHERE id IN ", communityIDs, func(rows *sql.Rows) error {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		communities[id] = slug
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: community slugs: %w", err)
	}
	type userNotice struct {
		user  int64
		dedup string
	}
	made := map[userNotice]bool{}
	err = tx.QueryIn(ctx, "SELECT user_id, dedup FROM qa_notifications WHERE dedup <> '' AND item_id IN ", itemIDs, func(rows *sql.Rows) error {
		var n userNotice
		if err := rows.Scan(&n.user, &n.dedup); err != nil {
			return err
		}
		made[n] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: notices made: %w", err)
	}

	var owed []owedNotice
	owe := func(role mingbai.Role, unit int64, it *Item, kind, text, link, dedup string) {
		for _, user := range holdersOf[roleUnit{role, unit}] {
			if !made[userNotice{user, dedup}] {
				owed = append(owed, owedNotice{user: user, item: it, kind: kind, text: text, link: link, dedup: dedup})
			}
		}
	}
	for _, it := range items {
		slug := communities[it.CommunityID]
		if slug == "" {
			return nil, fmt.Errorf("sweep: item %d: community %d has no slug", it.ID, it.CommunityID)
		}
		link := fmt.Sprintf("/c/%s/qa/items/%d", slug, it.ID)
		due := it.ReplyDue.In(mingbai.Shanghai).Format("1月2日")
		if it.Overdue(now) {
			text := fmt.Sprintf("第 %d 号%s已超过答复期限（%s），请尽快回音。", it.ID, it.Kind.Label(), due)
			key := fmt.Sprintf("overdue:%d:%d", it.ID, it.ReplyDue.Unix())
			owe(mingbai.RoleCadre, it.CommunityID, it, "overdue", text, link, key)
			// The street's officers are told, but the item is the
			// community's to answer: no link to a page they cannot act on.
			owe(mingbai.RoleStreetOfficer, it.StreetID, it, "overdue", "下辖社区"+text, "", key)
		} else {
			text := fmt.Sprintf("第 %d 号%s将于 %s 到期，请按时回音。", it.ID, it.Kind.Label(), due)
			owe(mingbai.RoleCadre, it.CommunityID, it, "due_soon", text, link, fmt.Sprintf("due:%d:%d", it.ID, it.ReplyDue.Unix()))
		}
	}
	return owed, nil
}
