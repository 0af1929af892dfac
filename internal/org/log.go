package org

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// LeafKind is the kind of the log leaves of org units. A unit's name
// heads every public page of it, so each change of what the public sees
// of a unit (creation, a new name or slug, archiving) is a published
// fact: it appends one leaf, in the transaction that makes the change,
// with the unit as the change left it. Phones and board locations are
// not in the leaf; they are contact details, changed freely.
const LeafKind = "org_unit"

// unitContent is the canonical content of an org unit leaf.
type unitContent struct {
	Kind     string `json:"kind"`
	Unit     int64  `json:"unit"`
	Version  int64  `json:"version"`
	UnitKind string `json:"unit_kind"`
	Parent   int64  `json:"parent"`
	District int64  `json:"district"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	Archived bool   `json:"archived"`
}

func unitContentOf(u *Unit, version int64) ([]byte, error) {
	return tlog.Canonical(unitContent{
		Kind: LeafKind, Unit: u.ID, Version: version, UnitKind: string(u.Kind), Parent: u.ParentID, District: u.DistrictID,
		Name: u.Name, Slug: u.Slug, Archived: u.Archived(),
	})
}

// UseLog makes the service append a leaf for each change of a unit's
// public fields. Without it (unit tests, a CLI run before the log's key
// exists) units change without leaves, and LogUnloggedUnits adopts them
// at the next start.
func (s *Service) UseLog(l *tlog.Log) { s.log = l }

// ContentSources rebuilds the content of the unit leaves, for the log's
// UseSources.
func (s *Service) ContentSources() map[string]tlog.ContentSource {
	return map[string]tlog.ContentSource{LeafKind: s.leafContent}
}

// leafCommunity is the envelope's community of unit u: a community is its
// own, the units above it and departments are district-wide.
func leafCommunity(u *Unit) int64 {
	if u.Kind == Community {
		return u.ID
	}
	return 0
}

// newestLeaf returns the newest version of unit id's leaves, 0 for none.
// Org changes run in plain transactions (never WriteBatched), so every
// leaf appended before is in tlog_leaves.
func newestLeaf(ctx context.Context, tx *store.Tx, id int64) (int64, error) {
	var v int64
	err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM tlog_leaves WHERE kind = ? AND object = ?", LeafKind, strconv.FormatInt(id, 10)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("newest leaf of org unit %d: %w", id, err)
	}
	return v, nil
}

// logUnit appends the leaf of unit u as a change at time at left it.
func (s *Service) logUnit(ctx context.Context, tx *store.Tx, u *Unit, at time.Time) error {
	if s.log == nil {
		return nil
	}
	v, err := newestLeaf(ctx, tx, u.ID)
	if err != nil {
		return err
	}
	v++
	content, err := unitContentOf(u, v)
	if err != nil {
		return fmt.Errorf("org unit %d content: %w", u.ID, err)
	}
	_, err = s.log.Append(ctx, tx, tlog.Envelope{
		Kind: LeafKind, Community: leafCommunity(u), Object: strconv.FormatInt(u.ID, 10), Version: v,
		Time: at, ContentSHA256: sha256.Sum256(content),
	})
	if err != nil {
		return fmt.Errorf("append org unit leaf: %w", err)
	}
	return nil
}

// unloggedSQL picks the units that have no leaf.
const unloggedSQL = `SELECT ` + unitColumns + ` FROM org_units WHERE NOT EXISTS
	(SELECT 1 FROM tlog_leaves l WHERE l.kind = '` + LeafKind + `' AND l.object = CAST(org_units.id AS TEXT)) ORDER BY id`

// LogUnloggedUnits appends a leaf ("adopts") every unit that has none, as
// it stands now: units made before units were logged, or by a CLI run
// without the log. The server runs it at start; once every unit is logged
// it finds nothing. It returns how many units it logged.
func (s *Service) LogUnloggedUnits(ctx context.Context) (int, error) {
	if s.log == nil {
		return 0, nil
	}
	var n int
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		us, err := queryUnits(ctx, tx, unloggedSQL)
		if err != nil {
			return fmt.Errorf("unlogged org units: %w", err)
		}
		now := s.clock()
		for i := range us {
			if err := s.logUnit(ctx, tx, &us[i], now); err != nil {
				return err
			}
		}
		n = len(us)
		return nil
	})
	return n, err
}

// leafContent is the log's ContentSource for org unit leaves. The newest
// leaf of a unit is rebuilt from the live row, the one every page shows,
// so a name changed in the database behind the log's back no longer
// matches; older leaves from the unit's history.
func (s *Service) leafContent(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该组织。")
	}
	u, err := unitByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	newest, err := newestLeaf(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if e.Version >= newest {
		return unitContentOf(u, e.Version)
	}
	return s.pastContent(ctx, tx, u, e)
}

// pastContent rebuilds an older leaf of unit u from its history: the
// state after the changes made up to the leaf's time. The leaf's time
// has whole seconds, so when several changes fall in its second, each
// cut among them is tried and the one the leaf hashes is served (a leaf
// commits to its state, so no edit of the history can pick a wrong one);
// when none matches, the state after all of them, which then fails.
func (s *Service) pastContent(ctx context.Context, tx *store.Tx, u *Unit, e tlog.Envelope) ([]byte, error) {
	rows, err := tx.Query(ctx, `SELECT change, old_value, new_value, changed_at FROM org_unit_history WHERE unit_id = ? ORDER BY changed_at, id`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("org unit %d history: %w", u.ID, err)
	}
	var hist []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.What, &c.OldValue, &c.NewValue, &c.At); err != nil {
			rows.Close()
			return nil, fmt.Errorf("org unit %d history: %w", u.ID, err)
		}
		hist = append(hist, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	end := e.Time.UTC().Truncate(time.Second).Add(time.Second)
	var fallback []byte
	for k := 0; k <= len(hist); k++ {
		if k > 0 && !hist[k-1].At.Before(end) {
			break
		}
		if k < len(hist) && hist[k].At.Before(e.Time.UTC().Truncate(time.Second)) {
			continue // the leaf is after the next change too
		}
		c, err := unitContentOf(stateAfter(u, hist, k), e.Version)
		if err != nil {
			return nil, err
		}
		if sha256.Sum256(c) == e.ContentSHA256 {
			return c, nil
		}
		fallback = c
	}
	if fallback == nil {
		return unitContentOf(stateAfter(u, hist, len(hist)), e.Version)
	}
	return fallback, nil
}

// stateAfter is unit u as the first k changes of its history left it: a
// field takes the new value of its last change among them, else the old
// value of its first change after them, else its live value. Kind,
// parent and district never change.
func stateAfter(u *Unit, hist []Change, k int) *Unit {
	p := *u
	p.ArchivedAt = nil
	field := func(live string, whats ...string) string {
		is := func(c Change) bool {
			for _, w := range whats {
				if c.What == w {
					return true
				}
			}
			return false
		}
		for i := k - 1; i >= 0; i-- {
			if is(hist[i]) {
				return hist[i].NewValue
			}
		}
		for i := k; i < len(hist); i++ {
			if is(hist[i]) && hist[i].What != ChangeCreate {
				return hist[i].OldValue
			}
		}
		return live
	}
	p.Name = field(u.Name, ChangeCreate, ChangeName)
	p.Slug = field(u.Slug, ChangeSlug)
	for i := range k {
		if hist[i].What == ChangeArchive {
			at := hist[i].At
			p.ArchivedAt = &at
		}
	}
	return &p
}

// Checks are the organisation's fsck checks: a unit with no leaf at all
// shows a name nothing in the log vouches for.
func Checks() []tlog.Check { return []tlog.Check{checkUnlogged} }

func checkUnlogged(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	us, err := queryUnits(ctx, tx, unloggedSQL)
	if err != nil {
		return fmt.Errorf("unlogged org units: %w", err)
	}
	for _, u := range us {
		problem("org_units row %d (%s %q) has no %s leaf: start mingbai serve once to log units made before units were logged", u.ID, u.Kind, u.Name, LeafKind)
	}
	return nil
}
