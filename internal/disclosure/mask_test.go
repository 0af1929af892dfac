package disclosure_test

import (
	"context"
	"strings"
	"testing"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// Personal numbers a cadre types are masked before the draft is stored,
// so the published version, its leaf, the board, feeds, exports and the
// API all carry the masked text; only a phone the cadre confirmed as an
// office's public phone stays, and an ID never does.
func TestPublishMasksPersonalNumbers(t *testing.T) {
	const (
		mobile   = "13812345678"
		typoID   = "110105199001011234" // wrong check digit: still an ID
		landline = "025-84561234"
		hotline  = "025-85401234"
	)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		A := e.demo.Suojin4
		it := e.item(t, A, "income-expense")

		d, err := e.svc.CreateDraft(ctx, e.cadreA, A, disclosure.DraftInput{
			ItemID: it.ID, Title: "低保名单 联系人" + mobile, Period: "2026年9月",
			Body:         "张三，身份证 " + typoID + "，电话 " + landline + "。\n咨询请拨便民热线 " + hotline + "。",
			PublicPhones: []string{"02585401234", "110105199001011234"}, // the ID is not a phone: it stays masked
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{d.Title, d.Body} {
			for _, n := range []string{mobile, typoID, landline} {
				if strings.Contains(s, n) {
					t.Errorf("draft keeps %s: %q", n, s)
				}
			}
		}
		if !strings.Contains(d.Body, hotline) {
			t.Errorf("draft lost the confirmed hotline: %q", d.Body)
		}
		v, err := e.svc.Publish(ctx, e.cadreA, A, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Title != "低保名单 联系人138****5678" {
			t.Errorf("title %q", v.Title)
		}
		if want := "张三，身份证 110105********1234，电话 025-****1234。\n咨询请拨便民热线 " + hotline + "。"; v.Body != want {
			t.Errorf("body\n got  %q\n want %q", v.Body, want)
		}
		// The leaf hashes the masked text: the log's content is it.
		checkLeaf(t, e, v, nil, nil)
		content, err := e.log.Content(ctx, v.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), mobile) || strings.Contains(string(content), typoID) || !strings.Contains(string(content), "110105********1234") {
			t.Errorf("leaf content %s", content)
		}

		// A correction masks too; a phone not confirmed this time is
		// masked, and so is the reason's number.
		v2, err := e.svc.Correct(ctx, e.cadreA, A, v.DisclosureID, disclosure.CorrectInput{
			Title: v.Title, Period: v.Period, Body: v.Body + "\n经办人 139 8765 4321", Reason: "补充经办人 13987654321", Version: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v2.Body, hotline) || !strings.Contains(v2.Body, "025-****1234。\n咨询") || !strings.Contains(v2.Body, "139 **** 4321") {
			t.Errorf("corrected body %q", v2.Body)
		}
		if v2.Reason != "补充经办人 139****4321" {
			t.Errorf("reason %q", v2.Reason)
		}
		checkLeaf(t, e, v2, &v.LeafIndex, nil)

		// Withdrawal reasons are masked as well.
		v3, err := e.svc.Withdraw(ctx, e.cadreA, A, v.DisclosureID, 2, "当事人 "+mobile+" 要求撤回")
		if err != nil {
			t.Fatal(err)
		}
		if v3.Reason != "当事人 138****5678 要求撤回" {
			t.Errorf("withdrawal reason %q", v3.Reason)
		}
	})
}

// A community's own catalog item is a cadre's text too.
func TestCatalogItemMasksPersonalNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		own, err := e.svc.SaveItem(ctx, e.cadreA, 0, e.demo.Suojin4, 0, disclosure.ItemInput{
			Section: "affairs", Name: "加装电梯进展 联系 13812345678", Elements: "楼栋、进度；业主代表身份证 110105199001011234", Basis: "电话 025-84561234",
			Cadence: "event", EventDays: "10", Publisher: "cadre",
		})
		if err != nil {
			t.Fatal(err)
		}
		if own.Name != "加装电梯进展 联系 138****5678" || own.Elements != "楼栋、进度；业主代表身份证 110105********1234" || own.Basis != "电话 025-****1234" {
			t.Errorf("item %q / %q / %q", own.Name, own.Elements, own.Basis)
		}
	})
}
