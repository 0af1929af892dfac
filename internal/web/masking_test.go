package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// The personal numbers of the masking tests: an ID with a one-digit typo
// (wrong check digit), a mobile written in groups, a landline, and the
// community's hotline that a cadre may keep.
const (
	typoID      = "110105199001011234"
	typoIDShown = "110105********1234"
	mobileRaw   = "138 1234 5678"
	mobileShown = "138 **** 5678"
	hotline     = "025-85401234"
	hotlineKey  = "02585401234"
)

// noneOf fails when text holds any of the raw numbers.
func noneOf(t *testing.T, what, text string, raw ...string) {
	t.Helper()
	for _, r := range raw {
		if strings.Contains(text, r) {
			t.Errorf("%s shows %q", what, r)
		}
	}
}

// A draft whose text holds personal numbers comes back to the cadre with
// each number listed and how it will read; only after the cadre has seen
// them is it saved, masked, with the phone the cadre ticked as public kept
// (and an ID never, whatever the form says). Board, feed, exports and API
// then show the masked text. A correction warns the same way.
func TestDraftAndCorrectionWarnOfPersonalNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cadre := f.loggedIn("cadreA")
		items, err := f.disc.Items(ctx, f.demo.Suojin4)
		if err != nil {
			t.Fatal(err)
		}
		var item string
		for _, it := range items {
			if it.Code == "income-expense" {
				item = id(it.ID)
			}
		}
		draftBody := "张三，身份证 " + typoID + "，手机 " + mobileRaw + "。\n咨询请拨便民热线 " + hotline + "。"
		form := url.Values{"item": {item}, "title": {"九月低保名单公示（联系人 " + mobileRaw + "）"}, "body": {draftBody}}
		resp := cadre.post("/c/suojin-4/drafts", form)
		page := html.UnescapeString(body(t, resp))
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("draft with numbers: status %d, want 400", resp.StatusCode)
		}
		for _, want := range []string{"内容中有个人号码", "身份证号码", typoIDShown, "手机号码", mobileShown, "固定电话", "025-****1234",
			`name="seen_number" value="` + typoID + `"`, `name="public_phone" value="` + hotlineKey + `"`, `name="public_phone" value="13812345678"`, draftBody} {
			if !strings.Contains(page, want) {
				t.Errorf("warning page lacks %q", want)
			}
		}
		if strings.Contains(page, `name="public_phone" value="`+typoID+`"`) {
			t.Error("an ID is offered as a public phone")
		}
		if drafts, _ := f.disc.Drafts(ctx, f.fin.cadre, f.demo.Suojin4); len(drafts) != 0 {
			t.Fatalf("%d drafts saved before the cadre saw the numbers", len(drafts))
		}
		// A number the cadre was not shown sends the form back again.
		form["seen_number"] = []string{typoID, "13812345678"}
		if resp := cadre.post("/c/suojin-4/drafts", form); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("an unseen hotline: status %d, want 400", resp.StatusCode)
		}
		// Seen, the hotline ticked; the ID ticked by a forged form stays masked.
		form["seen_number"] = []string{typoID, "13812345678", hotlineKey}
		form["public_phone"] = []string{hotlineKey, typoID}
		resp = cadre.post("/c/suojin-4/drafts", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed draft: status %d %s", resp.StatusCode, body(t, resp))
		}
		draftPath := strings.TrimSuffix(resp.Header.Get("Location"), "?done=saved")
		draft := html.UnescapeString(body(t, cadre.get(draftPath)))
		noneOf(t, "draft page", draft, typoID, mobileRaw)
		if !strings.Contains(draft, "原样公开") || !regexp.MustCompile(`name="public_phone" value="`+hotlineKey+`" checked`).MatchString(draft) {
			t.Error("the draft page does not list the kept hotline, ticked")
		}
		resp = cadre.post(draftPath+"/publish", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		}
		dPath := strings.TrimSuffix(resp.Header.Get("Location"), "?done=published")
		did := strings.TrimPrefix(dPath, "/c/suojin-4/d/")
		anon := f.client()
		for _, p := range []string{dPath, "/c/suojin-4/feed.atom", "/c/suojin-4/export.csv", "/api/v1/c/suojin-4/disclosures/" + did} {
			text := html.UnescapeString(body(t, anon.get(p)))
			noneOf(t, p, text, typoID, mobileRaw, "13812345678")
			if !strings.Contains(text, mobileShown) {
				t.Errorf("%s lacks the masked mobile:\n%s", p, text)
			}
			if !strings.HasSuffix(p, ".csv") && (!strings.Contains(text, typoIDShown) || !strings.Contains(text, hotline)) {
				t.Errorf("%s lacks the masked ID or the kept hotline:\n%s", p, text)
			}
		}

		// Correcting: the form lists the kept hotline, ticked; a new
		// number sends it back; unticking the hotline masks it.
		cpage := html.UnescapeString(body(t, cadre.get(dPath+"/correct")))
		if !regexp.MustCompile(`name="public_phone" value="` + hotlineKey + `" checked`).MatchString(cpage) {
			t.Error("the correction form does not list the kept hotline")
		}
		didN, err := strconv.ParseInt(did, 10, 64)
		if err != nil {
			t.Fatalf("disclosure path %s", dPath)
		}
		v, _, err := f.disc.Disclosure(ctx, f.demo.Suojin4, didN)
		if err != nil {
			t.Fatal(err)
		}
		corr := url.Values{"title": {v.Title}, "body": {draftBody + "\n经办人 13987654321"}, "reason": {"补充经办人 13987654321"}, "version": {"1"}, "seen_number": {hotlineKey}, "public_phone": {hotlineKey}}
		resp = cadre.postFiles(dPath+"/correct", corr)
		cpage = html.UnescapeString(body(t, resp))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(cpage, "内容中有个人号码") || !strings.Contains(cpage, "139****4321") {
			t.Fatalf("correction with a new number: status %d", resp.StatusCode)
		}
		corr["seen_number"] = []string{hotlineKey, "13987654321", typoID, "13812345678"}
		corr["public_phone"] = nil
		if resp := cadre.postFiles(dPath+"/correct", corr); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed correction: %d %s", resp.StatusCode, body(t, resp))
		}
		v2 := html.UnescapeString(body(t, anon.get(dPath+"/v/2")))
		noneOf(t, "version 2", v2, typoID, mobileRaw, "13987654321")
		_, versions, err := f.disc.Disclosure(ctx, f.demo.Suojin4, didN)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions: %d %v", len(versions), err)
		}
		if b := versions[1].Body; strings.Contains(b, hotline) || !strings.Contains(b, "025-****1234") || !strings.Contains(b, "139****4321") || versions[1].Reason != "补充经办人 139****4321" {
			t.Errorf("version 2: %q, reason %q", b, versions[1].Reason)
		}
	})
}

// A ledger entry's texts are reviewed the same way before it is posted.
func TestLedgerFormWarnsOfPersonalNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cadre := f.loggedIn("cadreA")
		b, err := f.fin.svc.BooksOf(ctx, f.demo.Suojin4)
		if err != nil {
			t.Fatal(err)
		}
		cats, err := f.fin.svc.Categories(ctx, f.demo.District)
		if err != nil {
			t.Fatal(err)
		}
		var office string
		for _, c := range cats {
			if c.Name == "办公费" {
				office = id(c.ID)
			}
		}
		today := finance.DateOf(time.Now()).String()
		form := url.Values{"date": {today}, "account": {id(b.Accounts[0].ID)}, "category": {office}, "amount": {"58.00"},
			"summary": {"电话费，经手人 " + mobileRaw}, "counterparty": {"电信营业厅 " + hotline}, "reason": {"报销人身份证 " + typoID}}
		resp := cadre.post("/c/suojin-4/finance/entries", form)
		page := html.UnescapeString(body(t, resp))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "内容中有个人号码") || !strings.Contains(page, mobileShown) ||
			!strings.Contains(page, `name="public_phone" value="`+hotlineKey+`"`) || !strings.Contains(page, `value="`+office+`" selected`) {
			t.Fatalf("entry with numbers: status %d\n%s", resp.StatusCode, page)
		}
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM fin_entries WHERE summary LIKE ?", "电话费%").Scan(&n)
		}); err != nil || n != 0 {
			t.Fatalf("%d entries posted before the cadre saw the numbers (%v)", n, err)
		}
		form["seen_number"] = []string{"13812345678", hotlineKey, typoID}
		form["public_phone"] = []string{hotlineKey}
		if resp := cadre.post("/c/suojin-4/finance/entries", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirmed entry: %d %s", resp.StatusCode, body(t, resp))
		}
		var summary, counterparty, reason string
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT summary, counterparty, reason FROM fin_entries WHERE summary LIKE ?", "电话费%").Scan(&summary, &counterparty, &reason)
		}); err != nil {
			t.Fatal(err)
		}
		if summary != "电话费，经手人 "+mobileShown || counterparty != "电信营业厅 "+hotline || reason != "报销人身份证 "+typoIDShown {
			t.Errorf("stored %q / %q / %q", summary, counterparty, reason)
		}
	})
}

// A resident's question is masked on every public page and export:
// also an ID with a wrong check digit and a landline, which used to pass.
func TestQuestionMasksEveryPersonalNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		anon := f.client()
		resp := anon.post("/c/suojin-4/qa", url.Values{"category": {"环境卫生"}, "nickname": {"李秀兰"},
			"body": {"楼道堆物没人管。我的身份证" + typoID + "，家里电话(025)8456 1234，手机+86 " + mobileRaw}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", resp.StatusCode, body(t, resp))
		}
		loc := resp.Header.Get("Location")
		code := strings.TrimSuffix(strings.TrimPrefix(loc, "/qa/t/"), "?done=new")
		raw := []string{typoID, "8456 1234", mobileRaw}
		track := html.UnescapeString(body(t, anon.get(loc)))
		noneOf(t, "tracking page", track, raw...)
		if !strings.Contains(track, typoIDShown) || !strings.Contains(track, "(025)**** 1234") || !strings.Contains(track, mobileShown) {
			t.Errorf("tracking page lacks the masked numbers:\n%s", track)
		}
		v, err := f.qa.ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		itemPath := "/c/suojin-4/qa/items/" + id(v.Item.ID)
		if resp := f.loggedIn("cadreA").post(itemPath+"/reply", url.Values{"body": {"已安排清理，回访电话 13987654321。"}, "outcome": {"adopted"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", resp.StatusCode)
		}
		for _, p := range []string{itemPath, "/c/suojin-4/qa/feed.atom", "/c/suojin-4/qa/export.csv"} {
			text := html.UnescapeString(body(t, anon.get(p)))
			noneOf(t, p, text, append(raw, "13987654321")...)
			if !strings.Contains(text, typoIDShown) {
				t.Errorf("%s lacks the masked ID", p)
			}
		}
	})
}
