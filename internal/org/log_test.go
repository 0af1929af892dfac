package org_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestUnitLeaves: every creation, rename, new slug and archiving of a
// unit appends an org_unit leaf; fsck rebuilds the newest from the live
// row and older ones from the history (two renames in one second
// included), names the unit whose name or history was changed in SQL,
// and names a unit with no leaf until LogUnloggedUnits adopts it.
func TestUnitLeaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, c := newService(db)
		l, err := tlog.OpenWith(ctx, db, t.TempDir(), "test.mingbai/log", c.Now, tlog.Options{NoIntegrator: true})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		svc.UseLog(l)
		l.UseSources(svc.ContentSources())
		fsck := func() []string {
			t.Helper()
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: l.Sources(), Checks: org.Checks()})
			if err != nil {
				t.Fatal(err)
			}
			return rep.Problems
		}
		leaves := func(id int64) int {
			t.Helper()
			var n int
			if err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM tlog_leaves WHERE kind = ? AND object = ?", org.LeafKind, fmt.Sprint(id)).Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
				t.Fatal(err)
			}
		}

		d, err := svc.CreateDistrict(ctx, org.NewUnit{Name: "玄武区", Slug: "xuanwu", GBCode: "320102"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		st, err := svc.CreateStreet(ctx, d.ID, org.NewUnit{Name: "锁金村街道", Slug: "suojin"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		cm, err := svc.CreateCommunity(ctx, st.ID, org.NewUnit{Name: "锁金四村社区", Slug: "suojin-4", Phone: "025-85500000", BoardLocation: "社区服务中心门口"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		name := func(s string) *string { return &s }
		// Two renames in the same second as the creation: older leaves
		// must still be told apart.
		for _, n := range []string{"锁金四村", "锁金新村社区"} {
			if _, err := svc.Update(ctx, cm.ID, org.UnitChanges{Name: name(n)}, 0); err != nil {
				t.Fatal(err)
			}
		}
		c.now = c.now.Add(time.Hour)
		if _, err := svc.Update(ctx, cm.ID, org.UnitChanges{Slug: name("suojin-new")}, 0); err != nil {
			t.Fatal(err)
		}
		// A phone is no public fact of the log: no leaf.
		if _, err := svc.Update(ctx, cm.ID, org.UnitChanges{Phone: name("025-85500001")}, 0); err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(time.Hour)
		if err := svc.Archive(ctx, cm.ID, 0); err != nil {
			t.Fatal(err)
		}
		if got := leaves(cm.ID); got != 5 {
			t.Errorf("the community has %d leaves, want 5 (create, two renames, slug, archive)", got)
		}
		if got := leaves(d.ID); got != 1 {
			t.Errorf("the district has %d leaves, want 1", got)
		}
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("untampered: %q", ps)
		}

		// The live name, as every page shows it.
		exec("UPDATE org_units SET name = ? WHERE id = ?", "篡改社区", cm.ID)
		ps := strings.Join(fsck(), "\n")
		if want := fmt.Sprintf("(org_unit %d version 5)", cm.ID); !strings.Contains(ps, want) {
			t.Errorf("renamed in SQL: fsck does not name %q; it says %q", want, ps)
		}
		exec("UPDATE org_units SET name = ? WHERE id = ?", "锁金新村社区", cm.ID)
		// The history older leaves are rebuilt from.
		exec("UPDATE org_unit_history SET new_value = ? WHERE unit_id = ? AND change = ? AND new_value = ?", "锁金X村", cm.ID, org.ChangeName, "锁金四村")
		ps = strings.Join(fsck(), "\n")
		if want := fmt.Sprintf("(org_unit %d version 2)", cm.ID); !strings.Contains(ps, want) {
			t.Errorf("history changed in SQL: fsck does not name %q; it says %q", want, ps)
		}
		exec("UPDATE org_unit_history SET new_value = ? WHERE unit_id = ? AND change = ? AND new_value = ?", "锁金四村", cm.ID, org.ChangeName, "锁金X村")
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("undone: %q", ps)
		}

		// A unit made without the log (before units were logged, or by a
		// CLI run before the key existed) is named until it is adopted.
		bare, _ := newService(db)
		dep, err := bare.CreateDepartment(ctx, d.ID, org.NewUnit{Name: "玄武区民政局", Slug: "minzheng"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ps = strings.Join(fsck(), "\n")
		if want := fmt.Sprintf("org_units row %d", dep.ID); !strings.Contains(ps, want) {
			t.Errorf("a unit without a leaf: fsck does not name %q; it says %q", want, ps)
		}
		for i, want := range []int{1, 0} {
			if n, err := svc.LogUnloggedUnits(ctx); err != nil || n != want {
				t.Fatalf("adoption %d: logged %d (%v), want %d", i+1, n, err, want)
			}
		}
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("after adoption: %q", ps)
		}
		exec("UPDATE org_units SET name = ? WHERE id = ?", "篡改局", dep.ID)
		ps = strings.Join(fsck(), "\n")
		if want := fmt.Sprintf("(org_unit %d version 1)", dep.ID); !strings.Contains(ps, want) {
			t.Errorf("adopted unit renamed in SQL: fsck does not name %q; it says %q", want, ps)
		}
	})
}
