package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai"

	"mingbai/internal/store/storetest"
)

// TestFinanceArchiveCategory: the district admin stops a category from the
// admin page and resumes it; another district's category id is a 404.
func TestFinanceArchiveCategory(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cats, err := f.fin.svc.Categories(context.Background(), f.demo.District)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	cat := cats[len(cats)-1]
	admin := f.loggedIn("admin")
	base := fmt.Sprintf("/admin/units/%d/finance", f.demo.District)
	resp := admin.post(fmt.Sprintf("%s/categories/%d/archive", base, cat.ID), url.Values{"archived": {"1"}})
	body(t, resp)
	if resp.StatusCode != 303 {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	page := body(t, admin.get(base))
	if !strings.Contains(page, cat.Name+"（") || !strings.Contains(page, "已停用") || !strings.Contains(page, "恢复使用") {
		t.Error("district page does not show the stopped category")
	}
	resp = admin.post(fmt.Sprintf("%s/categories/%d/archive", base, cat.ID), url.Values{"archived": {"0"}})
	body(t, resp)
	if page := body(t, admin.get(base)); strings.Contains(page, "已停用") {
		t.Error("category still stopped after resuming")
	}
	resp = admin.post(base+"/categories/999999/archive", url.Values{"archived": {"1"}})
	if b := body(t, resp); resp.StatusCode != 404 || !strings.Contains(b, "找不到该科目") {
		t.Errorf("unknown category: %d", resp.StatusCode)
	}
}

// TestFinanceBadInput posts wrong entries through the ledger form: each is
// refused with a Chinese message and a 4xx, and no entry is stored.
func TestFinanceBadInput(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cadre := f.loggedIn("cadreA")
	count := func() (n int) {
		f.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM fin_entries").Scan(&n)
		return n
	}
	today := time.Now().In(mingbai.Shanghai).Format("2006-01-02")
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"three decimals", url.Values{"date": {today}, "amount": {"12.345"}, "summary": {"打印纸"}}, "两位小数"},
		{"letters", url.Values{"date": {today}, "amount": {"十二元"}, "summary": {"打印纸"}}, "金额"},
		{"too large", url.Values{"date": {today}, "amount": {"20000000000"}, "summary": {"打印纸"}}, "100亿"},
		{"bad date", url.Values{"date": {"2026-13-40"}, "amount": {"12.00"}, "summary": {"打印纸"}}, "日期"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			resp := cadre.post("/c/suojin-4/finance/entries", tt.form)
			b := body(t, resp)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(b, tt.want) {
				t.Errorf("status %d, want 4xx with %q", resp.StatusCode, tt.want)
			}
			if count() != before {
				t.Error("a refused entry was stored")
			}
		})
	}
}

// TestFinanceAddAccount: a cadre opens a new earmarked fund from the ledger
// page; it shows among the balances at 0. A nameless or unknown-kind
// account is refused with a Chinese message and nothing is stored.
func TestFinanceAddAccount(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cadre := f.loggedIn("cadreA")
	count := func() (n int) {
		f.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM fin_accounts").Scan(&n)
		return n
	}
	if page := body(t, cadre.get("/c/suojin-4/finance/ledger")); !strings.Contains(page, "增加账户") {
		t.Fatal("the ledger page offers no way to add an account")
	}
	before := count()
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"  "}, "kind": {"earmarked"}}, "请填写账户名称"},
		{url.Values{"name": {"老年助餐专项"}, "kind": {"stocks"}}, "请选择账户类型"},
	} {
		resp := cadre.post("/c/suojin-4/finance/accounts", tc.form)
		if b := body(t, resp); resp.StatusCode != 400 || !strings.Contains(b, tc.want) {
			t.Errorf("%v: status %d, want 400 with %q", tc.form, resp.StatusCode, tc.want)
		}
	}
	if count() != before {
		t.Fatal("a refused account was stored")
	}
	resp := cadre.post("/c/suojin-4/finance/accounts", url.Values{"name": {"老年助餐专项"}, "kind": {"earmarked"}})
	body(t, resp)
	if resp.StatusCode != 303 {
		t.Fatalf("add account: %d", resp.StatusCode)
	}
	if page := body(t, cadre.get("/c/suojin-4/finance/ledger")); !strings.Contains(page, "<dt>老年助餐专项</dt><dd>0.00 元</dd>") {
		t.Error("the new account is not among the balances at 0.00")
	}
	if count() != before+1 {
		t.Errorf("accounts: %d, want %d", count(), before+1)
	}
}
