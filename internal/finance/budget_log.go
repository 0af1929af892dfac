package finance

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
)

// A budget amount is public as soon as it is entered (the budget page and
// the board show it), so each amount is a leaf: kind fin_budget, one object
// per fin_budgets row, a new version whenever its amount changes. Each
// version's content is kept in fin_budget_versions, never changed, so old
// versions keep verifying after the amount moves on; checkBudgets compares
// the live amount, which the pages read, with the newest version.

// KindBudget is the log kind of a budget amount.
const KindBudget = "fin_budget"

// budgetContent is the canonical content of one version of a budget
// amount: the hash its leaf carries.
type budgetContent struct {
	Kind      string `json:"kind"`
	Community int64  `json:"community"`
	Budget    int64  `json:"budget"`
	Version   int64  `json:"version"`
	Year      int    `json:"year"`
	Category  int64  `json:"category"`
	Amount    int64  `json:"amount"`
	SetByName string `json:"set_by_name"`
	SetAt     string `json:"set_at"`
}

// logBudgetTx appends the next version of budget row id with its amount,
// in the caller's transaction, and keeps its content.
func (s *Service) logBudgetTx(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, id int64, year int, categoryID, amount int64) error {
	var version int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM fin_budget_versions WHERE budget_id = ? AND community_id = ?", id, communityID).Scan(&version); err != nil {
		return fmt.Errorf("next version of budget %d: %w", id, err)
	}
	at := s.now().Truncate(time.Second)
	c := budgetContent{Kind: KindBudget, Community: communityID, Budget: id, Version: version, Year: year, Category: categoryID,
		Amount: amount, SetByName: a.Name, SetAt: at.Format(tlog.TimeFormat)}
	sum, err := tlog.ContentHash(c)
	if err != nil {
		return fmt.Errorf("hash budget %d version %d: %w", id, version, err)
	}
	idx, err := s.log.Append(ctx, tx, tlog.Envelope{Kind: KindBudget, Community: communityID, Object: strconv.FormatInt(id, 10), Version: version, Time: at, ContentSHA256: sum})
	if err != nil {
		return fmt.Errorf("append budget leaf: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO fin_budget_versions (community_id, budget_id, version, year, category_id, amount, set_by_name, set_at, leaf_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, communityID, id, version, year, categoryID, amount, a.Name, at, idx); err != nil {
		return fmt.Errorf("keep budget %d version %d: %w", id, version, err)
	}
	return nil
}

// budgetVersionTx reads one kept version of a budget amount.
func budgetVersionTx(ctx context.Context, tx *store.Tx, communityID, id, version int64) (*budgetContent, error) {
	c := budgetContent{Kind: KindBudget, Community: communityID, Budget: id, Version: version}
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT year, category_id, amount, set_by_name, set_at FROM fin_budget_versions
		WHERE budget_id = ? AND version = ? AND community_id = ?`, id, version, communityID).Scan(&c.Year, &c.Category, &c.Amount, &c.SetByName, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该预算记录。")
	}
	if err != nil {
		return nil, fmt.Errorf("budget %d version %d: %w", id, version, err)
	}
	c.SetAt = at.UTC().Format(tlog.TimeFormat)
	return &c, nil
}

// budgetSource gives fsck and auditors the content of a budget version.
func (s *Service) budgetSource(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号不对。")
	}
	c, err := budgetVersionTx(ctx, tx, e.Community, id, e.Version)
	if err != nil {
		return nil, err
	}
	return tlog.Canonical(c)
}

// checkBudgets names each budget row whose year, category or amount, as
// the budget page shows them, is not its newest logged version's, and
// each row with no logged version at all.
func checkBudgets(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	rows, err := tx.Query(ctx, `SELECT b.id, b.year, b.category_id, b.amount, v.version, v.year, v.category_id, v.amount
		FROM fin_budgets b LEFT JOIN fin_budget_versions v ON v.budget_id = b.id AND v.community_id = b.community_id
			AND v.version = (SELECT MAX(w.version) FROM fin_budget_versions w WHERE w.budget_id = b.id AND w.community_id = b.community_id)
		ORDER BY b.id`)
	if err != nil {
		return fmt.Errorf("read budgets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cat, amount int64
		var year int
		var version, vCat, vAmount sql.NullInt64
		var vYear sql.NullInt64
		if err := rows.Scan(&id, &year, &cat, &amount, &version, &vYear, &vCat, &vAmount); err != nil {
			return fmt.Errorf("read budgets: %w", err)
		}
		if !version.Valid {
			problem("fin_budgets row %d: shown on the budget page but no %s leaf holds it", id, KindBudget)
			continue
		}
		if int64(year) != vYear.Int64 || cat != vCat.Int64 || amount != vAmount.Int64 {
			problem("fin_budgets row %d: shown as year %d, category %d, %d 分, but its %s version %d holds year %d, category %d, %d 分",
				id, year, cat, amount, KindBudget, version.Int64, vYear.Int64, vCat.Int64, vAmount.Int64)
		}
	}
	return rows.Err()
}
