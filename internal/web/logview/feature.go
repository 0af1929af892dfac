// Package logview is the web side of the transparency log: the log's
// page with its checkpoint and verifier key, one page per leaf, the
// machine-readable log (C2SP checkpoint, tiles, proofs) under /log/, and
// the in-browser verifier script. The log itself is internal/tlog.
package logview

import (
	"embed"
	"io/fs"
	"net/http"

	"mingbai/internal/org"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

// New returns the log's web side, to list in web.Config.Features.
func New(l *tlog.Log) web.Feature {
	return &handlers{log: l}
}

// handlers serve the log's routes.
type handlers struct {
	*web.Server
	log *tlog.Log
	org *org.Service
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: logPages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.org = srv, srv.Org()
	s.Handle("GET /static/tlog-verify.js", web.Public, func(w http.ResponseWriter, r *http.Request) error {
		serveVerifierScript(w, r)
		return nil
	})
	s.registerLogRoutes()
}
