package web

import (
	"context"
	"fmt"

	"mingbai"
)

// Work is one line of a workbench (工作台): a kind of task waiting for the
// account in one of its roles, with how many there are and where to do
// them. Every page a role works on is reachable from one.
type Work struct {
	Role  mingbai.Role
	Unit  int64 // the unit the role is held on
	Label string
	// Count is how many wait; Plain marks a line that is only a way in (a
	// settings page, a statistics page), whose count is not work to do.
	Count int
	Plain bool
	Late  int    // how many of Count are past their deadline
	Note  string // e.g. the earliest deadline
	Link  string
}

// A WorkSource is a feature that has work for staff. The workbench shows
// what every source returns; a source returns lines only for roles the
// actor holds, and counts only what the actor may open.
type WorkSource interface {
	Work(ctx context.Context, a *mingbai.Actor) ([]Work, error)
}

// Workbench gathers the workbench of a: the core's own lines (residents'
// registrations) and those of every feature that is a WorkSource. It is
// not named Work: features embed *Server, and a promoted Work would make
// every feature a WorkSource that asks the server again.
func (s *Server) Workbench(ctx context.Context, a *mingbai.Actor) ([]Work, error) {
	var out []Work
	for _, id := range a.Units(mingbai.RoleCadre) {
		u, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: community %d: %w", id, err)
		}
		pending, err := s.auth.PendingRegistrations(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: registrations of %d: %w", id, err)
		}
		out = append(out, Work{Role: mingbai.RoleCadre, Unit: id, Label: "待审核的居民注册", Count: len(pending), Link: "/c/" + u.Slug + "/registrations"})
	}
	for _, f := range s.features {
		src, ok := f.(WorkSource)
		if !ok {
			continue
		}
		w, err := src.Work(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, w...)
	}
	return out, nil
}
