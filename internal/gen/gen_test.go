package gen_test

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/gen"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// run generates two communities over four months: enough for every kind
// of row, small enough for the race detector.
func run(t *testing.T, db *store.DB, seed uint64) (*gen.Summary, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := gen.Run(context.Background(), db, gen.Options{Communities: 2, Months: 4, Seed: seed, DataDir: dir, Origin: "example.org/gen-test", Progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d leaves in %s (rows %s, integration %s)", db.Dialect, s.Leaves, s.Elapsed, s.WriteTime, s.IntegrateTime)
	return s, dir
}

// leaves returns every leaf entry in order.
func leaves(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT entry FROM tlog_leaves ORDER BY idx")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e []byte
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, string(e))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic: the same seed gives the same leaves, byte for byte,
// in two fresh databases; another seed does not. (TestServicesReadGenerated
// compares SQLite with PostgreSQL.)
func TestDeterministic(t *testing.T) {
	a, b := storetest.SQLite(t), storetest.SQLite(t)
	sa, _ := run(t, a, 11)
	sb, _ := run(t, b, 11)
	la, lb := leaves(t, a), leaves(t, b)
	if sa.TreeRoot != sb.TreeRoot || !slices.Equal(la, lb) {
		t.Fatalf("same seed, different logs: roots %s and %s, %d and %d leaves", sa.TreeRoot, sb.TreeRoot, len(la), len(lb))
	}
	if int64(len(la)) != sa.Leaves || sa.Leaves < 300 {
		t.Fatalf("%d leaf rows, summary says %d", len(la), sa.Leaves)
	}
	c := storetest.SQLite(t)
	if sc, _ := run(t, c, 12); sc.TreeRoot == sa.TreeRoot {
		t.Fatal("another seed gave the same log")
	}
}

// TestServicesReadGenerated: what gen writes is what the services read,
// fsck checks every leaf's content against the rows, a publication through
// the service continues the log and the ids after the bulk load, and
// PostgreSQL gets the very leaves SQLite gets.
func TestServicesReadGenerated(t *testing.T) {
	var sqliteLeaves []string
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := run(t, db, 8) // a seed with withdrawals in four months
		ls := leaves(t, db)
		if db.Dialect == store.SQLite {
			sqliteLeaves = ls
		} else if sqliteLeaves != nil && !slices.Equal(ls, sqliteLeaves) {
			t.Fatalf("PostgreSQL's %d leaves differ from SQLite's %d", len(ls), len(sqliteLeaves))
		}
		if s.Communities != 2 || s.Disclosures < 200 || s.Questions < 20 || s.Statements < 4 || s.Corrections == 0 || s.Withdrawals == 0 {
			t.Fatalf("thin data: %+v", s)
		}
		now := func() time.Time { return gen.DefaultUntil.UTC().Add(time.Hour) }
		l, err := tlog.OpenWith(ctx, db, dir, "example.org/gen-test", now, tlog.Options{NoIntegrator: true})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cal := zh.NewCalendar()
		board := disclosure.NewService(db, l, cal, dir, now)
		qas := qa.NewService(db, l, cal, now)
		orgs := org.NewService(db, now)
		orgs.UseLog(l)
		fin := finance.NewService(db, orgs, l, dir, now)
		l.UseSources(board.ContentSources(), qas.ContentSources(), orgs.ContentSources(), fin.ContentSources())

		rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Dir: dir, Sources: l.Sources()})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 || int64(rep.Content.Checked) != s.Leaves || rep.Content.Unchecked != 0 {
			t.Fatalf("fsck: %d leaves, %+v, problems %v", rep.Leaves, rep.Content, rep.Problems[:min(5, len(rep.Problems))])
		}

		target := s.Target.ID
		sections, err := board.Board(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		published := 0
		for _, sec := range sections {
			for _, it := range sec.Items {
				if it.Latest != nil {
					published++
				}
			}
		}
		if published < 15 {
			t.Fatalf("the board shows %d items with a disclosure", published)
		}
		_, versions, err := board.Disclosure(ctx, target, s.ExampleDisclosure)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 2 || versions[1].Action != "correct" || versions[1].Reason == "" {
			t.Fatalf("corrected disclosure %d: %+v", s.ExampleDisclosure, versions)
		}
		res, err := board.Search(ctx, disclosure.SearchQuery{Q: "收支情况", CommunityID: target})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatal("search found no 收支情况")
		}

		v, err := qas.ByCode(ctx, s.QuestionCode)
		if err != nil {
			t.Fatal(err)
		}
		replied := false
		for _, e := range v.Events {
			replied = replied || (e.Kind == qa.EventReply && e.LeafIndex != nil && e.OutcomeLeaf != nil)
		}
		if v.Item.CommunityID != target || !replied {
			t.Fatalf("question %s: %+v", s.QuestionCode, v.Events)
		}

		p, err := finance.ParsePeriod(s.StatementPeriod)
		if err != nil {
			t.Fatal(err)
		}
		st, err := fin.StatementOf(ctx, &mingbai.Actor{}, target, p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "published" || len(st.Statement.Entries) == 0 || st.Statement.Income == 0 {
			t.Fatalf("statement %s: %s, %d entries", p, st.Status, len(st.Statement.Entries))
		}

		// The cadre logs in with the printed password and publishes: the
		// new leaf follows the generated ones.
		users := auth.NewService(db, now)
		users.SetHashParams(auth.TestHashParams)
		sess, err := users.Login(ctx, "ganbu", s.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		cadre, err := users.Actor(ctx, sess.UserID)
		if err != nil {
			t.Fatal(err)
		}
		items, err := board.PublishableItems(ctx, cadre, target)
		if err != nil || len(items) == 0 {
			t.Fatalf("cadre may publish %d items: %v", len(items), err)
		}
		dr, err := board.CreateDraft(ctx, cadre, target, disclosure.DraftInput{ItemID: items[0].ID, Title: "压测后新发布的通知", Body: "新的一条。"})
		if err != nil {
			t.Fatal(err)
		}
		pv, err := board.Publish(ctx, cadre, target, dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pv.LeafIndex != s.Leaves {
			t.Fatalf("new leaf %d, want %d", pv.LeafIndex, s.Leaves)
		}
	})
}
