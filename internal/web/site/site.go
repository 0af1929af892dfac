// Package site assembles Mingbai's web server: the core (package web) and
// the web side of every feature, in one list. It is the one place that
// knows them all; serve, the demo and the tests build the server here.
package site

import (
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/notice"
	"mingbai/internal/qa"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
	"mingbai/internal/web/admin"
	"mingbai/internal/web/board"
	financeweb "mingbai/internal/web/finance"
	"mingbai/internal/web/logview"
	qaweb "mingbai/internal/web/qa"
	"mingbai/internal/web/work"
)

// Config is everything the site is built from. A nil feature service
// leaves that feature's pages out (tests of one feature build only it).
type Config struct {
	web.Config // the core's; Features and PageVersion are set by New

	Log        *tlog.Log
	Disclosure *disclosure.Service
	QA         *qa.Service
	Finance    *finance.Service
	// Notices is the inbox; nil makes one on the core's database.
	Notices *notice.Service
}

// New builds the server with every feature whose service is set. The
// district administration, the board and the workbench are always there:
// the board serves the home, street and community pages, and everyone
// with an account has a workbench and an inbox.
func New(cfg Config) (*web.Server, error) {
	notices := cfg.Notices
	if notices == nil {
		notices = notice.NewService(cfg.DB, cfg.Now)
	}
	features := []web.Feature{admin.New(), board.New(board.Config{Disclosure: cfg.Disclosure}), work.New(notices)}
	if cfg.QA != nil {
		features = append(features, qaweb.New(qaweb.Config{QA: cfg.QA, Log: cfg.Log}))
	}
	if cfg.Finance != nil {
		features = append(features, financeweb.New(financeweb.Config{Finance: cfg.Finance, Disclosure: cfg.Disclosure}))
	}
	if cfg.Log != nil {
		features = append(features, logview.New(cfg.Log))
	}
	wc := cfg.Config
	wc.Features = features
	if cfg.Disclosure != nil {
		wc.PageVersion = cfg.Disclosure.PageVersion
	}
	return web.New(wc)
}
