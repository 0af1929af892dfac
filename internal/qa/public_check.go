package qa

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// Checks are the fsck checks of the item columns public pages show that
// are derived from the logged steps of its timeline.
func (s *Service) Checks() []tlog.Check { return []tlog.Check{checkItems} }

// derived is what an item's logged steps say its columns must be.
type derived struct {
	hidden, extended bool
	outcome          string
	repliedAt        *time.Time
	referredTo       int64
	// Only for an item with a question leaf (bulk-generated items have
	// none; see docs/log.md): its status, reply deadline and merge target.
	status     Status
	replyDue   *time.Time
	mergedInto int64
}

// checkItems compares each item's hidden and extended flags, outcome,
// reply time and referral with its logged steps: a hiding or extension
// leaf, and the newest reply leaves since the last reopening (a referral
// keeps the item open; an answer closes it). For an item received with a
// question leaf it also derives the status, the reply deadline and the
// merge target: received with the leaf's deadline, then each logged step
// in order (qa_step for acknowledged, reopened, confirmed and merged; the
// extension's new date; the reply and outcome leaves). Which leaves exist
// is read from the log's own table, so a step row without its leaf counts
// for nothing; the leaves' content checks tie each to its row.
func checkItems(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	logged, err := loggedObjects(ctx, tx, LeafQuestion)
	if err != nil {
		return err
	}
	steps, err := loggedObjects(ctx, tx, LeafStep)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT id, item_id, kind, body, outcome, target_id, due, created_at, leaf_index, outcome_leaf FROM qa_events ORDER BY item_id, id`)
	if err != nil {
		return fmt.Errorf("read qa events: %w", err)
	}
	want := map[int64]*derived{}
	for rows.Next() {
		var id, item int64
		var kind, body, outcome string
		var target, leaf, oleaf sql.NullInt64
		var due sql.NullTime
		var at time.Time
		if err := rows.Scan(&id, &item, &kind, &body, &outcome, &target, &due, &at, &leaf, &oleaf); err != nil {
			rows.Close()
			return fmt.Errorf("read qa events: %w", err)
		}
		d := want[item]
		if d == nil {
			d = &derived{}
			want[item] = d
		}
		step := steps[id]
		switch EventKind(kind) {
		case EventReceived:
			// The question leaf holds this step's deadline.
			if d.status == "" && logged[item] {
				d.status, d.replyDue = Received, timePtr(due)
			}
		case EventAcknowledged:
			if step {
				d.status = Studying
			}
		case EventHidden:
			d.hidden = d.hidden || leaf.Valid
		case EventExtended:
			d.extended = d.extended || leaf.Valid
			if leaf.Valid && due.Valid {
				// Its leaf holds the new date (Shanghai), and a due date
				// is that date's first moment.
				y, m, dd := due.Time.In(mingbai.Shanghai).Date()
				t := time.Date(y, m, dd, 0, 0, 0, 0, mingbai.Shanghai).UTC()
				d.replyDue = &t
			}
		case EventReopened:
			d.outcome, d.repliedAt, d.referredTo = "", nil, 0
			if step {
				d.status, d.replyDue = Studying, timePtr(due)
			}
		case EventConfirmed:
			if step {
				d.status = Confirmed
			}
		case EventMerged:
			if step {
				d.status, d.mergedInto = Merged, mergedInto(body)
			}
		case EventReply:
			if !oleaf.Valid {
				continue
			}
			if Outcome(outcome) == ReferredTo {
				d.referredTo = target.Int64
				d.status = Referred
				continue
			}
			t := at
			d.outcome, d.repliedAt, d.status = outcome, &t, Replied
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read qa events: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, hidden, extended, outcome, replied_at, referred_to, status, reply_due, merged_into FROM qa_items ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read qa items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var hidden, extended bool
		var outcome, status string
		var replied sql.NullTime
		var replyDue time.Time
		var referred, merged sql.NullInt64
		if err := rows.Scan(&id, &hidden, &extended, &outcome, &replied, &referred, &status, &replyDue, &merged); err != nil {
			return fmt.Errorf("read qa items: %w", err)
		}
		d := want[id]
		if d == nil {
			d = &derived{}
		}
		name := fmt.Sprintf("qa_items row %d:", id)
		switch {
		case hidden != d.hidden:
			problem("%s it is shown as hidden=%v, but its logged steps say %v", name, hidden, d.hidden)
		case extended != d.extended:
			problem("%s it is shown as extended=%v, but its logged steps say %v", name, extended, d.extended)
		case outcome != d.outcome:
			problem("%s its outcome is shown as %q, but its newest reply leaf says %q", name, outcome, d.outcome)
		case replied.Valid != (d.repliedAt != nil) || replied.Valid && !replied.Time.Equal(*d.repliedAt):
			problem("%s its reply time %v is not its newest reply leaf's %v", name, replied.Time, d.repliedAt)
		case referred.Int64 != d.referredTo:
			problem("%s it is shown as referred to unit %d, but its newest referral leaf says %d", name, referred.Int64, d.referredTo)
		case !logged[id]:
			// Received without a question leaf: nothing logged to derive
			// its status and deadline from.
		case Status(status) != d.status:
			problem("%s it is shown as %q, but its logged steps say %q", name, status, d.status)
		case d.replyDue == nil || !replyDue.Equal(*d.replyDue):
			problem("%s its reply deadline is shown as %v, but its logged steps say %v", name, replyDue.UTC(), d.replyDue)
		case merged.Int64 != d.mergedInto:
			problem("%s it is shown as merged into item %d, but its logged merge step says %d", name, merged.Int64, d.mergedInto)
		}
	}
	return rows.Err()
}

// loggedObjects returns the objects (row ids) that have a leaf of kind.
func loggedObjects(ctx context.Context, tx *store.Tx, kind string) (map[int64]bool, error) {
	rows, err := tx.Query(ctx, "SELECT object FROM tlog_leaves WHERE kind = ?", kind)
	if err != nil {
		return nil, fmt.Errorf("read %s leaves: %w", kind, err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var obj string
		if err := rows.Scan(&obj); err != nil {
			return nil, fmt.Errorf("read %s leaves: %w", kind, err)
		}
		if id, err := strconv.ParseInt(obj, 10, 64); err == nil {
			out[id] = true
		}
	}
	return out, rows.Err()
}
