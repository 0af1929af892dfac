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
	// The special disclosures of a published month are in its statement,
	// which its leaf covers; the special pages and exports read the live
	// rows of published months only, and checkSpecials compares them with
	// the statement.
	{Table: "fin_subsidies", Column: "person", Name: subsidyName, Where: specialPublished("fin_subsidies"), Covered: "derived: checkSpecials"},
	{Table: "fin_subsidies", Column: "amount", Name: subsidyName, Where: specialPublished("fin_subsidies"), Covered: "derived: checkSpecials"},
	{Table: "fin_donations", Column: "item", Name: donationName, Where: specialPublished("fin_donations"), Covered: "derived: checkSpecials"},
	{Table: "fin_donations", Column: "value", Name: donationName, Where: specialPublished("fin_donations"), Covered: "derived: checkSpecials"},
	{Table: "fin_distributions", Column: "household", Name: distributionName, Where: specialPublished("fin_distributions"), Covered: "derived: checkSpecials"},
	{Table: "fin_distributions", Column: "value", Name: distributionName, Where: specialPublished("fin_distributions"), Covered: "derived: checkSpecials"},
	{Table: "fin_fees", Column: "amount", Name: feeName, Where: specialPublished("fin_fees"), Covered: "derived: checkSpecials"},
	// A budget amount is shown from the live row; each version is a
	// fin_budget leaf, and checkBudgets compares the row with the newest.
	{Table: "fin_budgets", Column: "amount", Name: budgetName, Covered: "derived: checkBudgets"},
	{Table: "fin_budget_versions", Column: "amount", Name: `'(` + KindBudget + ` ' || budget_id || ' version ' || version || ')'`, Covered: KindBudget},
}

const (
	entryName  = `'(` + KindEntry + ` ' || id || ' version '`
	periodName = `'fin_periods row ' || id || ':'`
	maskName   = `'(` + KindReceiptMask + ` ' || id || ' version 1)'`

	subsidyName      = `'fin_subsidies row ' || id || ':'`
	donationName     = `'fin_donations row ' || id || ':'`
	distributionName = `'fin_distributions row ' || id || ':'`
	feeName          = `'fin_fees row ' || id || ':'`
	budgetName       = `'fin_budgets row ' || id || ':'`
)

// specialPublished picks the rows of a special table whose month is
// published, the only ones a public page shows.
func specialPublished(table string) string {
	return "period IN (SELECT p.period FROM fin_periods p WHERE p.community_id = " + table + ".community_id AND p.status = 'published')"
}

// Checks are the books' fsck checks of derived public columns.
func (s *Service) Checks() []tlog.Check {
	return []tlog.Check{checkPeriods, checkSpecials, checkBudgets, s.checkReceiptMasks}
}

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

// checkSpecials compares the special disclosures of each published month,
// which the special pages and exports read from the live rows, with the
// month's statement, which its leaf covers: a row whose public fields
// differ, a row of the month missing from the statement (added in SQL
// after publication) and a statement row no longer in the table are
// named. Households are compared masked, as they are shown and stored in
// the statement. Rows of unpublished months are not public (SpecialsOf
// hides them) and so not checked.
func checkSpecials(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	type month struct {
		id, community int64
		period        Period
		statement     string
	}
	var months []month
	rows, err := tx.Query(ctx, `SELECT id, community_id, period, statement FROM fin_periods WHERE status = 'published' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read published periods: %w", err)
	}
	for rows.Next() {
		var m month
		var p int
		if err := rows.Scan(&m.id, &m.community, &p, &m.statement); err != nil {
			rows.Close()
			return fmt.Errorf("read published periods: %w", err)
		}
		m.period = Period(p)
		months = append(months, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read published periods: %w", err)
	}
	for _, m := range months {
		var st Statement
		if err := json.Unmarshal([]byte(m.statement), &st); err != nil {
			// checkPeriods names the unreadable statement.
			continue
		}
		subs, dons, dists, fees, err := specialsTx(ctx, tx, m.community, m.period, m.period)
		if err != nil {
			return err
		}
		where := fmt.Sprintf("the statement of %s (fin_periods row %d)", m.period, m.id)
		compareSpecial(problem, "fin_subsidies", where, st.Subsidies, subs, func(x Subsidy) int64 { return x.ID })
		compareSpecial(problem, "fin_donations", where, st.Donations, dons, func(x Donation) int64 { return x.ID })
		compareSpecial(problem, "fin_distributions", where, st.Distributions, dists, func(x Distribution) int64 { return x.ID })
		compareSpecial(problem, "fin_fees", where, st.Fees, fees, func(x Fee) int64 { return x.ID })
	}
	return nil
}

// compareSpecial names each row of table whose live public fields (live)
// are not what the statement holds (stated).
func compareSpecial[T comparable](problem func(string, ...any), table, where string, stated, live []T, id func(T) int64) {
	want := make(map[int64]T, len(stated))
	for _, x := range stated {
		want[id(x)] = x
	}
	for _, x := range live {
		w, ok := want[id(x)]
		switch {
		case !ok:
			problem("%s row %d: shown as published but not in %s", table, id(x), where)
		case w != x:
			problem("%s row %d: shown as %+v, but %s holds %+v", table, id(x), x, where, w)
		}
		delete(want, id(x))
	}
	for _, x := range stated {
		if _, ok := want[id(x)]; ok {
			problem("%s row %d: in %s but no longer in the table", table, id(x), where)
		}
	}
}
