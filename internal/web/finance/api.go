package finance

import (
	"fmt"
	"net/http"
	"time"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/web"
	"mingbai/internal/zh"
)

// The finance board as JSON (docs/finance.md, "JSON API"). Amounts are
// integers of 分; dates are YYYY-MM-DD, instants RFC 3339 in UTC. Each
// caller sees what the pages show it: the public, published months only.

type apiPeriod struct {
	Period      string     `json:"period"`
	Label       string     `json:"label"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Income      zh.Fen     `json:"income"`
	Expense     zh.Fen     `json:"expense"`
	ClosedAt    *time.Time `json:"closed_at"`
	PublishedAt *time.Time `json:"published_at"`
	LeafIndex   *int64     `json:"leaf_index"`
	SHA256      string     `json:"statement_sha256"`
	URL         string     `json:"url"`
	JSON        string     `json:"json"`
}

func apiPeriodOf(slug string, p finance.PeriodInfo) apiPeriod {
	ap := apiPeriod{Period: p.Period.String(), Label: p.Period.Label(), Status: p.Status, StatusLabel: p.StatusLabel(),
		Income: p.Income, Expense: p.Expense, PublishedAt: utc(p.PublishedAt), LeafIndex: p.LeafIndex, SHA256: p.SHA256}
	if p.Status != finance.StatusOpen {
		t := p.ClosedAt.UTC()
		ap.ClosedAt = &t
		ap.URL = fmt.Sprintf("/c/%s/finance/statements/%s", slug, p.Period)
		ap.JSON = "/api/v1" + ap.URL
	}
	return ap
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *handlers) apiFinanceStatements(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	if _, err := s.finance.BooksOf(r.Context(), st.Community.ID); err != nil {
		return err
	}
	periods, err := s.finance.Periods(r.Context(), web.Actor(r), st.Community.ID)
	if err != nil {
		return err
	}
	out := []apiPeriod{}
	for _, p := range periods {
		out = append(out, apiPeriodOf(st.Community.Slug, p))
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Community string      `json:"community"`
		Name      string      `json:"community_name"`
		Periods   []apiPeriod `json:"statements"`
	}{st.Community.Slug, st.Community.Name, out})
	return nil
}

type apiNote struct {
	Kind   string    `json:"kind"`
	Label  string    `json:"label"`
	Body   string    `json:"body"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

type apiStatement struct {
	apiPeriod
	Closing      zh.Fen            `json:"closing"`
	IncomeDaxie  string            `json:"income_daxie"`
	ExpenseDaxie string            `json:"expense_daxie"`
	ClosingDaxie string            `json:"closing_daxie"`
	Statement    finance.Statement `json:"statement"`
	Notes        []apiNote         `json:"review"`
	EntriesURL   string            `json:"entries,omitempty"`
}

func (s *handlers) apiFinanceStatement(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	st := web.State(r)
	v, err := s.finance.StatementOf(r.Context(), web.Actor(r), st.Community.ID, p)
	if err != nil {
		return err
	}
	out := apiStatement{apiPeriod: apiPeriodOf(st.Community.Slug, v.PeriodInfo), Closing: v.Closing,
		IncomeDaxie: v.IncomeDaxie, ExpenseDaxie: v.ExpenseDaxie, ClosingDaxie: v.ClosingDaxie, Statement: v.Statement, Notes: []apiNote{}}
	for _, n := range v.Notes {
		out.Notes = append(out.Notes, apiNote{Kind: n.Kind, Label: n.KindLabel(), Body: n.Body, Author: n.AuthorName, At: n.At.UTC()})
	}
	if v.Status == finance.StatusPublished {
		out.EntriesURL = out.JSON + "/entries"
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

type apiReceipt struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	MIME     string   `json:"mime"`
	SHA256   string   `json:"sha256"`
	Redacted bool     `json:"redacted"`
	Reasons  []string `json:"redaction_reasons"`
	URL      string   `json:"url"`
}

type apiEntry struct {
	finance.EntryContent
	LeafIndex *int64       `json:"leaf_index"`
	Receipts  []apiReceipt `json:"receipts"`
	URL       string       `json:"url"`
}

// apiFinanceEntries lists the entries of a published month with their
// public receipts (a redacted receipt's sha256 is the redacted file's;
// the entry's attachments keep the hashes its log leaf holds).
func (s *handlers) apiFinanceEntries(w http.ResponseWriter, r *http.Request) error {
	p, err := pathPeriod(r)
	if err != nil {
		return err
	}
	st := web.State(r)
	ctx := r.Context()
	v, err := s.finance.StatementOf(ctx, web.Actor(r), st.Community.ID, p)
	if err != nil {
		return err
	}
	if v.Status != finance.StatusPublished {
		return mingbai.Errorf(mingbai.ENOTFOUND, "%s 的财务公开表还没有公开。", p.Label())
	}
	// The public view of the month, whoever asks: this is the list of
	// what was published.
	entries, err := s.finance.Entries(ctx, &mingbai.Actor{}, st.Community.ID, finance.EntryFilter{Period: p})
	if err != nil {
		return err
	}
	out := []apiEntry{}
	for i := range entries {
		e := &entries[i]
		ae := apiEntry{EntryContent: finance.PublicContent(e), LeafIndex: e.LeafIndex, Receipts: []apiReceipt{},
			URL: fmt.Sprintf("/c/%s/finance/entries/%d", st.Community.Slug, e.ID)}
		for _, at := range e.Attachments {
			rc := apiReceipt{ID: at.ID, Name: at.Name, MIME: at.MIME, SHA256: at.SHA256, Redacted: at.Redacted(), Reasons: []string{},
				URL: fmt.Sprintf("/c/%s/finance/receipts/%d", st.Community.Slug, at.ID)}
			if n := len(at.Redactions); n > 0 {
				rc.SHA256, rc.MIME = at.Redactions[n-1].SHA256, at.Redactions[n-1].MIME
				for _, rd := range at.Redactions {
					rc.Reasons = append(rc.Reasons, rd.Reason)
				}
			}
			ae.Receipts = append(ae.Receipts, rc)
		}
		out = append(out, ae)
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Community string     `json:"community"`
		Period    string     `json:"period"`
		Entries   []apiEntry `json:"entries"`
	}{st.Community.Slug, p.String(), out})
	return nil
}
