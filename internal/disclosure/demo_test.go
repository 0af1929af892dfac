package disclosure_test

import (
	"context"
	"testing"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if err := disclosure.SeedDemo(ctx, e.svc, e.demo); err != nil {
			t.Fatal(err)
		}
		if err := disclosure.SeedDemo(ctx, e.svc, e.demo); err != nil {
			t.Fatal("second seed:", err)
		}
		for _, c := range e.demo.Communities {
			board, err := e.svc.Board(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range board {
				n := 0
				for _, bi := range sec.Items {
					if bi.Latest != nil {
						n++
					}
				}
				if n == 0 && sec.Section != disclosure.Government {
					t.Errorf("community %d: section %s is empty", c, sec.Section)
				}
			}
		}
		state := func(c int64, code string) string {
			board, _ := e.svc.Board(ctx, c)
			for _, sec := range board {
				for _, bi := range sec.Items {
					if bi.Code == code {
						return bi.Fresh.State
					}
				}
			}
			return ""
		}
		if s := state(e.demo.Suojin1, "income-expense"); s != "overdue" {
			t.Errorf("锁金一村 finances: %s, want overdue", s)
		}
		if s := state(e.demo.Suojin4, "income-expense"); s != "fresh" && s != "soon" {
			t.Errorf("锁金四村 finances: %s", s)
		}
		var corrected, withdrawn, redacted int
		db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM disclosure_versions WHERE action = 'correct'), (SELECT COUNT(*) FROM disclosure_versions WHERE action = 'withdraw'), (SELECT COUNT(*) FROM disclosure_versions WHERE redacted_at IS NOT NULL)`).Scan(&corrected, &withdrawn, &redacted)
		if corrected < 1 || withdrawn != 1 || redacted != 1 {
			t.Errorf("corrections %d, withdrawals %d, redactions %d", corrected, withdrawn, redacted)
		}
		// The office's phone is kept as a public phone; no other number
		// is published whole.
		var hotlines int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM disclosure_versions WHERE community_id = ? AND title LIKE ? AND body LIKE ?`,
			e.demo.Suojin4, "%便民服务热线", "%025-85401234%").Scan(&hotlines)
		if hotlines != 1 {
			t.Errorf("%d hotline disclosures of 锁金四村 show the office's phone", hotlines)
		}
		var shown int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM disclosure_versions WHERE body LIKE ?`, "%12幢301室%").Scan(&shown)
		if shown != 0 {
			t.Errorf("%d demo versions show a recipient's address", shown)
		}
		res, err := e.svc.Search(ctx, disclosure.SearchQuery{Q: "党费收缴标准", CommunityID: e.demo.Suojin4})
		if err != nil || len(res.Hits) == 0 {
			t.Errorf("demo search: %v %v", res, err)
		}
	})
}
