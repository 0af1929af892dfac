// Package qa is the web side of the 提问栏 and 回音栏: residents' questions,
// suggestions and complaints, their tracking, the cadres' inbox and
// replies, the street's overdue list, statistics and the district's
// settings. The rules live in internal/qa (imported here under the same
// name: inside this package, qa.X is always the domain package).
package qa

import (
	"embed"
	"io/fs"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

// Config is what the 提问栏's pages need.
type Config struct {
	QA  *qa.Service
	Log *tlog.Log // for the leaf links of replies; may be nil
}

// New returns the 提问栏's web side, to list in web.Config.Features.
func New(cfg Config) web.Feature {
	return &handlers{qa: cfg.QA, log: cfg.Log}
}

// handlers serve the 提问栏's routes.
type handlers struct {
	*web.Server
	qa  *qa.Service
	log *tlog.Log
	org *org.Service
	now mingbai.Clock
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: qaPages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.org, s.now = srv, srv.Org(), srv.Clock()
	s.registerQARoutes()
}
