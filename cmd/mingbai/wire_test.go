package main

import (
	"context"
	"io"
	"log/slog"
	"mingbai"
	"slices"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/web/logview"
	"mingbai/internal/zh"
)

// TestEveryLeafKindHasASource seeds the demo through the program's own
// wiring and checks that every kind of leaf it appends has a content
// source, so that fsck checks each published fact against its row and
// none is counted "without a checker".
func TestEveryLeafKindHasASource(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	db := a.db
	a.auth.SetHashParams(auth.TestHashParams)
	if _, err := seedDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := a.log.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		kinds, err = store.QueryAll(ctx, tx, func(r store.Scanner) (string, error) {
			var k string
			return k, r.Scan(&k)
		}, "SELECT DISTINCT kind FROM tlog_leaves ORDER BY kind")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sources := a.log.Sources()
	for _, k := range kinds {
		if sources[k] == nil {
			t.Errorf("leaf kind %q has no content source in wire", k)
		}
	}
	// The log's pages name every kind in Chinese.
	for k := range sources {
		if logview.KindLabel(k) == "" {
			t.Errorf("leaf kind %q has no Chinese name on the log's pages", k)
		}
	}
	// The demo is meant to show every kind of fact; a kind it never
	// appends is one the demo (and this test) would not cover.
	for k := range sources {
		if !slices.Contains(kinds, k) {
			t.Logf("the demo appends no leaf of kind %q", k)
		}
	}
	rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: sources, Checks: a.checks()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Content.Unchecked > 0 || rep.Content.Missing > 0 {
		t.Errorf("fsck of the demo: %d problems %v, %d unchecked, %d missing", len(rep.Problems), rep.Problems, rep.Content.Unchecked, rep.Content.Missing)
	}
	t.Logf("demo: %d leaf kinds, %d leaves checked", len(kinds), rep.Content.Checked)
}

// TestWireRefusesTwoSourcesForOneKind: a second feature claiming a kind is
// a wiring mistake caught at start, not a silent override.
func TestWireRefusesTwoSourcesForOneKind(t *testing.T) {
	a := newTestApp(t)
	defer func() {
		if recover() == nil {
			t.Error("a second source for the disclosure kind did not panic")
		}
	}()
	a.log.UseSources(a.disclosure.ContentSources())
}

// newTestApp is the program's app on a fresh SQLite database, as serve
// builds it.
func newTestApp(t *testing.T) *app {
	t.Helper()
	dir := t.TempDir()
	db, err := (&dbFlags{data: dir}).open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := newApp(context.Background(), db, dir, "wire.test/log", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a
}

// TestCalendarChangeReachesOtherNodes: two app nodes on one database; a
// district admin adds a holiday through one, and the other counts with it
// after its calendar chore has run, on the 提问栏 and on the board alike.
func TestCalendarChangeReachesOtherNodes(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	a.auth.SetHashParams(auth.TestHashParams)
	d, err := org.SeedDemo(ctx, a.org, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newApp(ctx, a.db, a.dataDir, "wire.test/log", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	// A Tuesday the embedded calendar counts as a working day.
	day := time.Date(2027, 3, 9, 0, 0, 0, 0, mingbai.Shanghai)
	if !b.qa.Calendar().IsWorkday(day) {
		t.Fatalf("%s is not a working day to begin with", day.Format(time.DateOnly))
	}
	u, err := a.auth.CreateUser(ctx, auth.NewUser{Username: "admin", Name: "区管理员", Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.auth.Grant(ctx, u.ID, mingbai.RoleDistrictAdmin, d.District, 0); err != nil {
		t.Fatal(err)
	}
	admin, err := a.auth.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.qa.AddCalendarRows(ctx, admin, d.District, []zh.Day{{Date: day, Kind: zh.Holiday, Name: "测试假日"}}); err != nil {
		t.Fatal(err)
	}
	if a.qa.Calendar().IsWorkday(day) {
		t.Error("the node the admin used still counts the new holiday as a working day")
	}
	var reload *chore
	for _, c := range b.chores() {
		if c.name == "reload the working-day calendar" {
			reload = &c
		}
	}
	if reload == nil {
		t.Fatal("serve has no chore that reloads the calendar")
	}
	if err := reload.run(ctx); err != nil {
		t.Fatal(err)
	}
	if b.qa.Calendar().IsWorkday(day) {
		t.Error("the other node counts the new holiday as a working day after its reload")
	}
	if b.disclosure.Calendar().IsWorkday(day) {
		t.Error("the other node's board counts the new holiday as a working day after its reload")
	}
}
