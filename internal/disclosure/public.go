package disclosure

import (
	"context"
	"fmt"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// Public columns of the board (see tlog.PublicColumn): what the board,
// a disclosure's page, the print view, search, feeds, exports and the API
// show, and how fsck checks each.
var PublicColumns = []tlog.PublicColumn{
	// A version's text and files are its leaf's content.
	{Table: "disclosure_versions", Column: "title", Name: versionName, Where: "redaction_leaf IS NULL", Covered: LeafKind},
	{Table: "disclosure_versions", Column: "period", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_versions", Column: "body", Name: versionName, Where: "redaction_leaf IS NULL", Covered: LeafKind},
	{Table: "disclosure_versions", Column: "valid_from", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_versions", Column: "valid_to", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_versions", Column: "reason", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_versions", Column: "published_at", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_versions", Column: "item_id", Name: versionName, Covered: LeafKind},
	{Table: "disclosure_version_files", Column: "name", Name: fileName, Covered: LeafKind},
	{Table: "disclosure_version_files", Column: "content_type", Name: fileName, Covered: LeafKind},
	{Table: "disclosure_version_files", Column: "size", Name: fileName, Covered: LeafKind},
	{Table: "disclosure_version_files", Column: "redacted", Name: fileName, Covered: LeafKind + " (a file taken down without a redaction leaf)"},
	// In content format 2 only: versions published before it keep their
	// old recipe, which leaves the name out (see contentMatching).
	{Table: "disclosure_versions", Column: "publisher_name", Name: versionName, Covered: LeafKind + " (content format 2)"},
	// A redacted version: the masked text against its redaction leaf, the
	// note beside it against that leaf's record.
	{Table: "disclosure_versions", Column: "title", Name: versionName, Where: "redaction_leaf IS NOT NULL", Covered: RedactionKind},
	{Table: "disclosure_versions", Column: "body", Name: versionName, Where: "redaction_leaf IS NOT NULL", Covered: RedactionKind},
	{Table: "disclosure_versions", Column: "redacted_at", Name: versionName, Where: "redaction_leaf IS NOT NULL", Covered: RedactionKind},
	{Table: "disclosure_versions", Column: "redaction_what", Name: versionName, Where: "redaction_leaf IS NOT NULL", Covered: RedactionKind},
	{Table: "disclosure_versions", Column: "redaction_why", Name: versionName, Where: "redaction_leaf IS NOT NULL", Covered: RedactionKind},
	{Table: "disclosure_redactions", Column: "what", Name: redactionName, Covered: RedactionKind},
	{Table: "disclosure_redactions", Column: "why", Name: redactionName, Covered: RedactionKind},
	{Table: "disclosure_redactions", Column: "redacted_at", Name: redactionName, Covered: RedactionKind},
	{Table: "disclosure_redactions", Column: "redacted_by_name", Name: redactionName, Covered: RedactionKind},
	// The head row is the copy the board, <title>, feeds and search list:
	// derived from the head version and checked against it.
	{Table: "disclosures", Column: "title", Name: headName, Covered: "derived: checkHeads"},
	{Table: "disclosures", Column: "period", Name: headName, Covered: "derived: checkHeads"},
	{Table: "disclosures", Column: "state", Name: headName, Covered: "derived: checkHeads",
		Tamper: "CASE state WHEN 'published' THEN 'withdrawn' ELSE 'published' END"},
	{Table: "disclosures", Column: "version", Name: headName, Covered: "derived: checkHeads"},
	{Table: "disclosures", Column: "item_id", Name: headName, Covered: "derived: checkHeads"},
	{Table: "disclosures", Column: "published_at", Name: headName, Covered: "derived: checkHeads"},
	{Table: "disclosures", Column: "first_published_at", Name: headName, Covered: "derived: checkHeads"},
	// The catalog: each item's live row against its newest logged version.
	{Table: "disclosure_items", Column: "name", Name: itemName, Covered: CatalogKind},
	{Table: "disclosure_items", Column: "elements", Name: itemName, Covered: CatalogKind},
	{Table: "disclosure_items", Column: "basis", Name: itemName, Covered: CatalogKind},
	{Table: "disclosure_items", Column: "cadence", Name: itemName, Covered: CatalogKind,
		Tamper: "CASE cadence WHEN 'yearly' THEN 'monthly' ELSE 'yearly' END"},
	{Table: "disclosure_items", Column: "timing", Name: itemName, Covered: CatalogKind + " (content format 3)",
		Tamper: "CASE timing WHEN 'start' THEN 'after' ELSE 'start' END"},
	{Table: "disclosure_items", Column: "event_days", Name: itemName, Covered: CatalogKind},
	{Table: "disclosure_items", Column: "channels", Name: itemName, Covered: CatalogKind},
	{Table: "disclosure_items", Column: "audience", Name: itemName, Covered: CatalogKind,
		Tamper: "CASE audience WHEN 'public' THEN 'specific' ELSE 'public' END"},
	{Table: "disclosure_items", Column: "section", Name: itemName, Covered: CatalogKind,
		Tamper: "CASE section WHEN 'affairs' THEN 'finance' ELSE 'affairs' END"},
	{Table: "disclosure_item_versions", Column: "name", Name: itemVersionName, Covered: CatalogKind},
	{Table: "disclosure_item_versions", Column: "changer_name", Name: itemVersionName, Covered: CatalogKind + " (content format 2)"},
	{Table: "disclosure_item_versions", Column: "timing", Name: itemVersionName, Covered: CatalogKind + " (content format 3)",
		Tamper: "CASE timing WHEN 'start' THEN 'after' ELSE 'start' END"},
}

// How fsck names the rows of each table.
const (
	versionName     = `'(disclosure ' || disclosure_id || ' version ' || version || ')'`
	fileName        = `(SELECT '(disclosure ' || v.disclosure_id || ' version ' || v.version || ')' FROM disclosure_versions v WHERE v.id = version_id)`
	redactionName   = `'(` + RedactionKind + ` ' || disclosure_id || ' version ' || seq || ')'`
	headName        = `'disclosures row ' || id || ':'`
	itemName        = `'(` + CatalogKind + ` ' || id || ' version '`
	itemVersionName = `'(` + CatalogKind + ` ' || item_id || ' version ' || version || ')'`
)

// Checks are the board's fsck checks of derived public columns.
func (s *Service) Checks() []tlog.Check { return []tlog.Check{checkHeads} }

// checkHeads compares each disclosure's head row, the copy lists show,
// with its newest version: the title, period, item and dates shown must
// be the version's, the state its action's, the version number the
// newest.
func checkHeads(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	rows, err := tx.Query(ctx, `SELECT d.id, d.title, d.period, d.state, d.version, d.item_id, d.published_at, d.first_published_at,
			COALESCE(v.title, ''), COALESCE(v.period, ''), COALESCE(v.action, ''), COALESCE(v.item_id, 0), v.published_at, v1.published_at,
			(SELECT MAX(m.version) FROM disclosure_versions m WHERE m.disclosure_id = d.id)
		FROM disclosures d
		LEFT JOIN disclosure_versions v ON v.disclosure_id = d.id AND v.community_id = d.community_id AND v.version = d.version
		LEFT JOIN disclosure_versions v1 ON v1.disclosure_id = d.id AND v1.community_id = d.community_id AND v1.version = 1
		ORDER BY d.id`)
	if err != nil {
		return fmt.Errorf("read disclosure heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, item, vItem int64
		var version int
		var newest *int
		var title, period, state, vTitle, vPeriod, action string
		var at, first time.Time
		var vAt, v1At *time.Time
		if err := rows.Scan(&id, &title, &period, &state, &version, &item, &at, &first, &vTitle, &vPeriod, &action, &vItem, &vAt, &v1At, &newest); err != nil {
			return fmt.Errorf("read disclosure heads: %w", err)
		}
		bad := func(what string, shown, want any) {
			problem("disclosures row %d: the %s shown, %v, is not its head version's %v", id, what, shown, want)
		}
		if vAt == nil || newest == nil || *newest != version {
			problem("disclosures row %d: it shows version %d, but the newest version is %v", id, version, deref(newest))
			continue
		}
		wantState := StateAfter(action)
		switch {
		case title != vTitle:
			bad("title", fmt.Sprintf("%q", title), fmt.Sprintf("%q", vTitle))
		case period != vPeriod:
			bad("period", fmt.Sprintf("%q", period), fmt.Sprintf("%q", vPeriod))
		case state != wantState:
			bad("state", state, wantState)
		case item != vItem:
			bad("catalog item", item, vItem)
		case !at.Equal(*vAt):
			bad("publication time", at.UTC(), vAt.UTC())
		case v1At == nil || !first.Equal(*v1At):
			bad("first publication time", first.UTC(), v1At)
		}
	}
	return rows.Err()
}

func deref(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}
