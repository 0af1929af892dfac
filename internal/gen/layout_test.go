package gen

import (
	"strings"
	"testing"
	"time"

	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/qa"
	"mingbai/internal/tlog"
)

// TestRowLayouts pins each table layout gen writes through: its column
// list, its width and its row function agree, so a column added to one
// and not the others fails here rather than as a database error in the
// middle of a generated district.
func TestRowLayouts(t *testing.T) {
	now := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	leaf, err := tlog.LeafRow(0, tlog.Envelope{Kind: disclosure.LeafKind, Community: 1, Object: "1", Version: 1, Time: now, ContentSHA256: [32]byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		table   string
		columns string
		width   int
		row     []any
	}{
		{"disclosures", disclosure.HeadColumns, disclosure.HeadWidth, disclosure.HeadRow(&disclosure.Disclosure{})},
		{"disclosure_versions", disclosure.VersionColumns, disclosure.VersionWidth, disclosure.VersionRow(&disclosure.Version{})},
		{"disclosure_search", disclosure.SearchColumns, disclosure.SearchWidth, disclosure.SearchRow(&disclosure.Version{}, 1, "事项", "社区")},
		{"qa_items", qa.ItemColumns, qa.ItemWidth, qa.ItemRow(&qa.Item{}, 1, now)},
		{"qa_events", qa.EventColumns, qa.EventWidth, qa.EventRow(qa.EventFacts{}, 0)},
		{"fin_entries", finance.EntryColumns, finance.EntryWidth, finance.EntryRow(&finance.Entry{})},
		{"fin_periods", finance.PeriodColumns, finance.PeriodWidth, finance.PeriodRow(&finance.PeriodInfo{}, "{}", 1, 0)},
		{"fin_period_notes", finance.NoteColumns, finance.NoteWidth, finance.NoteRow(1, 1, 1, finance.Note{})},
		{"fin_voucher_seq", finance.VoucherSeqColumns, 3, []any{1, 2026, 0}},
		{"tlog_leaves", tlog.LeafColumns, tlog.LeafWidth, leaf},
	} {
		cols := strings.Split(l.columns, ",")
		seen := map[string]bool{}
		for _, c := range cols {
			c = strings.TrimSpace(c)
			if c == "" || seen[c] {
				t.Errorf("%s: column %q empty or listed twice", l.table, c)
			}
			seen[c] = true
		}
		if len(cols) != l.width || len(l.row) != l.width {
			t.Errorf("%s: %d columns, width %d, row of %d values", l.table, len(cols), l.width, len(l.row))
		}
	}
}
