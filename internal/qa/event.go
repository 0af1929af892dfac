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

// EventKind is one step of an item's timeline.
type EventKind string

// The steps.
const (
	EventReceived     EventKind = "received"
	EventAcknowledged EventKind = "acknowledged"
	EventExtended     EventKind = "extended"
	EventReply        EventKind = "reply"
	EventReopened     EventKind = "reopened"
	EventConfirmed    EventKind = "confirmed"
	EventHidden       EventKind = "hidden"
	EventMerged       EventKind = "merged"
)

// Label is the Chinese name of a step.
func (k EventKind) Label() string {
	switch k {
	case EventReceived:
		return "收到"
	case EventAcknowledged:
		return "受理"
	case EventExtended:
		return "延期答复"
	case EventReply:
		return "回音"
	case EventReopened:
		return "居民重新提出"
	case EventConfirmed:
		return "居民确认"
	case EventHidden:
		return "内容已隐藏"
	case EventMerged:
		return "合并"
	}
	return string(k)
}

// Log leaf kinds, one leaf per public fact.
const (
	LeafReply     = "qa_reply"
	LeafOutcome   = "qa_outcome"
	LeafExtension = "qa_extension"
	LeafHidden    = "qa_hidden"
	// LeafStep logs a step that moves an item without a text of its own
	// to publish: acknowledged, reopened, confirmed, merged. With the
	// question leaf and the reply and extension leaves, it lets fsck derive
	// an item's status, reply deadline and merge target from the log.
	LeafStep = "qa_step"
)

// mergeBody is the text of a merged step; it names the item merged into,
// which mergedInto reads back, so the step's leaf covers the target
// (qa_events.target_id refers to org units and cannot hold an item).
func mergeBody(into int64) string { return fmt.Sprintf("与第 %d 号合并办理", into) }

func mergedInto(body string) int64 {
	var n int64
	if _, err := fmt.Sscanf(body, "与第 %d 号合并办理", &n); err != nil {
		return 0
	}
	return n
}

// Event is one step of an item's timeline. Body holds the reply, the
// reason of an extension, reopening or hiding, or the channel of receipt.
type Event struct {
	ID          int64
	ItemID      int64
	Kind        EventKind
	Body        string
	Outcome     Outcome
	UnitID      int64  // who answered: the community, or the street or department referred to
	UnitName    string // filled by timeline queries
	Due         *time.Time
	LeafIndex   *int64
	OutcomeLeaf *int64
	CreatedAt   time.Time
}

// PublicBody is the event's text with personal numbers masked. The
// received step's body is its channel, shown as a label.
func (e *Event) PublicBody() string {
	if e.Kind == EventReceived {
		return Channel(e.Body).Label()
	}
	return zh.MaskText(e.Body)
}

type event struct {
	community, item int64
	kind            EventKind
	body            string
	outcome         Outcome
	unit            int64
	target          int64 // the street or department a referral goes to
	actor           int64
	due             *time.Time
	at              time.Time
}

func addEvent(ctx context.Context, tx *store.Tx, e event) (int64, error) {
	f := EventFacts{Community: e.community, Item: e.item, Kind: e.kind, Body: e.body, Outcome: string(e.outcome), Unit: e.unit,
		ReferredTo: e.target, Due: e.due, At: e.at}
	id, err := tx.InsertID(ctx, "INSERT INTO qa_events ("+EventColumns+") VALUES ("+store.Placeholders(EventWidth)+") RETURNING id", EventRow(f, e.actor)...)
	if err != nil {
		return 0, fmt.Errorf("add qa event %s: %w", e.kind, err)
	}
	return id, nil
}

// Leaf contents. Each is the public, masked form of one fact; its
// canonical JSON's SHA-256 is the leaf's content_sha256, and the
// registered ContentSource rebuilds it from the stored event so fsck and
// auditors can check it.
type replyContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Item      int64  `json:"item"`
	Event     int64  `json:"event"`
	Unit      int64  `json:"unit"`
	Body      string `json:"body"`
	Time      string `json:"time"`
}

type outcomeContent struct {
	Kind       string `json:"kind"`
	Community  int64  `json:"community"`
	Item       int64  `json:"item"`
	Event      int64  `json:"event"`
	Unit       int64  `json:"unit"`
	Outcome    string `json:"outcome"`
	ReferredTo int64  `json:"referred_to"`
	Time       string `json:"time"`
}

type extensionContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Item      int64  `json:"item"`
	Event     int64  `json:"event"`
	Reason    string `json:"reason"`
	NewDue    string `json:"new_due"`
	Time      string `json:"time"`
}

// stepContent is a LeafStep: which step, its public text (a reopening's
// reason, a merge's target), the reply deadline it sets (acknowledged and
// reopened) to the second, and the item merged into.
type stepContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Item      int64  `json:"item"`
	Event     int64  `json:"event"`
	Step      string `json:"step"`
	Body      string `json:"body"`
	Due       string `json:"due"`
	Into      int64  `json:"into"`
	Time      string `json:"time"`
}

type hiddenContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Item      int64  `json:"item"`
	Event     int64  `json:"event"`
	Reason    string `json:"reason"`
	Time      string `json:"time"`
}

// storedEvent is an event row as leaf contents need it.
type storedEvent struct {
	id, community, item, unit int64
	kind                      EventKind
	body, outcome             string
	due                       sql.NullTime
	at                        time.Time
	referredTo                int64
}

func loadStoredEvent(ctx context.Context, tx *store.Tx, id int64) (*storedEvent, error) {
	var e storedEvent
	var kind string
	var unit, ref sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT e.id, e.community_id, e.item_id, e.kind, e.body, e.outcome, e.unit_id, e.due, e.created_at, e.target_id
		FROM qa_events e WHERE e.id = ?`, id).
		Scan(&e.id, &e.community, &e.item, &kind, &e.body, &e.outcome, &unit, &e.due, &e.at, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到第 %d 号记录。", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load qa event %d: %w", id, err)
	}
	e.kind, e.unit, e.referredTo = EventKind(kind), unit.Int64, ref.Int64
	return &e, nil
}

func leafTime(t time.Time) string { return t.UTC().Format(tlog.TimeFormat) }

// EventFacts are the stored fields of an event that its leaves cover.
// Bulk loaders that write qa_events rows themselves build the leaves'
// content from them with LeafContent, exactly as the service does.
type EventFacts struct {
	ID, Community, Item int64
	Kind                EventKind
	Body, Outcome       string
	Unit, ReferredTo    int64
	Due                 *time.Time
	At                  time.Time
}

// EventColumns are the columns of qa_events an event sets when it is
// stored, in the order of EventRow; the 提问栏 and `mingbai gen` write
// events through both. The leaf columns come when a leaf is appended.
const EventColumns = "community_id, item_id, kind, body, outcome, unit_id, target_id, actor_id, due, created_at"

// EventWidth is the number of EventColumns.
const EventWidth = 10

// EventRow returns the values of EventColumns for the event f, recorded
// by actor (0 for a resident or the system).
func EventRow(f EventFacts, actor int64) []any {
	return []any{f.Community, f.Item, string(f.Kind), f.Body, f.Outcome, nullInt(f.Unit), nullInt(f.ReferredTo), nullInt(actor), nullTime(f.Due), f.At}
}

// LeafContent returns the canonical content a leaf of kind (LeafReply,
// LeafOutcome, …) hashes for the event f.
func LeafContent(kind string, f EventFacts) ([]byte, error) {
	e := storedEvent{id: f.ID, community: f.Community, item: f.Item, unit: f.Unit, kind: f.Kind, body: f.Body, outcome: f.Outcome, at: f.At, referredTo: f.ReferredTo}
	if f.Due != nil {
		e.due = sql.NullTime{Time: *f.Due, Valid: true}
	}
	c, err := e.content(kind)
	if err != nil {
		return nil, err
	}
	return tlog.Canonical(c)
}

// content returns the public content of a leaf kind for a stored event.
func (e *storedEvent) content(kind string) (any, error) {
	switch kind {
	case LeafReply:
		return replyContent{Kind: kind, Community: e.community, Item: e.item, Event: e.id, Unit: e.unit, Body: zh.MaskText(e.body), Time: leafTime(e.at)}, nil
	case LeafOutcome:
		return outcomeContent{Kind: kind, Community: e.community, Item: e.item, Event: e.id, Unit: e.unit, Outcome: e.outcome, ReferredTo: e.referredTo, Time: leafTime(e.at)}, nil
	case LeafExtension:
		due := ""
		if e.due.Valid {
			due = e.due.Time.In(mingbai.Shanghai).Format(time.DateOnly)
		}
		return extensionContent{Kind: kind, Community: e.community, Item: e.item, Event: e.id, Reason: zh.MaskText(e.body), NewDue: due, Time: leafTime(e.at)}, nil
	case LeafStep:
		due, into := "", int64(0)
		if e.due.Valid {
			due = leafTime(e.due.Time)
		}
		if e.kind == EventMerged {
			into = mergedInto(e.body)
		}
		return stepContent{Kind: kind, Community: e.community, Item: e.item, Event: e.id, Step: string(e.kind), Body: zh.MaskText(e.body), Due: due, Into: into, Time: leafTime(e.at)}, nil
	case LeafHidden:
		return hiddenContent{Kind: kind, Community: e.community, Item: e.item, Event: e.id, Reason: zh.MaskText(e.body), Time: leafTime(e.at)}, nil
	}
	return nil, fmt.Errorf("qa: unknown leaf kind %q", kind)
}

// appendLeaf appends the leaf of kind for event id, in tx, and records its
// index on the event.
func (s *Service) appendLeaf(ctx context.Context, tx *store.Tx, kind string, id int64) (int64, error) {
	e, err := loadStoredEvent(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	c, err := e.content(kind)
	if err != nil {
		return 0, err
	}
	sum, err := tlog.ContentHash(c)
	if err != nil {
		return 0, fmt.Errorf("hash %s: %w", kind, err)
	}
	idx, err := s.log.Append(ctx, tx, tlog.Envelope{
		Kind: kind, Community: e.community, Object: strconv.FormatInt(id, 10), Version: 1,
		Time: e.at, ContentSHA256: sum,
	})
	if err != nil {
		return 0, fmt.Errorf("append %s leaf: %w", kind, err)
	}
	col := "leaf_index"
	if kind == LeafOutcome {
		col = "outcome_leaf"
	}
	if _, err := tx.Exec(ctx, "UPDATE qa_events SET "+col+" = ? WHERE id = ?", idx, id); err != nil {
		return 0, fmt.Errorf("record leaf of event %d: %w", id, err)
	}
	return idx, nil
}

// addStep adds a step event and, when the service keeps a log, its
// LeafStep, in the step's transaction.
func (s *Service) addStep(ctx context.Context, tx *store.Tx, e event) error {
	id, err := addEvent(ctx, tx, e)
	if err != nil || s.log == nil {
		return err
	}
	_, err = s.appendLeaf(ctx, tx, LeafStep, id)
	return err
}

// ContentSources rebuilds the content of the 提问栏's leaves, for the
// log's UseSources.
func (s *Service) ContentSources() map[string]tlog.ContentSource {
	m := map[string]tlog.ContentSource{LeafQuestion: s.questionLeafContent}
	for _, kind := range []string{LeafReply, LeafOutcome, LeafExtension, LeafHidden, LeafStep} {
		m[kind] = eventLeafContent
	}
	return m
}

// eventLeafContent is the content of an event's leaf, rebuilt from its row.
func eventLeafContent(ctx context.Context, tx *store.Tx, env tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(env.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号 %q 不对", env.Object)
	}
	e, err := loadStoredEvent(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	c, err := e.content(env.Kind)
	if err != nil {
		return nil, err
	}
	return tlog.Canonical(c)
}

// timelineTx returns the steps of an item in order, with unit names.
func timelineTx(ctx context.Context, tx *store.Tx, communityID, itemID int64) ([]Event, error) {
	rows, err := tx.Query(ctx, `SELECT e.id, e.item_id, e.kind, e.body, e.outcome, e.unit_id, COALESCE(u.name, ''), e.due, e.leaf_index, e.outcome_leaf, e.created_at
		FROM qa_events e LEFT JOIN org_units u ON u.id = e.unit_id
		WHERE e.community_id = ? AND e.item_id = ? ORDER BY e.id`, communityID, itemID)
	if err != nil {
		return nil, fmt.Errorf("timeline of %d: %w", itemID, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var kind, outcome string
		var unit, leaf, oleaf sql.NullInt64
		var due sql.NullTime
		if err := rows.Scan(&e.ID, &e.ItemID, &kind, &e.Body, &outcome, &unit, &e.UnitName, &due, &leaf, &oleaf, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.Kind, e.Outcome, e.UnitID = EventKind(kind), Outcome(outcome), unit.Int64
		e.Due = timePtr(due)
		if leaf.Valid {
			v := leaf.Int64
			e.LeafIndex = &v
		}
		if oleaf.Valid {
			v := oleaf.Int64
			e.OutcomeLeaf = &v
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
