package disclosure_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// env is a board service on a real database with the demo district and a
// log without its background integrator.
type env struct {
	db   *store.DB
	svc  *disclosure.Service
	log  *tlog.Log
	demo *org.DemoOrg
	now  time.Time
	dir  string

	cadreA, cadreB, secretaryA, adminD, clerk, resident *mingbai.Actor
}

var testNow = time.Date(2026, 9, 15, 2, 0, 0, 0, time.UTC) // 2026-09-15 10:00 in Shanghai

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, now: testNow, dir: t.TempDir()}
	clock := func() time.Time { return e.now }
	demo, err := org.SeedDemo(ctx, org.NewService(db, clock), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.demo = demo
	e.log, err = tlog.OpenWith(ctx, db, e.dir, "test.mingbai.example/log", clock, tlog.Options{NoIntegrator: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.log.Close() })
	e.svc = disclosure.NewService(db, e.log, zh.NewCalendar(), e.dir, clock)
	e.log.UseSources(e.svc.ContentSources())
	grant := func(id int64, name string, r mingbai.Role, unit int64) *mingbai.Actor {
		return &mingbai.Actor{UserID: id, Name: name, Grants: []mingbai.Grant{{Role: r, UnitID: unit, Street: demo.Suojincun, District: demo.District}}}
	}
	e.cadreA = grant(1, "王秀英", mingbai.RoleCadre, demo.Suojin4)
	e.cadreB = grant(2, "吴海", mingbai.RoleCadre, demo.Suojin1)
	e.secretaryA = grant(3, "李建国", mingbai.RolePartySecretary, demo.Suojin4)
	e.adminD = grant(4, "陈明", mingbai.RoleDistrictAdmin, demo.District)
	e.clerk = grant(5, "刘科员", mingbai.RoleClerk, demo.CivilAffairs)
	e.resident = grant(6, "张桂兰", mingbai.RoleResident, demo.Suojin4)
	return e
}

func (e *env) item(t testing.TB, community int64, code string) disclosure.Item {
	t.Helper()
	items, err := e.svc.Items(context.Background(), community)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == code {
			return it
		}
	}
	t.Fatalf("no catalog item %s", code)
	return disclosure.Item{}
}

// publish drafts and publishes one disclosure.
func (e *env) publish(t testing.TB, a *mingbai.Actor, community int64, code, title, period, body string) *disclosure.Version {
	t.Helper()
	ctx := context.Background()
	it := e.item(t, community, code)
	d, err := e.svc.CreateDraft(ctx, a, community, disclosure.DraftInput{ItemID: it.ID, Title: title, Period: period, Body: body})
	if err != nil {
		t.Fatalf("draft %s: %v", title, err)
	}
	v, err := e.svc.Publish(ctx, a, community, d.ID)
	if err != nil {
		t.Fatalf("publish %s: %v", title, err)
	}
	return v
}

func code(err error) string { return mingbai.ErrorCode(err) }

func TestDefaultCatalogAndEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		items, err := e.svc.Items(ctx, e.demo.Suojin4)
		if err != nil {
			t.Fatal(err)
		}
		per := map[disclosure.Section]int{}
		for _, it := range items {
			per[it.Section]++
			if it.Name == "" || it.Elements == "" || it.Basis == "" || !it.Cadence.Valid() || it.Channels == "" || it.Audience == "" || it.Mode == "" {
				t.Errorf("item %s lacks a field: %+v", it.Code, it)
			}
			if it.Cadence == disclosure.Event && it.EventDays == 0 {
				t.Errorf("event item %s has no time limit", it.Code)
			}
		}
		for _, sec := range disclosure.Sections {
			if per[sec] < 4 {
				t.Errorf("section %s has %d default items", sec, per[sec])
			}
		}
		if got := e.item(t, e.demo.Suojin4, "party-fees"); got.Publisher != mingbai.RolePartySecretary || got.Cadence != disclosure.Quarterly {
			t.Errorf("party-fees: %+v", got)
		}
		// Loading twice changes nothing.
		if err := e.svc.LoadDefaultCatalog(ctx, e.demo.District); err != nil {
			t.Fatal(err)
		}
		again, _ := e.svc.Items(ctx, e.demo.Suojin1)
		if len(again) != len(items) {
			t.Errorf("community B sees %d items, A %d", len(again), len(items))
		}

		// The district admin edits a default item; a cadre may not.
		fin := e.item(t, e.demo.Suojin4, "income-expense")
		in := disclosure.ItemInputOf(&fin)
		in.Cadence = "monthly"
		if _, err := e.svc.SaveItem(ctx, e.cadreA, e.demo.District, 0, fin.ID, in); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre edits district catalog: %v", err)
		}
		if _, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, in); err != nil {
			t.Fatal(err)
		}
		if got := e.item(t, e.demo.Suojin1, "income-expense"); got.Cadence != disclosure.Monthly {
			t.Errorf("edit not seen by community B: %s", got.Cadence)
		}
		bad := in
		bad.Cadence = "weekly"
		if _, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, bad); mingbai.ErrorField(err) != "cadence" {
			t.Errorf("bad cadence: %v", err)
		}
		bad = in
		bad.Cadence, bad.EventDays = "event", "0"
		if _, err := e.svc.SaveItem(ctx, e.adminD, e.demo.District, 0, fin.ID, bad); mingbai.ErrorField(err) != "event_days" {
			t.Errorf("event without days: %v", err)
		}

		// Community A adds its own item; B neither sees nor edits it.
		own, err := e.svc.SaveItem(ctx, e.cadreA, 0, e.demo.Suojin4, 0, disclosure.ItemInput{
			Section: "affairs", Name: "加装电梯进展", Elements: "楼栋、进度、费用分摊", Cadence: "event", EventDays: "10", Publisher: "cadre",
		})
		if err != nil {
			t.Fatal(err)
		}
		if own.CommunityID != e.demo.Suojin4 || own.EventDays != 10 {
			t.Errorf("own item: %+v", own)
		}
		if _, err := e.svc.Item(ctx, e.demo.Suojin1, own.ID); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B sees A's item: %v", err)
		}
		if _, err := e.svc.SaveItem(ctx, e.cadreB, 0, e.demo.Suojin4, own.ID, disclosure.ItemInputOf(own)); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B edits A's item: %v", err)
		}
		if _, err := e.svc.SaveItem(ctx, e.cadreB, 0, e.demo.Suojin1, own.ID, disclosure.ItemInputOf(own)); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B edits A's item through its own community: %v", err)
		}
		if err := e.svc.ArchiveItem(ctx, e.cadreA, 0, e.demo.Suojin4, own.ID, false); err != nil {
			t.Fatal(err)
		}
		after, _ := e.svc.Items(ctx, e.demo.Suojin4)
		if len(after) != len(items) {
			t.Errorf("archived item still listed: %d vs %d", len(after), len(items))
		}
	})
}

func TestPublishCorrectWithdrawRedact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A := e.demo.Suojin4
		it := e.item(t, A, "income-expense")

		// Bad input comes back per field.
		if _, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: it.ID, Title: "", Body: "正文内容"}); mingbai.ErrorField(err) != "title" {
			t.Errorf("empty title: %v", err)
		}
		if _, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: it.ID, Title: "收支", Body: "正文内容", ValidFrom: "2026-09-30", ValidTo: "2026-09-01"}); mingbai.ErrorField(err) != "valid_to" {
			t.Errorf("validity backwards: %v", err)
		}
		// Nobody drafts for another community, or for a section not theirs.
		if _, err := e.svc.CreateDraft(ctx, e.cadreB, A, disclosure.DraftInput{ItemID: it.ID, Title: "越权", Body: "不应成功"}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre of B drafts in A: %v", err)
		}
		party := e.item(t, A, "party-fees")
		if _, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: party.ID, Title: "党费", Body: "党费标准"}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre drafts a party item: %v", err)
		}
		if _, err := e.svc.CreateDraft(ctx, e.resident, A, disclosure.DraftInput{ItemID: it.ID, Title: "居民", Body: "不应成功"}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("resident drafts: %v", err)
		}

		d, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{ItemID: it.ID, Title: "2026年第三季度居委会收支情况", Period: "2026年第三季度",
			Body: "| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 300.00 |\n经手人：张三，住12幢301室", ValidFrom: "2026-09-15", ValidTo: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		png := pngBytes(t)
		att, err := e.svc.Files().Put(bytesReader(png), "../../收据.png")
		if err != nil {
			t.Fatal(err)
		}
		if att.Name != "收据.png" || att.ContentType != "image/png" || att.SHA256 != hexSum(png) {
			t.Errorf("attachment: %+v", att)
		}
		if err := e.svc.AttachToDraft(ctx, e.cadreA, A, d.ID, att); err != nil {
			t.Fatal(err)
		}
		// Another community's cadre cannot see or publish the draft.
		if _, err := e.svc.Publish(ctx, e.cadreB, A, d.ID); code(err) != mingbai.EFORBIDDEN && code(err) != mingbai.ENOTFOUND {
			t.Errorf("B publishes A's draft: %v", err)
		}
		if _, err := e.svc.Publish(ctx, e.cadreB, e.demo.Suojin1, d.ID); code(err) != mingbai.ENOTFOUND {
			t.Errorf("B publishes A's draft through B: %v", err)
		}

		v1, err := e.svc.Publish(ctx, e.cadreA, A, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Draft(ctx, e.cadreA, A, d.ID); code(err) != mingbai.ENOTFOUND {
			t.Errorf("draft still there after publishing: %v", err)
		}
		leaf1 := checkLeaf(t, e, v1, nil, nil)

		// Correct: a reason is required; the leaf names the corrected one.
		if _, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: v1.Body + "\n补充", Version: 1}); mingbai.ErrorField(err) != "reason" {
			t.Errorf("correction without reason: %v", err)
		}
		if _, err := e.svc.Correct(ctx, e.cadreB, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: "x", Reason: "越权更正", Version: 1}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B corrects A: %v", err)
		}
		e.now = e.now.Add(time.Hour)
		v2, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{
			Title: v1.Title, Period: v1.Period, Body: "| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 360.00 |\n经手人：张三，住12幢301室", Reason: "电扇单价抄错，应为180元", Version: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || len(v2.Files) != 1 {
			t.Errorf("v2: %+v", v2)
		}
		checkLeaf(t, e, v2, &leaf1, nil)
		// A stale correction is refused, not lost.
		if _, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: v1.Title, Body: "旧版本上的更正", Reason: "基于旧版本", Version: 1}); code(err) != mingbai.ECONFLICT {
			t.Errorf("stale correction: %v", err)
		}
		head, versions, err := e.svc.Disclosure(ctx, A, v1.DisclosureID)
		if err != nil {
			t.Fatal(err)
		}
		if head.Version != 2 || len(versions) != 2 || versions[0].Body != v1.Body {
			t.Fatalf("history: %+v %d", head, len(versions))
		}
		diff := disclosure.Compare(&versions[0], &versions[1])
		var added, removed int
		for _, l := range diff.Body {
			switch l.Op {
			case "added":
				added++
			case "removed":
				removed++
			}
		}
		if added != 1 || removed != 1 {
			t.Errorf("diff: %+v", diff.Body)
		}
		// Other communities cannot read it through their own path.
		if _, _, err := e.svc.Disclosure(ctx, e.demo.Suojin1, v1.DisclosureID); code(err) != mingbai.ENOTFOUND {
			t.Errorf("read through B: %v", err)
		}

		// Redact version 1: the phone number goes, hash and leaf stay.
		if err := e.svc.Redact(ctx, e.cadreB, A, v1.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"12幢301室"}, What: "门牌号", Why: "误登个人信息"}); code(err) != mingbai.EFORBIDDEN {
			t.Errorf("B redacts A: %v", err)
		}
		redacted := "| 项目 | 金额 |\n|---|---|\n| 电扇两台 | 300.00 |\n经手人：张三，住■■■■■■■"
		if err := e.svc.Redact(ctx, e.adminD, A, v1.DisclosureID, 1, disclosure.RedactInput{Mask: []string{"12幢301室"}, What: "经手人门牌号", Why: "误登个人信息，依个人信息保护法删除"}); err != nil {
			t.Fatal(err)
		}
		_, versions, _ = e.svc.Disclosure(ctx, A, v1.DisclosureID)
		if !versions[0].Redacted() || versions[0].Body != redacted || versions[0].ContentSHA256 != v1.ContentSHA256 || versions[0].LeafIndex != v1.LeafIndex {
			t.Errorf("redacted version: %+v", versions[0])
		}
		if _, err := e.log.Content(ctx, v1.LeafIndex); !errors.Is(err, tlog.ErrRedacted) {
			t.Errorf("log content of a redacted version: %v", err)
		}
		// Redact the attachment of version 2 too: the file is gone from disk
		// once no public version uses it.
		if err := e.svc.Redact(ctx, e.cadreA, A, v1.DisclosureID, 2, disclosure.RedactInput{What: "收据照片", Why: "照片上有身份证号", DropFiles: []string{att.SHA256}}); err != nil {
			t.Fatal(err)
		}
		// Version 1 still shows the file, so it is still served and stored.
		if _, err := e.svc.FileOf(ctx, A, att.SHA256); err != nil {
			t.Errorf("file of version 1: %v", err)
		}
		if err := e.svc.Redact(ctx, e.cadreA, A, v1.DisclosureID, 1, disclosure.RedactInput{What: "收据照片", Why: "照片上有身份证号", DropFiles: []string{att.SHA256}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FileOf(ctx, A, att.SHA256); code(err) != mingbai.ENOTFOUND {
			t.Errorf("redacted file still served: %v", err)
		}
		if f, err := e.svc.Files().Open(att.SHA256); err == nil {
			f.Close()
			t.Error("redacted file still on disk")
		}

		// Withdraw: a version that says why; the leaf names the withdrawn one.
		leaf2 := v2.LeafIndex
		v3, err := e.svc.Withdraw(ctx, e.cadreA, A, v1.DisclosureID, 2, "该季度收支表将与第四季度合并公开")
		if err != nil {
			t.Fatal(err)
		}
		checkLeaf(t, e, v3, nil, &leaf2)
		if _, err := e.svc.Correct(ctx, e.cadreA, A, v1.DisclosureID, disclosure.CorrectInput{Title: "x标题", Body: "y正文", Reason: "撤回后再更正", Version: 3}); code(err) != mingbai.ECONFLICT {
			t.Errorf("correct after withdrawal: %v", err)
		}
		head, _, _ = e.svc.Disclosure(ctx, A, v1.DisclosureID)
		if !head.Withdrawn() {
			t.Errorf("head not withdrawn: %+v", head)
		}
		// Published versions cannot be deleted or have their hash changed.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM disclosure_versions WHERE disclosure_id = ?`, v1.DisclosureID)
			return err
		}); err == nil {
			t.Error("deleting a version succeeded")
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE disclosure_versions SET content_sha256 = 'x' WHERE disclosure_id = ?`, v1.DisclosureID)
			return err
		}); err == nil {
			t.Error("changing a version's hash succeeded")
		}
		// fsck from inside agrees with the content of every unredacted leaf.
		if _, err := e.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: map[string]tlog.ContentSource{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 {
			t.Errorf("fsck: %v", rep.Problems)
		}
	})
}

// checkLeaf checks that v's leaf holds its envelope and that the log's
// content for it hashes to the leaf's content hash. It returns the index.
func checkLeaf(t *testing.T, e *env, v *disclosure.Version, corrects, withdraws *int64) int64 {
	t.Helper()
	ctx := context.Background()
	lf, err := e.log.Leaf(ctx, v.LeafIndex)
	if err != nil {
		t.Fatal(err)
	}
	env, err := tlog.ParseEnvelope(lf.Entry)
	if err != nil {
		t.Fatal(err)
	}
	if env.Kind != "disclosure" || env.Object != strconv.FormatInt(v.DisclosureID, 10) || env.Version != int64(v.Version) || env.Community != v.CommunityID {
		t.Errorf("envelope %+v for version %+v", env, v)
	}
	if hex.EncodeToString(env.ContentSHA256[:]) != v.ContentSHA256 {
		t.Errorf("leaf hash %x, version hash %s", env.ContentSHA256, v.ContentSHA256)
	}
	if !eqPtr(env.Corrects, corrects) || !eqPtr(env.Withdraws, withdraws) {
		t.Errorf("corrects %v withdraws %v, want %v %v", env.Corrects, env.Withdraws, corrects, withdraws)
	}
	content, err := e.log.Content(ctx, v.LeafIndex)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(content) != env.ContentSHA256 {
		t.Errorf("content %s does not hash to the leaf", content)
	}
	return v.LeafIndex
}

func eqPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
