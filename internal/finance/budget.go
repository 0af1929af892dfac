package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Yearly budgets (年度预算). A cadre enters an amount per leaf category for
// a year; the board sets each against the year's actual income or expense
// in that category. The public's actuals count published months only,
// like everything else it sees.

// BudgetLine is one category's budget and actual for a year.
type BudgetLine struct {
	CategoryID int64
	Code       string
	Name       string
	Direction  Direction
	Budget     zh.Fen
	Actual     zh.Fen
	Budgeted   bool // an amount was entered (a category may be spent in without one)
}

// Percent is the actual as a whole percentage of the budget, or -1 when
// nothing was budgeted.
func (l BudgetLine) Percent() int {
	if !l.Budgeted || l.Budget == 0 {
		return -1
	}
	return int(int64(l.Actual) * 100 / int64(l.Budget))
}

// Over reports whether the actual is above the budget.
func (l BudgetLine) Over() bool { return l.Budgeted && l.Actual > l.Budget }

// Budget is a community's yearly budget against actuals.
type Budget struct {
	Community     int64
	Year          int
	Lines         []BudgetLine // income categories first, then expense, by code
	Entered       bool         // at least one amount was entered for the year
	IncomeBudget  zh.Fen
	IncomeActual  zh.Fen
	ExpenseBudget zh.Fen
	ExpenseActual zh.Fen
	PublishedOnly bool // the actuals count published months only
}

func validYear(year int) error {
	if year < 2000 || year > 2199 {
		return mingbai.FieldError("year", "年份不对。")
	}
	return nil
}

// SetBudget enters or replaces the community's budget amounts for year,
// per leaf category of its district. A category left out keeps its
// amount; an amount of zero is a budget of nothing.
func (s *Service) SetBudget(ctx context.Context, a *mingbai.Actor, communityID int64, year int, amounts map[int64]zh.Fen) error {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	if err := validYear(year); err != nil {
		return err
	}
	if len(amounts) == 0 {
		return mingbai.FieldError("budget", "请至少填写一个科目的预算金额。")
	}
	return s.writeTo(ctx, c, func(tx *store.Tx) error {
		cats, err := categoriesTx(ctx, tx, c.District)
		if err != nil {
			return err
		}
		byID := map[int64]Category{}
		for _, ct := range cats {
			byID[ct.ID] = ct
		}
		ids := make([]int64, 0, len(amounts))
		for id := range amounts {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			amt := amounts[id]
			field := fmt.Sprintf("budget_%d", id)
			ct, ok := byID[id]
			if !ok || !ct.Leaf || ct.Archived {
				return mingbai.FieldError(field, "预算只能按本区在用的明细科目填写。")
			}
			if amt < 0 {
				return mingbai.FieldError(field, "“%s”的预算不能是负数。", ct.Name)
			}
			// Only a new or changed amount is a new version: saving the
			// form again adds nothing to the log.
			var bid, old int64
			err := tx.QueryRow(ctx, "SELECT id, amount FROM fin_budgets WHERE community_id = ? AND year = ? AND category_id = ?", c.ID, year, id).Scan(&bid, &old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				bid, err = tx.InsertID(ctx, `INSERT INTO fin_budgets (community_id, year, category_id, amount, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
					c.ID, year, id, int64(amt), a.UserID, s.now())
				if err != nil {
					return fmt.Errorf("set budget %d/%d/%d: %w", c.ID, year, id, err)
				}
			case err != nil:
				return fmt.Errorf("read budget %d/%d/%d: %w", c.ID, year, id, err)
			case old == int64(amt):
				continue
			default:
				if _, err := tx.Exec(ctx, "UPDATE fin_budgets SET amount = ?, set_by = ?, set_at = ? WHERE id = ? AND community_id = ?",
					int64(amt), a.UserID, s.now(), bid, c.ID); err != nil {
					return fmt.Errorf("set budget %d/%d/%d: %w", c.ID, year, id, err)
				}
			}
			if err := s.logBudgetTx(ctx, tx, a, c.ID, bid, year, id, int64(amt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// BudgetOf returns the community's budget for year against its actuals.
// Categories spent in without a budget are listed too, so unplanned
// spending shows. Entered is false when no amount was entered.
func (s *Service) BudgetOf(ctx context.Context, a *mingbai.Actor, communityID int64, year int) (*Budget, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if err := validYear(year); err != nil {
		return nil, err
	}
	b := &Budget{Community: c.ID, Year: year, PublishedOnly: !acc.SeesUnpublished()}
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		cats, err := categoriesTx(ctx, tx, c.District)
		if err != nil {
			return err
		}
		lines := map[int64]*BudgetLine{}
		line := func(id int64) *BudgetLine {
			if l := lines[id]; l != nil {
				return l
			}
			for _, ct := range cats {
				if ct.ID == id {
					lines[id] = &BudgetLine{CategoryID: id, Code: ct.Code, Name: ct.Name, Direction: ct.Direction}
					return lines[id]
				}
			}
			return nil
		}
		rows, err := tx.Query(ctx, "SELECT category_id, amount FROM fin_budgets WHERE community_id = ? AND year = ?", c.ID, year)
		if err != nil {
			return fmt.Errorf("read budget %d/%d: %w", c.ID, year, err)
		}
		for rows.Next() {
			var id, amt int64
			if err := rows.Scan(&id, &amt); err != nil {
				rows.Close()
				return fmt.Errorf("read budget %d/%d: %w", c.ID, year, err)
			}
			if l := line(id); l != nil {
				l.Budget, l.Budgeted = zh.Fen(amt), true
				b.Entered = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read budget %d/%d: %w", c.ID, year, err)
		}
		// Reversing entries carry negative amounts, so the sum is net.
		q := "SELECT category_id, SUM(amount) FROM fin_entries WHERE community_id = ? AND year = ?"
		args := []any{c.ID, year}
		if b.PublishedOnly {
			q += " AND period IN (SELECT period FROM fin_periods WHERE community_id = ? AND status = 'published')"
			args = append(args, c.ID)
		}
		rows, err = tx.Query(ctx, q+" GROUP BY category_id", args...)
		if err != nil {
			return fmt.Errorf("actuals %d/%d: %w", c.ID, year, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, sum int64
			if err := rows.Scan(&id, &sum); err != nil {
				return fmt.Errorf("actuals %d/%d: %w", c.ID, year, err)
			}
			if l := line(id); l != nil {
				l.Actual = zh.Fen(sum)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("actuals %d/%d: %w", c.ID, year, err)
		}
		for _, l := range lines {
			b.Lines = append(b.Lines, *l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(b.Lines, func(i, j int) bool {
		if b.Lines[i].Direction != b.Lines[j].Direction {
			return b.Lines[i].Direction == Income
		}
		return b.Lines[i].Code < b.Lines[j].Code
	})
	for _, l := range b.Lines {
		if l.Direction == Income {
			b.IncomeBudget += l.Budget
			b.IncomeActual += l.Actual
		} else {
			b.ExpenseBudget += l.Budget
			b.ExpenseActual += l.Actual
		}
	}
	return b, nil
}
