package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
)

// serveFlags are the flags of serve and demo.
type serveFlags struct {
	dbFlags
	addr       string
	siteName   string
	footer     web.Footer
	trustProxy bool
	origin     *string
}

func (f *serveFlags) register(env *Env, name, synopsis string) *flag.FlagSet {
	fs := newFlags(env, name, synopsis)
	f.dbFlags.register(fs, env)
	fs.StringVar(&f.addr, "addr", env.envOr("MINGBAI_ADDR", "127.0.0.1:8080"), "address to listen on (env MINGBAI_ADDR)")
	fs.StringVar(&f.siteName, "site-name", env.envOr("MINGBAI_SITE_NAME", "居务公开"), "name shown in every page's header (env MINGBAI_SITE_NAME)")
	fs.StringVar(&f.footer.HostOrg, "host-org", env.Getenv("MINGBAI_HOST_ORG"), "主办单位 shown at every page's foot, e.g. 南京市玄武区民政局 (env MINGBAI_HOST_ORG)")
	fs.StringVar(&f.footer.Hotline, "hotline", env.Getenv("MINGBAI_HOTLINE"), "监督电话 shown at every page's foot (env MINGBAI_HOTLINE)")
	fs.StringVar(&f.footer.ICP, "icp", env.Getenv("MINGBAI_ICP"), "ICP备案号 shown at every page's foot, linked to the MIIT register (env MINGBAI_ICP)")
	fs.StringVar(&f.footer.GovSiteCode, "gov-site-code", env.Getenv("MINGBAI_GOV_SITE_CODE"), "政府网站标识码 shown at every page's foot (env MINGBAI_GOV_SITE_CODE)")
	f.origin = originFlag(fs, env)
	fs.BoolVar(&f.trustProxy, "trust-proxy", env.Getenv("MINGBAI_TRUST_PROXY") == "1", "behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto (env MINGBAI_TRUST_PROXY=1)")
	return fs
}

func runServe(ctx context.Context, env *Env, args []string) error {
	var f serveFlags
	fs := f.register(env, "serve", "[--addr HOST:PORT] [--data DIR] [--db URL]")
	stopProfile, err := parseProfiled(fs, args, "the server's life (for the load benchmark)")
	if err != nil {
		return err
	}
	defer stopProfile()
	a, closeApp, err := openApp(ctx, env, &f)
	if err != nil {
		return err
	}
	defer closeApp()
	return serve(ctx, env, a, &f, nil)
}

// openApp opens (and migrates) the database of f and builds the app on
// it, as serve and demo run; closeApp undoes both.
func openApp(ctx context.Context, env *Env, f *serveFlags) (a *app, closeApp func(), err error) {
	db, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	logger, flushLog := newLogger(env)
	if a, err = newApp(ctx, db, f.data, *f.origin, logger); err != nil {
		flushLog()
		db.Close()
		return nil, nil, err
	}
	return a, func() { a.close(); flushLog(); db.Close() }, nil
}

// app is the running program's services, built once from the database.
type app struct {
	*services
	db      *store.DB
	log     *tlog.Log
	logger  *slog.Logger
	dataDir string
}

// newApp opens the transparency log (its key lives in dataDir) and builds
// every service on db.
func newApp(ctx context.Context, db *store.DB, dataDir, origin string, logger *slog.Logger) (*app, error) {
	now := mingbai.Clock(mingbai.SystemClock)
	// The log's look for other nodes' leaves is one of serve's chores.
	l, err := tlog.OpenWith(ctx, db, dataDir, origin, now, tlog.Options{Logger: logger, Interval: -1})
	if err != nil {
		return nil, fmt.Errorf("open transparency log: %w", err)
	}
	if err := l.Refusal(); err != nil {
		logger.Error("the transparency log refuses writes until the cause is found: run mingbai fsck", "reason", mingbai.ErrorMessage(err))
	}
	a := &app{services: wire(db, l, dataDir, now), db: db, log: l, logger: logger, dataDir: dataDir}
	a.auth.SetLogger(logger)
	// Units made before units were logged (or by a CLI run before the
	// log's key existed) get their first leaf, as catalog items do below.
	if n, err := a.org.LogUnloggedUnits(ctx); err != nil {
		logger.Warn("logging org units made before units were logged", "err", err)
	} else if n > 0 {
		logger.Info("logged org units made before units were logged", "count", n)
	}
	// The calendar rows district admins added (a newly announced year);
	// a chore reloads them, for the changes made on other nodes.
	if err := a.qa.LoadCalendar(ctx); err != nil {
		return nil, fmt.Errorf("load the working-day calendar: %w", err)
	}
	// Catalog items made before the catalog was logged get their first
	// leaf; a log that refuses writes leaves them for a later start.
	if n, err := a.disclosure.LogUnloggedItems(ctx); err != nil {
		logger.Warn("logging catalog items made before the catalog log", "err", err)
	} else if n > 0 {
		logger.Info("logged catalog items made before the catalog log", "count", n)
	}
	// A crash in the middle of an upload leaves its temporary file behind;
	// nothing else would ever remove it.
	stale := now().Add(-tlog.StaleTempAge)
	for name, sweep := range map[string]func(time.Time) (int, error){
		"attachments": a.disclosure.Files().RemoveStaleTemps, "receipts": a.fin.Files().RemoveStaleTemps,
	} {
		if n, err := sweep(stale); err != nil {
			logger.Warn("removing temporary files a crash left", "files", name, "err", err)
		} else if n > 0 {
			logger.Info("removed temporary files a crash left", "files", name, "count", n)
		}
	}
	return a, nil
}

// setMailer sends residents' and cadres' notices by email when
// MINGBAI_SMTP_ADDR names an SMTP server.
func (a *app) setMailer(env *Env) {
	if addr := env.Getenv("MINGBAI_SMTP_ADDR"); addr != "" {
		a.notices.SetMailer(&notice.Mailer{Addr: addr, From: env.envOr("MINGBAI_SMTP_FROM", "noreply@localhost"),
			Username: env.Getenv("MINGBAI_SMTP_USER"), Password: env.Getenv("MINGBAI_SMTP_PASSWORD"), BaseURL: env.Getenv("MINGBAI_BASE_URL")})
	}
}

// tuneGC trades memory the server has to spare for steadier answers. The
// live heap is a few megabytes, so Go's default (collect when the heap
// doubles) collects many times a second under load, and every collection
// stops the world and takes CPU from requests in flight, which is what
// sets the slowest answers. The collector here runs only as the heap
// nears 160 MiB: about every two seconds at full load on a cached page,
// which took the board's p99 at 64 connections from 10.5 to 8.8 ms in
// the load benchmark, at a resident size of about 180 MB against a
// 300 MB budget. An operator's GOGC or GOMEMLIMIT wins.
func tuneGC(env *Env) {
	if env.Getenv("GOGC") == "" && env.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(160 << 20)
	}
}

// close stops the log's signer; the caller closes the database after it.
func (a *app) close() {
	if err := a.log.Close(); err != nil {
		a.logger.Error("close transparency log", "err", err)
	}
}

// serve runs the web server until ctx ends, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish for up to 10 s, and
// returns so the caller closes the database. ready, when set, is called
// with the listening URL before serving.
func serve(ctx context.Context, env *Env, a *app, f *serveFlags, ready func(url string)) error {
	tuneGC(env)
	db := a.db
	a.setMailer(env)
	choresCtx, stopChores := context.WithCancel(ctx)
	choresDone := make(chan struct{})
	go func() { defer close(choresDone); runChores(choresCtx, a.chores(), a.logger) }()
	// Stop the chores before the caller closes the log and the database.
	defer func() { stopChores(); <-choresDone }()
	srv, err := site.New(site.Config{
		Config: web.Config{
			DB: db, Org: a.org, Auth: a.auth, Logger: a.logger,
			Now: mingbai.SystemClock, SiteName: f.siteName, Footer: f.footer, TrustProxy: f.trustProxy,
		},
		Log: a.log, Disclosure: a.disclosure, QA: a.qa, Finance: a.fin, Notices: a.notices,
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
	go func() { errc <- hs.Serve(web.BatchWrites(ln)) }()
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
