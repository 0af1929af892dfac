package main

import (
	"context"
	"log/slog"
	"time"
)

// chore is one periodic job of the server.
type chore struct {
	name  string
	every time.Duration
	run   func(context.Context) error
}

// logPollInterval is how often serve looks for leaves that another app
// node appended, to sign a checkpoint covering them. Leaves appended by
// this process wake the log's integrator at once and do not wait for it.
const logPollInterval = 250 * time.Millisecond

// choreTimeout bounds one run of a chore, so a stuck one (a database that
// stopped answering) cannot hold up the others for ever.
const choreTimeout = 5 * time.Minute

// chores lists every periodic job of the server, with its interval, in
// one place: nothing else in the program runs on a timer.
func (a *app) chores() []chore {
	return []chore{
		{"sign checkpoints for leaves of other nodes", logPollInterval, a.log.IntegratePending},
		{"qa: reminders and overdue notices", time.Minute, func(ctx context.Context) error {
			_, err := a.qa.Sweep(ctx)
			return err
		}},
		{"mail notices", time.Minute, func(ctx context.Context) error {
			_, err := a.notices.DeliverMail(ctx)
			return err
		}},
		{"qa: purge rate-limit rows", time.Hour, a.qa.PurgeThrottle},
		// This node reloads at once on its own admin's change; this is for
		// the changes made through another node on the same database.
		{"reload the working-day calendar", time.Minute, a.qa.LoadCalendar},
		{"auth: purge ended sessions, old login failures and bursts, registration counts", 10 * time.Minute, a.auth.Purge},
	}
}

// runChores runs each chore once at start and then every its interval,
// one at a time, until ctx ends; a failure is logged and the chore runs
// again at its next turn. A chore's run gets ctx (bounded by
// choreTimeout), so shutdown stops it.
func runChores(ctx context.Context, chores []chore, logger *slog.Logger) {
	now := time.Now()
	next := make([]time.Time, len(chores))
	for i := range next {
		next[i] = now
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Run what is due, then sleep until the next one is.
		now = time.Now()
		soonest := now.Add(time.Hour)
		for i, c := range chores {
			if !now.Before(next[i]) {
				runCtx, cancel := context.WithTimeout(ctx, choreTimeout)
				if err := c.run(runCtx); err != nil && ctx.Err() == nil {
					logger.Error("chore failed", "chore", c.name, "err", err)
				}
				cancel()
				next[i] = time.Now().Add(c.every)
			}
			soonest = minTime(soonest, next[i])
		}
		timer.Reset(time.Until(soonest))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
