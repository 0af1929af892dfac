package board

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/web"
)

// Work is the board's part of the workbench: the catalog items a
// community's publishers owe a disclosure, their drafts, the street's
// compliance and the district's catalog.
func (s *handlers) Work(ctx context.Context, a *mingbai.Actor) ([]web.Work, error) {
	if s.disclosure == nil {
		return nil, nil
	}
	var out []web.Work
	// A cadre who is also the party secretary sees the community's
	// publishing once, under 社区干部.
	seen := map[int64]bool{}
	for _, role := range []mingbai.Role{mingbai.RoleCadre, mingbai.RolePartySecretary} {
		for _, id := range a.Units(role) {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, err := s.org.Unit(ctx, id)
			if err != nil {
				return nil, err
			}
			todo, err := s.disclosure.Todo(ctx, a, id)
			if err != nil {
				return nil, fmt.Errorf("workbench: items due in %d: %w", id, err)
			}
			due := web.Work{Role: role, Unit: id, Label: "应公开的事项（逾期、从未公开、即将到期）", Count: len(todo), Link: "/c/" + c.Slug + "/todo"}
			for _, bi := range todo {
				if bi.Fresh.Late() {
					due.Late++
				}
			}
			drafts, err := s.disclosure.Drafts(ctx, a, id)
			if err != nil {
				return nil, fmt.Errorf("workbench: drafts of %d: %w", id, err)
			}
			out = append(out, due,
				web.Work{Role: role, Unit: id, Label: "未发布的草稿", Count: len(drafts), Link: "/c/" + c.Slug + "/drafts"},
				web.Work{Role: role, Unit: id, Label: "本社区公开目录", Plain: true, Link: "/c/" + c.Slug + "/catalog"},
				web.Work{Role: role, Unit: id, Label: "打印公开栏", Plain: true, Link: "/c/" + c.Slug + "/print"})
		}
	}
	for _, id := range a.Units(mingbai.RoleStreetOfficer) {
		st, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		m, err := s.disclosure.StreetMatrix(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: compliance of street %d: %w", id, err)
		}
		w := web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "下辖社区未按时公开的事项", Link: "/s/" + st.Slug + "/compliance"}
		for _, row := range m.Rows {
			w.Count += row.Late
			w.Late += row.Late
		}
		out = append(out, w, web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "本街道公开栏", Plain: true, Link: "/s/" + st.Slug})
	}
	for _, id := range a.Units(mingbai.RoleDistrictAdmin) {
		out = append(out, web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "全区公开目录", Plain: true, Link: "/admin/catalog"})
	}
	return out, nil
}
