package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// LeafQuestion is the leaf a question or suggestion gets when it is
// received and becomes public: its text and how the board introduces it,
// in the public (masked) form, so the board cannot show other words than
// the resident's without fsck naming the item.
const LeafQuestion = "qa_question"

type questionContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Item      int64  `json:"item"`
	Type      string `json:"type"` // question or suggestion
	Category  string `json:"category"`
	Body      string `json:"body"` // as public pages show it, personal numbers masked
	Name      string `json:"name"` // as public pages name the resident
	Channel   string `json:"channel"`
	Received  string `json:"received"`
	// The deadlines set at receipt, to the second: acknowledgement, and
	// the reply as the received step holds it (qa_items.reply_due moves
	// with extensions and reopenings, which have leaves of their own).
	AckDue   string `json:"ack_due"`
	ReplyDue string `json:"reply_due"`
}

// questionTx reads item id's public content and whether it is hidden.
func questionTx(ctx context.Context, tx *store.Tx, id int64) (*questionContent, bool, error) {
	var c questionContent
	var nick string
	var at, ackDue time.Time
	var replyDue sql.NullTime
	var hidden bool
	err := tx.QueryRow(ctx, `SELECT community_id, kind, category, body, nickname, channel, received_at, ack_due, hidden FROM qa_items WHERE id = ?`, id).
		Scan(&c.Community, &c.Type, &c.Category, &c.Body, &nick, &c.Channel, &at, &ackDue, &hidden)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, mingbai.Errorf(mingbai.ENOTFOUND, "找不到第 %d 号提问。", id)
	}
	if err != nil {
		return nil, false, fmt.Errorf("qa item %d: %w", id, err)
	}
	err = tx.QueryRow(ctx, `SELECT due FROM qa_events WHERE item_id = ? AND kind = ? ORDER BY id LIMIT 1`, id, string(EventReceived)).Scan(&replyDue)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("qa item %d received step: %w", id, err)
	}
	it := Item{Nickname: nick}
	c.Kind, c.Item, c.Body, c.Name, c.Received = LeafQuestion, id, zh.MaskText(c.Body), it.PublicName(), leafTime(at)
	c.AckDue = leafTime(ackDue)
	if replyDue.Valid {
		c.ReplyDue = leafTime(replyDue.Time)
	}
	return &c, hidden, nil
}

// appendQuestionLeaf logs item id as received, in the transaction that
// stores it.
func (s *Service) appendQuestionLeaf(ctx context.Context, tx *store.Tx, id int64) error {
	if s.log == nil {
		return nil
	}
	c, _, err := questionTx(ctx, tx, id)
	if err != nil {
		return err
	}
	sum, err := tlog.ContentHash(c)
	if err != nil {
		return fmt.Errorf("hash question %d: %w", id, err)
	}
	at, err := time.Parse(tlog.TimeFormat, c.Received)
	if err != nil {
		return fmt.Errorf("question %d time: %w", id, err)
	}
	if _, err := s.log.Append(ctx, tx, tlog.Envelope{Kind: LeafQuestion, Community: c.Community, Object: strconv.FormatInt(id, 10), Version: 1, Time: at, ContentSHA256: sum}); err != nil {
		return fmt.Errorf("append question leaf: %w", err)
	}
	return nil
}

// questionLeafContent is the ContentSource of question leaves. A hidden
// item's text is not served (its hiding is a leaf of its own, qa_hidden).
func (s *Service) questionLeafContent(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号 %q 不对", e.Object)
	}
	c, hidden, err := questionTx(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if hidden {
		return nil, tlog.ErrRedacted
	}
	return tlog.Canonical(c)
}

// PublicColumns of questions and answers (see tlog.PublicColumn).
var PublicColumns = []tlog.PublicColumn{
	{Table: "qa_items", Column: "body", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion},
	{Table: "qa_items", Column: "category", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion},
	{Table: "qa_items", Column: "nickname", Name: itemName, Where: "hidden = " + sqlFalse + " AND nickname <> ''", Covered: LeafQuestion},
	{Table: "qa_items", Column: "kind", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion,
		Tamper: "CASE kind WHEN 'question' THEN 'suggestion' ELSE 'question' END"},
	{Table: "qa_items", Column: "channel", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion,
		Tamper: "CASE channel WHEN 'online' THEN 'paper' ELSE 'online' END"},
	{Table: "qa_items", Column: "received_at", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion},
	{Table: "qa_events", Column: "body", Name: eventName, Where: "kind IN ('reply', 'extended', 'hidden')", Covered: LeafReply + ", " + LeafExtension + ", " + LeafHidden},
	{Table: "qa_events", Column: "created_at", Name: eventName, Where: "leaf_index IS NOT NULL", Covered: LeafReply + ", " + LeafExtension + ", " + LeafHidden + ", " + LeafStep},
	{Table: "qa_events", Column: "outcome", Name: outcomeName, Where: "outcome_leaf IS NOT NULL", Covered: LeafOutcome},
	{Table: "qa_events", Column: "unit_id", Name: eventName, Where: "kind = 'reply'", Covered: LeafReply},
	{Table: "qa_events", Column: "body", Name: stepName, Where: "kind IN ('reopened', 'merged')", Covered: LeafStep},
	{Table: "qa_events", Column: "due", Name: stepName, Where: "kind IN ('acknowledged', 'reopened')", Covered: LeafStep},
	{Table: "qa_items", Column: "status", Name: checkName, Covered: "derived: checkItems",
		Tamper: "CASE status WHEN 'replied' THEN 'confirmed' ELSE 'replied' END"},
	{Table: "qa_items", Column: "reply_due", Name: checkName, Covered: "derived: checkItems"},
	{Table: "qa_items", Column: "ack_due", Name: itemName, Where: "hidden = " + sqlFalse, Covered: LeafQuestion},
	{Table: "qa_items", Column: "replied_at", Name: checkName, Where: "replied_at IS NOT NULL", Covered: "derived: checkItems"},
	{Table: "qa_items", Column: "outcome", Name: checkName, Where: "outcome <> ''", Covered: "derived: checkItems",
		Tamper: "CASE outcome WHEN 'adopted' THEN 'partly' ELSE 'adopted' END"},
	{Table: "qa_items", Column: "referred_to", Name: checkName, Where: "referred_to IS NOT NULL", Covered: "derived: checkItems",
		Tamper: "(SELECT MIN(u.id) FROM org_units u WHERE u.id <> qa_items.referred_to)"},
	{Table: "qa_items", Column: "extended", Name: checkName, Covered: "derived: checkItems"},
	{Table: "qa_items", Column: "hidden", Name: checkName, Covered: "derived: checkItems"},
	{Table: "qa_items", Column: "merged_into", Name: checkName, Where: "merged_into IS NOT NULL", Covered: "derived: checkItems",
		Tamper: "(SELECT MIN(o.id) FROM qa_items o WHERE o.id <> qa_items.merged_into)"},
}

// sqlFalse is false in both dialects' boolean columns.
const sqlFalse = "FALSE"

// How fsck names the rows.
const (
	checkName   = `'qa_items row ' || id || ':'`
	itemName    = `'(` + LeafQuestion + ` ' || id || ' version 1)'`
	eventName   = `'(qa_' || CASE kind WHEN 'extended' THEN 'extension' WHEN 'reply' THEN 'reply' WHEN 'hidden' THEN 'hidden' ELSE 'step' END || ' ' || id || ' version 1)'`
	stepName    = `'(` + LeafStep + ` ' || id || ' version 1)'`
	outcomeName = `'(` + LeafOutcome + ` ' || id || ' version 1)'`
)
