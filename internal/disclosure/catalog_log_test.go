package disclosure_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

func TestCatalogChangesAreLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A, B := e.demo.Suojin4, e.demo.Suojin1
		leaves := func() int { return leafCount(t, db, disclosure.CatalogKind) }

		// The default catalog loads with one leaf per item, once.
		district, err := e.svc.DistrictItems(ctx, e.demo.District)
		if err != nil {
			t.Fatal(err)
		}
		if n := leaves(); n != len(district) || n < 20 {
			t.Fatalf("default load: %d leaves for %d items", n, len(district))
		}
		if _, err := e.svc.Items(ctx, B); err != nil {
			t.Fatal(err)
		}
		if n := leaves(); n != len(district) {
			t.Errorf("a second community's first read appended leaves: %d", n-len(district))
		}

		// step runs a change and checks it appended exactly want leaves.
		step := func(name string, want int, fn func() error) error {
			t.Helper()
			before := leaves()
			err := fn()
			if got := leaves() - before; got != want {
				t.Errorf("%s appended %d leaves, want %d (err %v)", name, got, want, err)
			}
			return err
		}
		fin := e.item(t, A, "income-expense")
		in := disclosure.ItemInputOf(&fin)
		in.Cadence = "monthly"
		if err := step("forbidden edit", 0, func() error {
			_, err := e.svc.SaveItem(ctx, e.cadreA, e.demo.District, 0, fin.ID, in)
			return err
		}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre edits the district catalog: %v", err)
		}
		badIn := in
		badIn.Cadence = "weekly"
		if err := step("bad edit", 0, func() error {
			_, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, badIn)
			return err
		}); mingbai.ErrorField(err) != "cadence" {
			t.Errorf("bad cadence: %v", err)
		}
		e.now = e.now.Add(time.Hour)
		if err := step("edit", 1, func() error {
			_, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, in)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := step("save without change", 0, func() error {
			_, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, in)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := step("archive", 1, func() error { return e.svc.ArchiveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, false) }); err != nil {
			t.Fatal(err)
		}
		if err := step("archive again", 0, func() error { return e.svc.ArchiveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, false) }); err != nil {
			t.Fatal(err)
		}
		if err := step("restore", 1, func() error { return e.svc.ArchiveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, true) }); err != nil {
			t.Fatal(err)
		}
		var own *disclosure.Item
		if err := step("create", 1, func() error {
			var err error
			own, err = e.svc.SaveItem(ctx, e.cadreA, 0, A, 0, disclosure.ItemInput{Section: "affairs", Name: "加装电梯进展", Cadence: "quarterly", Publisher: "cadre"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := step("B edits A's item", 0, func() error {
			_, err := e.svc.SaveItem(ctx, e.cadreB, 0, A, own.ID, disclosure.ItemInputOf(own))
			return err
		}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B edits A's item: %v", err)
		}
		if err := step("B archives A's item", 0, func() error { return e.svc.ArchiveItem(ctx, e.cadreB, 0, B, own.ID, false) }); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B archives A's item through B: %v", err)
		}

		// The history names every change with its leaf, and says what changed.
		hist, err := e.svc.ItemHistory(ctx, A, fin.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, v := range hist {
			actions = append(actions, v.Action)
		}
		if strings.Join(actions, ",") != "load,edit,archive,restore" {
			t.Fatalf("history actions %v", actions)
		}
		if len(hist[1].Changes) != 1 || hist[1].Changes[0] != "公开时限：每季度，期满后公开 → 每月，期满后公开" || hist[1].ChangerName != "陈明" {
			t.Errorf("edit: %q by %q", hist[1].Changes, hist[1].ChangerName)
		}
		if hist[2].ArchivedAt == nil || hist[3].ArchivedAt != nil || hist[0].ChangerName != "" {
			t.Errorf("archive flags or loader: %+v", hist)
		}
		for i, v := range hist {
			if v.Version != i+1 {
				t.Errorf("version %d at %d", v.Version, i)
			}
			lf, err := e.log.Leaf(ctx, v.LeafIndex)
			if err != nil {
				t.Fatal(err)
			}
			env, err := tlog.ParseEnvelope(lf.Entry)
			if err != nil {
				t.Fatal(err)
			}
			if env.Kind != disclosure.CatalogKind || env.Object != strconv.FormatInt(fin.ID, 10) || env.Version != int64(v.Version) || env.Community != 0 {
				t.Errorf("envelope %+v", env)
			}
			content, err := e.log.Content(ctx, v.LeafIndex)
			if err != nil {
				t.Fatal(err)
			}
			if sha256.Sum256(content) != env.ContentSHA256 {
				t.Errorf("content of version %d does not hash to its leaf", v.Version)
			}
		}
		if !strings.Contains(string(mustContent(t, e, hist[1].LeafIndex)), `"cadence":"monthly"`) {
			t.Errorf("edit content lacks the new cadence")
		}
		// The community's own item is in its history for A only.
		if h, err := e.svc.ItemHistory(ctx, A, own.ID); err != nil || len(h) != 1 || h[0].Action != "create" || h[0].CommunityID != A {
			t.Errorf("own item history %+v %v", h, err)
		}
		if _, err := e.svc.ItemHistory(ctx, B, own.ID); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B reads A's item history: %v", err)
		}
		// The snapshots are append-only.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE disclosure_item_versions SET cadence = 'yearly' WHERE item_id = ?`, fin.ID)
			return err
		}); err == nil {
			t.Error("changing a logged catalog version succeeded")
		}

		// An item made before the catalog was logged gets a baseline leaf
		// once, as it stands.
		var old int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			old, err = tx.InsertID(ctx, `INSERT INTO disclosure_items (district_id, community_id, section, code, name, cadence, publisher, audience, mode, created_at, updated_at)
				VALUES (?, ?, 'affairs', 'old-item', '旧目录项', 'yearly', 'cadre', 'public', 'proactive', ?, ?) RETURNING id`, e.demo.District, A, e.now, e.now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := step("baseline", 1, func() error {
			n, err := e.svc.LogUnloggedItems(ctx)
			if n != 1 {
				t.Errorf("logged %d unlogged items", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := step("baseline again", 0, func() error { _, err := e.svc.LogUnloggedItems(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		if h, err := e.svc.ItemHistory(ctx, A, old); err != nil || len(h) != 1 || h[0].Action != disclosure.ItemBaseline || h[0].Version != 1 {
			t.Errorf("baseline history %+v %v", h, err)
		}

		if _, err := e.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources()})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 || rep.Content.Checked != leaves() || rep.Content.Unchecked != 0 {
			t.Errorf("fsck: %+v (catalog leaves %d)", rep, leaves())
		}

		// A cadence changed in the database behind the log's back is named.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE disclosure_items SET cadence = 'yearly' WHERE id = ?`, fin.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rep, err = tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources()})
		if err != nil {
			t.Fatal(err)
		}
		want := "(catalog_item " + strconv.FormatInt(fin.ID, 10) + " version 4): the content no longer matches its leaf"
		if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], want) {
			t.Errorf("fsck of a quietly changed cadence: %q", rep.Problems)
		}
	})
}

func mustContent(t *testing.T, e *env, idx int64) []byte {
	t.Helper()
	b, err := e.log.Content(context.Background(), idx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkLoadDefaultCatalog times loading the default catalog into a
// new district: 27 items, each with its snapshot row and its leaf, in one
// group-committed transaction.
func BenchmarkLoadDefaultCatalog(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchLoadCatalog(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchLoadCatalog(b, storetest.Postgres(b)) })
}

func benchLoadCatalog(b *testing.B, db *store.DB) {
	{
		ctx := context.Background()
		e := newEnv(b, db)
		orgs := org.NewService(db, func() time.Time { return e.now })
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			d, err := orgs.CreateDistrict(ctx, org.NewUnit{Name: "基准区" + strconv.Itoa(i), Slug: "bench-" + strconv.Itoa(i), GBCode: fmt.Sprintf("33%02d%02d", 1+i/99%99, 1+i%99)}, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := e.svc.LoadDefaultCatalog(ctx, d.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
}
