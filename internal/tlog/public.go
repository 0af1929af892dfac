package tlog

import (
	"context"

	"mingbai/internal/store"
)

// PublicColumn is one column that a public page, feed, export or API
// shows. The rule (docs/log.md) is that each is either covered by a leaf
// (its row's content source puts it in the hash) or derived from covered
// rows and checked by fsck against them. Each feature lists its own in an
// exported variable; cmd/mingbai joins the lists in one place, and the
// schema-wide tamper test changes every listed column in SQL and expects
// fsck to name the row.
type PublicColumn struct {
	Table  string
	Column string
	// Name is an SQL expression over the row that gives the words fsck
	// uses to name it, such as "'disclosure ' || disclosure_id || ' version
	// ' || version" for "leaf 12 (disclosure 3 version 1)".
	Name string
	// Where, if not empty, is an SQL condition that picks the rows the
	// column is public on (a redacted version, a reply event…).
	Where string
	// Tamper, if not empty, is an SQL expression giving a changed value
	// the schema accepts, for columns with a CHECK (the tamper test
	// otherwise appends a character, adds one or moves a time by an hour).
	Tamper string
	// Covered says by what: the leaf kind whose content holds the column,
	// or the fsck check that derives it.
	Covered string
	// Uncovered, when not empty, says why the column is not yet under the
	// log. The tamper test lists these instead of editing them; the list
	// is the to-do of the log's promise, kept where a reviewer sees it.
	Uncovered string
}

// Check is an fsck check of derived public columns against covered rows:
// it reports each row that disagrees through problem, naming the row.
type Check func(ctx context.Context, tx *store.Tx, problem func(format string, args ...any)) error
