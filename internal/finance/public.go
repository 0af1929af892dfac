package finance

import (
	"context"
	"encoding/json"
	"fmt"

	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// PublicColumns of the books (see tlog.PublicColumn): what the finance
// board, statements, entry pages, exports and the API show.
var PublicColumns = []tlog.PublicColumn{
	// A published entry is its leaf's content, with the names of its
	// account and category and the hashes of its receipts.
	{Table: "fin_entries", Column: "summary", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_entries", Column: "counterparty", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_entries", Column: "amount", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_entries", Column: "decision", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_entries", Column: "reason", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_entries", Column: "entry_date", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry, Tamper: "'2000-01-01'"},
	{Table: "fin_entries", Column: "direction", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry,
		Tamper: "CASE direction WHEN 'income' THEN 'expense' ELSE 'income' END"},
	{Table: "fin_entries", Column: "entered_by_name", Name: entryName, Where: "leaf_index IS NOT NULL", Covered: KindEntry},
	{Table: "fin_attachments", Column: "sha256", Name: `'(` + KindEntry + ` ' || entry_id || ' version '`,
		Where: "entry_id IN (SELECT id FROM fin_entries WHERE leaf_index IS NOT NULL)", Covered: KindEntry},
	// A category or account name is in the content of every published
	// entry that uses it: fsck names those entries.
	{Table: "fin_categories", Column: "name", Name: `'(` + KindEntry + ` '`,
		Where: "id IN (SELECT category_id FROM fin_entries WHERE leaf_index IS NOT NULL)", Covered: KindEntry},
	{Table: "fin_accounts", Column: "name", Name: `'(` + KindEntry + ` '`,
		Where: "id IN (SELECT account_id FROM fin_entries WHERE leaf_index IS NOT NULL)", Covered: KindEntry},
	// A published statement is its leaf's content; the month's totals the
	// board lists are derived from it.
	{Table: "fin_periods", Column: "statement", Name: `'(` + KindStatement + ` ' || id || ' version 1)'`, Where: "status = 'published'", Covered: KindStatement},
	{Table: "fin_periods", Column: "income", Name: periodName, Where: "status = 'published'", Covered: "derived: checkPeriods"},
	{Table: "fin_periods", Column: "expense", Name: periodName, Where: "status = 'published'", Covered: "derived: checkPeriods"},
	// A receipt redaction, and the image served instead of the original.
	{Table: "fin_redactions", Column: "sha256", Name: maskName, Covered: KindReceiptMask},
	{Table: "fin_redactions", Column: "boxes", Name: maskName, Covered: KindReceiptMask, Tamper: `'[{"x":0,"y":0,"w":1,"h":1}]'`},
	{Table: "fin_redactions", Column: "reason", Name: maskName, Covered: KindReceiptMask},
	{Table: "fin_redactions", Column: "redacted_by_name", Name: maskName, Covered: KindReceiptMask},
	{Table: "fin_redactions", Column: "redacted_at", Name: maskName, Covered: KindReceiptMask},
	// Not yet under the log.
	{Table: "fin_subsidies", Column: "person", Name: "id", Uncovered: "the special pages read the live rows; the month's statement leaf holds them, but fsck does not compare the rows with it yet"},
	{Table: "fin_subsidies", Column: "amount", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_donations", Column: "item", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_donations", Column: "value", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_distributions", Column: "household", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_distributions", Column: "value", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_fees", Column: "amount", Name: "id", Uncovered: "as fin_subsidies.person"},
	{Table: "fin_budgets", Column: "amount", Name: "id", Uncovered: "budgets are not logged yet"},
}

const (
	entryName  = `'(` + KindEntry + ` ' || id || ' version '`
	periodName = `'fin_periods row ' || id || ':'`
	maskName   = `'(` + KindReceiptMask + ` ' || id || ' version 1)'`
)

// Checks are the books' fsck checks of derived public columns.
func (s *Service) Checks() []tlog.Check { return []tlog.Check{checkPeriods, s.checkReceiptMasks} }

// checkPeriods compares the totals of each published month, which the
// board lists, with its statement, which its leaf covers.
func checkPeriods(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	rows, err := tx.Query(ctx, `SELECT id, income, expense, statement FROM fin_periods WHERE status = 'published' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read published periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, income, expense int64
		var raw string
		if err := rows.Scan(&id, &income, &expense, &raw); err != nil {
			return fmt.Errorf("read published periods: %w", err)
		}
		var st struct{ Income, Expense int64 }
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			problem("fin_periods row %d: its statement is not readable: %v", id, err)
			continue
		}
		if income != st.Income || expense != st.Expense {
			problem("fin_periods row %d: the totals shown (income %d, expense %d 分) are not its statement's (%d, %d)", id, income, expense, st.Income, st.Expense)
		}
	}
	return rows.Err()
}
