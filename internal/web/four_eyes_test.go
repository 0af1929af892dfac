package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestStatementApprovalBySecondPersonHTTP is the reported case through the
// real router: A's cadre closed the month (the fixture does), is then made
// supervisor and loses the cadre role; the approval form refuses them with
// 403 and the four-eyes message, and A's other supervisor approves.
func TestStatementApprovalBySecondPersonHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		x := f.users["cadreA"]
		if err := f.auth.Grant(ctx, x, mingbai.RoleSupervisor, f.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		if err := f.auth.Revoke(ctx, x, mingbai.RoleCadre, f.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		approve := "/c/suojin-4/finance/statements/" + f.fin.closed.String() + "/approve"
		resp := f.loggedIn("cadreA").post(approve, url.Values{"approve_comment": {"同意"}})
		page := body(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "复核须由另一人完成") {
			t.Fatalf("approval by who closed the month: %d\n%s", resp.StatusCode, page)
		}
		resp = f.loggedIn("supervisorA").post(approve, url.Values{"approve_comment": {"同意"}})
		body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approval by another supervisor: %d", resp.StatusCode)
		}
	})
}
