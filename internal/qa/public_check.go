package qa

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
}

// checkItems compares each item's hidden and extended flags, outcome,
// reply time and referral with its logged steps: a hiding or extension
// leaf, and the newest reply leaves since the last reopening (a referral
// keeps the item open; an answer closes it).
func checkItems(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	rows, err := tx.Query(ctx, `SELECT item_id, kind, outcome, target_id, created_at, leaf_index, outcome_leaf FROM qa_events ORDER BY item_id, id`)
	if err != nil {
		return fmt.Errorf("read qa events: %w", err)
	}
	want := map[int64]*derived{}
	for rows.Next() {
		var item int64
		var kind, outcome string
		var target, leaf, oleaf sql.NullInt64
		var at time.Time
		if err := rows.Scan(&item, &kind, &outcome, &target, &at, &leaf, &oleaf); err != nil {
			rows.Close()
			return fmt.Errorf("read qa events: %w", err)
		}
		d := want[item]
		if d == nil {
			d = &derived{}
			want[item] = d
		}
		switch EventKind(kind) {
		case EventHidden:
			d.hidden = d.hidden || leaf.Valid
		case EventExtended:
			d.extended = d.extended || leaf.Valid
		case EventReopened:
			d.outcome, d.repliedAt, d.referredTo = "", nil, 0
		case EventReply:
			if !oleaf.Valid {
				continue
			}
			if Outcome(outcome) == ReferredTo {
				d.referredTo = target.Int64
				continue
			}
			t := at
			d.outcome, d.repliedAt = outcome, &t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read qa events: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, hidden, extended, outcome, replied_at, referred_to FROM qa_items ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read qa items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var hidden, extended bool
		var outcome string
		var replied sql.NullTime
		var referred sql.NullInt64
		if err := rows.Scan(&id, &hidden, &extended, &outcome, &replied, &referred); err != nil {
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
		}
	}
	return rows.Err()
}
