// Package web is Mingbai's HTTP side: routes with their access rules,
// middleware, server-rendered pages from embedded templates, the JSON API
// and static files. It turns every error into a Chinese message and a
// status; features never import it.
package web

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

//go:embed templates static
var assets embed.FS

// Config is what the server is built from.
type Config struct {
	DB     *store.DB
	Org    *org.Service
	Auth   *auth.Service
	QA     *qa.Service
	Logger *slog.Logger
	Now    mingbai.Clock
	// SiteName is shown in the header, e.g. "玄武区居务公开".
	SiteName string
	// TrustProxy makes the server take the client address from the last
	// hop of X-Forwarded-For and treat X-Forwarded-Proto https as TLS.
	TrustProxy bool
	// Log is the transparency log, served under /log. Nil in tests of
	// pages that need no log.
	Log *tlog.Log
	// Finance is the community books (财务公开); its pages are off when nil.
	Finance *finance.Service
	// Disclosure is the board (公开目录, 公开事项); DataDir is the data
	// directory (attachments live under it).
	Disclosure *disclosure.Service
	DataDir    string
}

// Server holds the routes and the services they call.
type Server struct {
	db       *store.DB
	org      *org.Service
	auth     *auth.Service
	qa       *qa.Service
	logger   *slog.Logger
	now      mingbai.Clock
	siteName string
	trust    bool

	pages  *pageSet
	mux    *http.ServeMux
	routes []route
	static http.Handler
	log    *tlog.Log

	finance    *finance.Service
	disclosure *disclosure.Service
	dataDir    string
	cache      *pageCache
	csrfKey    []byte // the MAC key of CSRF tokens, shared by all app nodes
}

// New builds the server. It fails when a template is missing or broken, so
// the mistake stops the start instead of a resident's request.
func New(cfg Config) (*Server, error) {
	s := &Server{
		db:       cfg.DB,
		org:      cfg.Org,
		auth:     cfg.Auth,
		qa:       cfg.QA,
		logger:   cfg.Logger,
		now:      cfg.Now,
		siteName: cfg.SiteName,
		trust:    cfg.TrustProxy,
		mux:      http.NewServeMux(),
		log:      cfg.Log,
		finance:  cfg.Finance,

		disclosure: cfg.Disclosure,
		dataDir:    cfg.DataDir,
		cache:      newPageCache(64 << 20),
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
	pages, err := parsePages()
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
	s.registerRoutes()
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
