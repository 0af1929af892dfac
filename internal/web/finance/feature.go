// Package finance is the web side of 财务公开: the community's books,
// monthly statements and their review, the ledger and its import, the
// special disclosures (subsidies, relief, fees), budgets, receipts and
// their redaction, and the street's and district's oversight pages. The
// rules live in internal/finance (imported here under the same name).
package finance

import (
	"embed"
	"io/fs"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

// Config is what the finance pages need.
type Config struct {
	Finance *finance.Service
	// Disclosure gives the finance page the board's finance catalog items;
	// may be nil.
	Disclosure *disclosure.Service
}

// New returns the finance web side, to list in web.Config.Features.
func New(cfg Config) web.Feature {
	return &handlers{finance: cfg.Finance, disclosure: cfg.Disclosure}
}

// handlers serve the finance routes.
type handlers struct {
	*web.Server
	finance    *finance.Service
	disclosure *disclosure.Service
	now        mingbai.Clock
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: financePages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.now = srv, srv.Clock()
	s.registerFinanceRoutes()
}
