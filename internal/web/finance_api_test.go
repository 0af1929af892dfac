package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

type apiStatementList struct {
	Community  string `json:"community"`
	Statements []struct {
		Period    string `json:"period"`
		Status    string `json:"status"`
		Expense   int64  `json:"expense"`
		LeafIndex *int64 `json:"leaf_index"`
		JSON      string `json:"json"`
	} `json:"statements"`
}

func getJSON(t *testing.T, c *client, path string, status int, v any) {
	t.Helper()
	resp := c.get(path)
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" && ct != "application/json" {
		t.Fatalf("GET %s: content type %q", path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestFinanceAPI reads the finance board as JSON: the list of statements,
// one statement with its 大写 totals, and the entries of a published month;
// the public sees published months only.
func TestFinanceAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ff := f.fin
		base := "/api/v1/c/suojin-4/finance/statements"
		p := ff.closed.String()

		// Closed, not yet approved: the public neither lists nor reads it.
		var list apiStatementList
		getJSON(t, f.client(), base, http.StatusOK, &list)
		if list.Community != "suojin-4" || len(list.Statements) != 0 {
			t.Fatalf("public list before approval: %+v", list)
		}
		var apiErr struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		getJSON(t, f.client(), base+"/"+p, http.StatusNotFound, &apiErr)
		if apiErr.Error.Message == "" {
			t.Fatal("no Chinese message in the API error")
		}
		// The supervisor sees it waiting.
		getJSON(t, f.loggedIn("supervisorA"), base, http.StatusOK, &list)
		found := false
		for _, s := range list.Statements {
			found = found || (s.Period == p && s.Status == "closed")
		}
		if !found {
			t.Fatalf("supervisor's list: %+v", list)
		}

		if err := ff.svc.Approve(context.Background(), ff.super, f.demo.Suojin4, ff.closed, "无误"); err != nil {
			t.Fatal(err)
		}
		getJSON(t, f.client(), base, http.StatusOK, &list)
		if len(list.Statements) != 1 || list.Statements[0].Period != p || list.Statements[0].LeafIndex == nil || list.Statements[0].Expense != 12345 || list.Statements[0].JSON != base+"/"+p {
			t.Fatalf("public list after approval: %+v", list)
		}
		var st struct {
			Status       string `json:"status"`
			ExpenseDaxie string `json:"expense_daxie"`
			LeafIndex    *int64 `json:"leaf_index"`
			SHA256       string `json:"statement_sha256"`
			Entries      string `json:"entries"`
			Statement    struct {
				Period  string `json:"period"`
				Expense int64  `json:"expense"`
				Entries []struct {
					Voucher string `json:"voucher"`
					Amount  int64  `json:"amount"`
				} `json:"entries"`
			} `json:"statement"`
			Review []struct{ Kind, Body string } `json:"review"`
		}
		getJSON(t, f.client(), base+"/"+p, http.StatusOK, &st)
		if st.Status != "published" || st.ExpenseDaxie != "人民币壹佰贰拾叁元肆角伍分" || st.Statement.Expense != 12345 || len(st.Statement.Entries) != 1 ||
			st.LeafIndex == nil || len(st.SHA256) != 64 || st.Entries != base+"/"+p+"/entries" || len(st.Review) != 2 || st.Review[1].Body != "无误" {
			t.Fatalf("statement: %+v", st)
		}
		var es struct {
			Period  string `json:"period"`
			Entries []struct {
				ID        int64  `json:"id"`
				Summary   string `json:"summary"`
				Amount    int64  `json:"amount"`
				LeafIndex *int64 `json:"leaf_index"`
				Receipts  []struct {
					ID int64 `json:"id"`
				} `json:"receipts"`
			} `json:"entries"`
		}
		getJSON(t, f.client(), base+"/"+p+"/entries", http.StatusOK, &es)
		if es.Period != p || len(es.Entries) != 1 || es.Entries[0].ID != ff.entry || es.Entries[0].Summary != "购买打印纸" || es.Entries[0].LeafIndex == nil {
			t.Fatalf("entries: %+v", es)
		}
		// The receipt was never marked free of personal data: not listed.
		if len(es.Entries[0].Receipts) != 0 {
			t.Fatalf("an uncleared receipt is listed: %+v", es.Entries[0].Receipts)
		}
		// A month with no statement, and a malformed month.
		getJSON(t, f.client(), base+"/"+ff.closed.Next().String()+"/entries", http.StatusNotFound, &apiErr)
		getJSON(t, f.client(), base+"/2025-13", http.StatusNotFound, &apiErr)
	})
}
