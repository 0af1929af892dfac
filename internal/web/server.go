// Package web is the core of Mingbai's HTTP side: the server, routing with
// the access registry, rendering with the layout, errors, sessions,
// accounts and administration, the page cache and the middleware. Each
// feature's pages live in a subpackage (web/board, web/qa, web/finance,
// web/logview) that implements Feature and mounts its routes here; this
// package imports none of them, and the domain packages never import web.
// Every error becomes a Chinese message and a status here.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/org"
	"mingbai/internal/store"
)

//go:embed templates static
var assets embed.FS

// Config is what the server is built from.
type Config struct {
	DB     *store.DB
	Org    *org.Service
	Auth   *auth.Service
	Logger *slog.Logger
	Now    mingbai.Clock
	// SiteName is shown in the header, e.g. "玄武区居务公开".
	SiteName string
	// Footer are the site's trust marks, shown at the foot of every page
	// when set.
	Footer Footer
	// TrustProxy makes the server take the client address from the last
	// hop of X-Forwarded-For and treat X-Forwarded-Proto https as TLS.
	TrustProxy bool
	// Features are the web sides of the features, each mounting its
	// routes and declaring its pages; the assembly (cmd/mingbai) lists
	// them.
	Features []Feature
	// PageVersion names the state of a community's public pages, so the
	// page cache can tell a stored copy is current (see pagecache.go);
	// nil turns the cache off.
	PageVersion func(ctx context.Context, community int64) (string, error)
}

// Server holds the routes and the services they call.
type Server struct {
	db       *store.DB
	org      *org.Service
	auth     *auth.Service
	logger   *slog.Logger
	now      mingbai.Clock
	siteName string
	footer   Footer
	trust    bool

	pages  *pageSet
	mux    *http.ServeMux
	routes []route
	static http.Handler

	features    []Feature
	pageVersion func(ctx context.Context, community int64) (string, error)
	cache       *pageCache
	csrfKey     []byte // the MAC key of CSRF tokens, shared by all app nodes
}

// New builds the server. It fails when a template is missing or broken, so
// the mistake stops the start instead of a resident's request.
func New(cfg Config) (*Server, error) {
	s := &Server{
		db:       cfg.DB,
		org:      cfg.Org,
		auth:     cfg.Auth,
		logger:   cfg.Logger,
		now:      cfg.Now,
		siteName: cfg.SiteName,
		footer:   cfg.Footer,
		trust:    cfg.TrustProxy,
		mux:      http.NewServeMux(),

		features:    cfg.Features,
		pageVersion: cfg.PageVersion,
		cache:       newPageCache(64 << 20),
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = mingbai.SystemClock
	}
	if s.siteName == "" {
		s.siteName = "居务公开"
	}
	pages, err := parsePages(cfg.Features)
	if err != nil {
		return nil, err
	}
	if s.auth != nil {
		if s.csrfKey, err = s.auth.SiteKey(context.Background(), "csrf"); err != nil {
			return nil, err
		}
	} else {
		// A server without accounts (tests of single pages) keeps a key of
		// its own.
		s.csrfKey = []byte(newID(32))
	}
	s.pages = pages
	s.static = staticHandler()
	s.registerRoutes(cfg.Features)
	return s, nil
}

// Handler returns the whole HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.withNewCSRF(h)
	h = s.withState(h)
	h = s.withRecover(h)
	h = withGzip(h)
	h = withSecurityHeaders(h)
	h = withAccessLog(s.logger, h)
	h = withRequestID(h)
	h = s.withCachedPages(h)
	return h
}

// HTTPServer wraps the handler in an http.Server with timeouts that keep
// slow or stuck clients from holding connections forever.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		ConnContext:       withConn,
	}
}

// Feature is one feature's web side. Pages declares its templates, parsed
// with the layout when the server is built; Mount registers its routes,
// each behind a policy, with Handle and its kin.
type Feature interface {
	Pages() Pages
	Mount(s *Server)
}

// Pages are a feature's templates. Files holds them under the feature's
// own folder ("qa/item.html"); Declared names each page and its files,
// which may include the core's partials ("partials/fields.html"); Funcs
// are template functions of the feature's own.
type Pages struct {
	Files    fs.FS
	Declared map[string][]string
	Funcs    template.FuncMap
}

// Org, Auth, DB, Logger, Clock and SiteName give features the services
// and settings the server was built with.
func (s *Server) Org() *org.Service    { return s.org }
func (s *Server) Auth() *auth.Service  { return s.auth }
func (s *Server) DB() *store.DB        { return s.db }
func (s *Server) Logger() *slog.Logger { return s.logger }
func (s *Server) Clock() mingbai.Clock { return s.now }
func (s *Server) SiteName() string     { return s.siteName }
