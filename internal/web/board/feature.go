// Package board is the web side of the public board (居务公开栏): the home,
// street and community pages, the catalog, disclosures with their
// versions, drafts, corrections and redactions, search, feeds, exports,
// the printed board and the street's compliance matrix. The rules live in
// internal/disclosure; this package turns them into pages and routes.
package board

import (
	"embed"
	"io/fs"
	"log/slog"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

// Config is what the board's pages need.
type Config struct {
	Disclosure *disclosure.Service
}

// New returns the board's web side, to list in web.Config.Features.
func New(cfg Config) web.Feature {
	return &handlers{disclosure: cfg.Disclosure}
}

// handlers serve the board's routes.
type handlers struct {
	*web.Server
	disclosure *disclosure.Service
	org        *org.Service
	logger     *slog.Logger
	now        mingbai.Clock
	siteName   string
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: disclosurePages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.org, s.logger, s.now, s.siteName = srv, srv.Org(), srv.Logger(), srv.Clock(), srv.SiteName()
	s.Handle("GET /{$}", web.Public, s.homePage)
	s.Handle("GET /s/{street}", web.Public, s.streetPage)
	s.Handle("GET /c/{community}", web.Public, s.Cached(s.communityPage))
	s.Handle("GET /c/{community}/{section}", web.Public, s.Cached(s.communitySection))
	s.registerDisclosureRoutes()
}
