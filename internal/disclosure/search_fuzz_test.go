package disclosure_test

import (
	"context"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// FuzzSearch sends any query to the board's search on real SQLite and
// PostgreSQL databases: the query text must never reach the full-text
// engines as syntax (an FTS5 or tsquery error would be an internal error
// for the resident), and hits stay in the community searched.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"党费", "电扇 纳凉", "2026", "\"", "'", "党费\" OR \"x", "a:b", "NEAR(a b)", "*", "-党费", "^党", "a & b | !c",
		"党费'); DROP TABLE disclosures; --", "\\", "ＡＢＣ", "😀", "\xff", strings.Repeat("党", 101), "\u0301", "ǅ"} {
		f.Add(s)
	}
	ctx := context.Background()
	type target struct {
		name string
		e    *env
	}
	dbs := map[string]*store.DB{"sqlite": storetest.SQLite(f)}
	if storetest.PostgresWanted() {
		dbs["postgres"] = storetest.Postgres(f)
	}
	var targets []target
	for name, db := range dbs {
		e := newEnv(f, db)
		for _, d := range searchCorpus {
			if d.community != "A" || d.code == "party-fees" {
				continue
			}
			e.publish(f, e.cadreA, e.demo.Suojin4, d.code, d.title, d.period, d.body)
		}
		e.publish(f, e.cadreB, e.demo.Suojin1, "income-expense", "锁金一村党费电扇收支", "2026年", "党费 电扇 纳凉 2026 ABC")
		// The corpus is searchable, so the target is not fuzzing an empty index.
		if res, err := e.svc.Search(ctx, disclosure.SearchQuery{Q: "纳凉", CommunityID: e.demo.Suojin4}); err != nil || len(res.Hits) == 0 {
			f.Fatalf("%s: search for 纳凉 found nothing: %v", name, err)
		}
		targets = append(targets, target{name, e})
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, tg := range targets {
			res, err := tg.e.svc.Search(ctx, disclosure.SearchQuery{Q: q, CommunityID: tg.e.demo.Suojin4})
			if err != nil {
				if mingbai.ErrorCode(err) != mingbai.EINVALID {
					t.Fatalf("%s: Search(%q): %v", tg.name, q, err)
				}
				continue
			}
			if len(res.Tokens) > 32 || len(res.Hits) > disclosure.PageSize {
				t.Fatalf("%s: Search(%q): %d tokens, %d hits", tg.name, q, len(res.Tokens), len(res.Hits))
			}
			for _, h := range res.Hits {
				if h.CommunityID != tg.e.demo.Suojin4 {
					t.Fatalf("%s: Search(%q) in 锁金四村 found %q of community %d", tg.name, q, h.Title, h.CommunityID)
				}
			}
		}
	})
}
