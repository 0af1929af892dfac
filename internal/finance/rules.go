package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Rules are a district's finance settings (DOMAIN.md: thresholds live in a
// rules table per district, never in code). A district without a row uses
// DefaultRules.
type Rules struct {
	// ExpenseThreshold: an expense above it must link a decision or give a
	// reason, or it is flagged on the board.
	ExpenseThreshold zh.Fen
	// CloseDueDay: a month must be closed by this day of the next month,
	// or the street sees it as late.
	CloseDueDay int
}

// DefaultRules are the defaults: 2,000元, close by the 10th.
var DefaultRules = Rules{ExpenseThreshold: 200000, CloseDueDay: 10}

// RulesOf returns the rules of a district.
func (s *Service) RulesOf(ctx context.Context, districtID int64) (Rules, error) {
	var r Rules
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = rulesTx(ctx, tx, districtID)
		return err
	})
	return r, err
}

func rulesTx(ctx context.Context, tx *store.Tx, districtID int64) (Rules, error) {
	var r Rules
	err := tx.QueryRow(ctx, "SELECT expense_threshold, close_due_day FROM fin_rules WHERE district_id = ?", districtID).
		Scan(&r.ExpenseThreshold, &r.CloseDueDay)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRules, nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("read finance rules of district %d: %w", districtID, err)
	}
	return r, nil
}

// SetRules changes a district's rules. Only that district's admin may.
func (s *Service) SetRules(ctx context.Context, a *mingbai.Actor, districtID int64, r Rules) error {
	if !a.IsDistrictAdmin(districtID) {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以修改财务规则。")
	}
	if r.ExpenseThreshold <= 0 || r.ExpenseThreshold > zh.Fen(zh.MaxYuan)*100 {
		return mingbai.FieldError("threshold", "大额支出标准必须大于零。")
	}
	if r.CloseDueDay < 1 || r.CloseDueDay > 28 {
		return mingbai.FieldError("close_due_day", "结账期限应在次月 1 日到 28 日之间。")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO fin_rules (district_id, expense_threshold, close_due_day, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (district_id) DO UPDATE SET expense_threshold = excluded.expense_threshold,
				close_due_day = excluded.close_due_day, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			districtID, int64(r.ExpenseThreshold), r.CloseDueDay, s.now(), a.UserID)
		if err != nil {
			return fmt.Errorf("set finance rules of district %d: %w", districtID, err)
		}
		return nil
	})
}

// Category is one node of a district's category tree (科目). Entries take
// leaf categories only.
type Category struct {
	ID        int64
	District  int64
	ParentID  int64 // 0 at the top
	Code      string
	Name      string
	Direction Direction
	Archived  bool
	Leaf      bool
	Depth     int
}

// defaultCategories is the tree a district starts with; its admin can add,
// rename and archive categories.
var defaultCategories = []struct {
	code, name, parent string
	dir                Direction
}{
	{"1", "收入", "", Income},
	{"101", "工作经费", "1", Income},
	{"102", "捐赠收入", "1", Income},
	{"103", "收费", "1", Income},
	{"109", "其他收入", "1", Income},
	{"2", "支出", "", Expense},
	{"201", "办公费", "2", Expense},
	{"202", "活动经费", "2", Expense},
	{"203", "补贴", "2", Expense},
	{"20301", "干部补贴", "203", Expense},
	{"20302", "干部奖金", "203", Expense},
	{"204", "救助", "2", Expense},
	{"205", "维修费", "2", Expense},
	{"209", "其他支出", "2", Expense},
}

// ensureCategories gives a district the default tree if it has none yet.
func ensureCategories(ctx context.Context, tx *store.Tx, districtID int64) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM fin_categories WHERE district_id = ?", districtID).Scan(&n); err != nil {
		return fmt.Errorf("count categories: %w", err)
	}
	if n > 0 {
		return nil
	}
	ids := map[string]int64{}
	for i, c := range defaultCategories {
		var parent any
		if c.parent != "" {
			parent = ids[c.parent]
		}
		id, err := tx.InsertID(ctx, `INSERT INTO fin_categories (district_id, parent_id, code, name, direction, position)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, districtID, parent, c.code, c.name, string(c.dir), i)
		if err != nil {
			return fmt.Errorf("seed category %s: %w", c.code, err)
		}
		ids[c.code] = id
	}
	return nil
}

// Categories returns a district's tree in display order (each parent
// before its children).
func (s *Service) Categories(ctx context.Context, districtID int64) ([]Category, error) {
	var out []Category
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = categoriesTx(ctx, tx, districtID)
		return err
	})
	return out, err
}

func categoriesTx(ctx context.Context, tx *store.Tx, districtID int64) ([]Category, error) {
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(parent_id, 0), code, name, direction, archived
		FROM fin_categories WHERE district_id = ? ORDER BY code`, districtID)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	defer rows.Close()
	var all []Category
	for rows.Next() {
		c := Category{District: districtID, Leaf: true}
		var dir string
		var archived int
		if err := rows.Scan(&c.ID, &c.ParentID, &c.Code, &c.Name, &dir, &archived); err != nil {
			return nil, fmt.Errorf("read categories: %w", err)
		}
		c.Direction, c.Archived = Direction(dir), archived != 0
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	// Order as a tree: codes sort parents before children only when codes
	// nest, and an admin's new code need not; walk the tree instead.
	children := map[int64][]int{}
	for i, c := range all {
		children[c.ParentID] = append(children[c.ParentID], i)
		if c.ParentID != 0 {
			for j := range all {
				if all[j].ID == c.ParentID {
					all[j].Leaf = false
				}
			}
		}
	}
	out := make([]Category, 0, len(all))
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, i := range children[parent] {
			c := all[i]
			c.Depth = depth
			out = append(out, c)
			walk(c.ID, depth+1)
		}
	}
	walk(0, 0)
	return out, nil
}

// NewCategory is a category a district admin adds.
type NewCategory struct {
	ParentID int64
	Code     string
	Name     string
}

// AddCategory adds a category under ParentID (which sets its direction).
// A parent that already has entries cannot take children: entries stay on
// leaves.
func (s *Service) AddCategory(ctx context.Context, a *mingbai.Actor, districtID int64, nc NewCategory) (int64, error) {
	if !a.IsDistrictAdmin(districtID) {
		return 0, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以修改科目。")
	}
	code := strings.TrimSpace(nc.Code)
	if code == "" || len(code) > 12 || strings.Trim(code, "0123456789") != "" {
		return 0, mingbai.FieldError("code", "科目代码应为 1 到 12 位数字。")
	}
	name, err := zh.Text{Field: "name", Label: "科目名称", Min: 1, Max: 30}.Clean(nc.Name)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := ensureCategories(ctx, tx, districtID); err != nil {
			return err
		}
		var dir string
		err := tx.QueryRow(ctx, "SELECT direction FROM fin_categories WHERE id = ? AND district_id = ?", nc.ParentID, districtID).Scan(&dir)
		if errors.Is(err, sql.ErrNoRows) {
			return mingbai.FieldError("parent", "请选择上级科目。")
		}
		if err != nil {
			return fmt.Errorf("read parent category: %w", err)
		}
		var used int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM fin_entries WHERE category_id = ?", nc.ParentID).Scan(&used); err != nil {
			return fmt.Errorf("count entries of category: %w", err)
		}
		if used > 0 {
			return mingbai.FieldError("parent", "上级科目已经记过账，不能再分下级科目。")
		}
		id, err = tx.InsertID(ctx, `INSERT INTO fin_categories (district_id, parent_id, code, name, direction, position)
			VALUES (?, ?, ?, ?, ?, 0) RETURNING id`, districtID, nc.ParentID, code, name, dir)
		if store.IsUniqueViolation(err) {
			return mingbai.FieldError("code", "科目代码或名称已经存在。")
		}
		if err != nil {
			return fmt.Errorf("add category: %w", err)
		}
		return nil
	})
	return id, err
}

// SetCategoryArchived archives a category (no new entries) or restores it.
// Archived categories stay on old entries and statements.
func (s *Service) SetCategoryArchived(ctx context.Context, a *mingbai.Actor, districtID, categoryID int64, archived bool) error {
	if !a.IsDistrictAdmin(districtID) {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以修改科目。")
	}
	v := 0
	if archived {
		v = 1
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE fin_categories SET archived = ? WHERE id = ? AND district_id = ?", v, categoryID, districtID)
		if err != nil {
			return fmt.Errorf("archive category: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该科目。")
		}
		return nil
	})
}
