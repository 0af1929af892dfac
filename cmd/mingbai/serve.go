package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
	"mingbai/internal/zh"
)

// serveFlags are the flags of serve and demo.
type serveFlags struct {
	dbFlags
	addr       string
	siteName   string
	trustProxy bool
}

func (f *serveFlags) register(env *Env, name, synopsis string) *flag.FlagSet {
	fs := newFlags(env, name, synopsis)
	f.dbFlags.register(fs, env)
	fs.StringVar(&f.addr, "addr", env.envOr("MINGBAI_ADDR", "127.0.0.1:8080"), "address to listen on (env MINGBAI_ADDR)")
	fs.StringVar(&f.siteName, "site-name", env.envOr("MINGBAI_SITE_NAME", "居务公开"), "name shown in every page's header (env MINGBAI_SITE_NAME)")
	fs.BoolVar(&f.trustProxy, "trust-proxy", env.Getenv("MINGBAI_TRUST_PROXY") == "1", "behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto (env MINGBAI_TRUST_PROXY=1)")
	return fs
}

func runServe(ctx context.Context, env *Env, args []string) error {
	var f serveFlags
	fs := f.register(env, "serve", "[--addr HOST:PORT] [--data DIR] [--db URL]")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, env, db, &f, nil)
}

// app is the running program's services, built once from the database.
type app struct {
	db   *store.DB
	org  *org.Service
	auth *auth.Service

	// log and disclosure need the data directory: openBoard sets them.
	log        *tlog.Log
	disclosure *disclosure.Service
	dataDir    string
}

// logOrigin is the first line of the log's checkpoints until the
// deployment names its own.
const logOrigin = "mingbai.local/log"

// openBoard opens the transparency log (its key lives in dataDir) and the
// board service on it.
func (a *app) openBoard(ctx context.Context, dataDir string) error {
	if a.log != nil {
		return nil
	}
	l, err := tlog.Open(ctx, a.db, dataDir, logOrigin, mingbai.SystemClock)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	a.log, a.dataDir = l, dataDir
	a.disclosure = disclosure.NewService(a.db, l, zh.NewCalendar(), dataDir, mingbai.SystemClock)
	return nil
}

// close stops the log's integrator after it has signed what is committed.
func (a *app) close() error {
	if a.log == nil {
		return nil
	}
	err := a.log.Close()
	a.log, a.disclosure = nil, nil
	return err
}

func newApp(db *store.DB) *app {
	now := mingbai.Clock(mingbai.SystemClock)
	return &app{db: db, org: org.NewService(db, now), auth: auth.NewService(db, now)}
}

// serve runs the web server until ctx ends, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish for up to 10 s, and
// returns so the caller closes the database. ready, when set, is called
// with the listening URL before serving.
func serve(ctx context.Context, env *Env, db *store.DB, f *serveFlags, ready func(url string)) error {
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a := newApp(db)
	if err := a.openBoard(ctx, f.data); err != nil {
		return err
	}
	defer a.close()
	srv, err := web.New(web.Config{
		DB: db, Org: a.org, Auth: a.auth, Logger: logger,
		Now: mingbai.SystemClock, SiteName: f.siteName, TrustProxy: f.trustProxy,
		Log: a.log.Handler(), Disclosure: a.disclosure, DataDir: f.data,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	url := "http://" + ln.Addr().String()
	hs := srv.HTTPServer(f.addr)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(env.Stdout, "mingbai: listening on %s (database %s %s)\n", url, db.Dialect, db.URL)
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(env.Stdout, "mingbai: shutting down, finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
