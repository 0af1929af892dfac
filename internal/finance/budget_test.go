package finance_test

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/zh"
)

func TestBudgetAgainstActuals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		office, work, party := e.cats["办公费"], e.cats["工作经费"], e.cats["活动经费"]

		// Nothing entered yet: the board shows no budget.
		b, err := e.fin.BudgetOf(ctx, e.public, c, 2025)
		if err != nil || b.Entered {
			t.Fatalf("empty budget %+v %v", b, err)
		}
		// Only A's cadres, only leaf categories in use, no negative amounts.
		wantCode(t, e.fin.SetBudget(ctx, e.cadreB, c, 2025, map[int64]zh.Fen{office: 100}), mingbai.EFORBIDDEN)
		wantCode(t, e.fin.SetBudget(ctx, e.super, c, 2025, map[int64]zh.Fen{office: 100}), mingbai.EFORBIDDEN)
		wantCode(t, e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{e.cats["补贴"]: 100}), mingbai.EINVALID)
		wantCode(t, e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{office: -1}), mingbai.EINVALID)
		wantCode(t, e.fin.SetBudget(ctx, e.cadre, c, 1999, map[int64]zh.Fen{office: 1}), mingbai.EINVALID)
		if err := e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{office: 50000, work: 1000000}); err != nil {
			t.Fatal(err)
		}
		// Entering again replaces the amount.
		if err := e.fin.SetBudget(ctx, e.cadre, c, 2025, map[int64]zh.Fen{office: 60000}); err != nil {
			t.Fatal(err)
		}

		e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "2,000", "一月经费")
		e.mustPost(finance.MakeDate(2025, 1, 5), "银行存款", "办公费", "400", "打印纸")
		e.mustPost(finance.MakeDate(2025, 2, 5), "银行存款", "办公费", "300", "墨盒")
		e.mustPost(finance.MakeDate(2025, 2, 6), "银行存款", "活动经费", "150", "纳凉晚会")
		for _, p := range []finance.Period{202501, 202502} {
			if err := e.fin.Close(ctx, e.cadre, c, p, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.fin.Approve(ctx, e.super, c, 202501, ""); err != nil {
			t.Fatal(err)
		}

		line := func(b *finance.Budget, id int64) finance.BudgetLine {
			for _, l := range b.Lines {
				if l.CategoryID == id {
					return l
				}
			}
			t.Fatalf("no line for category %d in %+v", id, b.Lines)
			return finance.BudgetLine{}
		}
		// The public: January only (February is not published).
		pub, err := e.fin.BudgetOf(ctx, e.public, c, 2025)
		if err != nil || !pub.Entered || !pub.PublishedOnly {
			t.Fatalf("public budget %+v %v", pub, err)
		}
		if l := line(pub, office); l.Budget != 60000 || l.Actual != 40000 || l.Percent() != 66 || l.Over() {
			t.Fatalf("public office line %+v", l)
		}
		if pub.ExpenseBudget != 60000 || pub.IncomeBudget != 1000000 || pub.IncomeActual != 200000 || pub.Lines[0].Direction != finance.Income {
			t.Fatalf("public totals %+v", pub)
		}
		// The cadre: every posted entry; 活动经费 was spent without a budget.
		own, err := e.fin.BudgetOf(ctx, e.cadre, c, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if l := line(own, office); l.Actual != 70000 || !l.Over() || l.Percent() != 116 {
			t.Fatalf("cadre office line %+v", l)
		}
		if l := line(own, party); l.Budgeted || l.Actual != 15000 || l.Percent() != -1 {
			t.Fatalf("unbudgeted line %+v", l)
		}
		// Another community's budget is its own.
		other, err := e.fin.BudgetOf(ctx, e.cadreB, e.demo.Suojin1, 2025)
		if err != nil || other.Entered || len(other.Lines) != 0 {
			t.Fatalf("B's budget %+v %v", other, err)
		}
	})
}
