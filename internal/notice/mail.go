package notice

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/smtp"
	"strings"
	"time"

	"mingbai/internal/store"
)

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

// DeliverMail sends, when a mailer is set, each unsent notice of
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
		rows, err := tx.Query(ctx, `SELECT p.user_id, p.email, p.mode, n.id, n.text, n.link FROM mail_prefs p
			JOIN notices n ON n.user_id = p.user_id
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
					if _, err := tx.Exec(ctx, "UPDATE notices SET emailed_at = ? WHERE id = ?", now, id); err != nil {
						return err
					}
				}
				if p.mode == MailDaily {
					_, err := tx.Exec(ctx, "UPDATE mail_prefs SET last_digest_at = ? WHERE user_id = ?", now, p.user)
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
