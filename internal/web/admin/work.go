package admin

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/web"
)

// Work is the administration's part of a district admin's workbench: the
// accounts, the tree of units, and the bursts of failed logins to look at.
func (s *handlers) Work(ctx context.Context, a *mingbai.Actor) ([]web.Work, error) {
	districts := a.Units(mingbai.RoleDistrictAdmin)
	if len(districts) == 0 {
		return nil, nil
	}
	bursts, err := s.auth.LoginBursts(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("workbench: login bursts: %w", err)
	}
	var out []web.Work
	for i, id := range districts {
		_, total, err := s.auth.AdminUsers(ctx, a, auth.UserFilter{Districts: []int64{id}, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("workbench: accounts of %d: %w", id, err)
		}
		w := []web.Work{
			{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "账号与职务", Plain: true, Note: fmt.Sprintf("共 %d 个账号", total), Link: "/admin/users"},
			{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "街道、社区和部门", Plain: true, Link: fmt.Sprintf("/admin/units/%d", id)},
		}
		// The bursts are listed for all of an admin's districts at once.
		if i == 0 {
			w = append(w, web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "近期连续输错密码的账号", Count: len(bursts), Link: "/admin/logins"})
		}
		out = append(out, w...)
	}
	return out, nil
}
