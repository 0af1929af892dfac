package main

import (
	"slices"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/notice"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// services are the features on one database and one log.
type services struct {
	org        *org.Service
	auth       *auth.Service
	qa         *qa.Service
	fin        *finance.Service
	disclosure *disclosure.Service
	notices    *notice.Service
}

// wire builds every feature's service and is the one place that says how
// they fit: which service the others lean on, which calendar they count
// working days with, and which feature rebuilds the content of which leaf
// kind for the log's checks. serve, demo and fsck all go through it.
func wire(db *store.DB, l *tlog.Log, dataDir string, now mingbai.Clock) *services {
	s := &services{org: org.NewService(db, now), auth: auth.NewService(db, now), notices: notice.NewService(db, now)}
	s.org.UseLog(l)
	// One calendar: the 提问栏's holds the holiday rows district admins
	// enter (LoadCalendar) and the board counts its due dates with it.
	s.qa = qa.NewService(db, l, zh.NewCalendar(), now)
	s.disclosure = disclosure.NewService(db, l, nil, dataDir, now)
	s.disclosure.UseCalendar(s.qa.Calendar)
	s.fin = finance.NewService(db, s.org, l, dataDir, now)
	l.UseSources(s.org.ContentSources(), s.disclosure.ContentSources(), s.qa.ContentSources(), s.fin.ContentSources())
	return s
}

// checks are the features' checks of derived public columns, the other
// half of publicColumns' promise.
func (s *services) checks() []tlog.Check {
	return slices.Concat(org.Checks(), s.disclosure.Checks(), s.qa.Checks(), s.fin.Checks())
}

// publicColumns is every column a public page, feed, export or API shows,
// from each feature's own list: the one place the schema-wide tamper test
// (TestTamperEveryPublicColumn) walks. A feature that shows a new column
// adds it to its list.
func publicColumns() []tlog.PublicColumn {
	return slices.Concat(org.PublicColumns, disclosure.PublicColumns, qa.PublicColumns, finance.PublicColumns)
}
