package finance

import (
	"context"
	"fmt"
	"strings"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/web"
)

// Work is the finance part of the workbench: months to close and
// statements returned for cadres, statements to review for supervisors,
// the street's late books, and the district's rules.
func (s *handlers) Work(ctx context.Context, a *mingbai.Actor) ([]web.Work, error) {
	if s.finance == nil {
		return nil, nil
	}
	var out []web.Work
	for _, id := range a.Units(mingbai.RoleCadre) {
		cb, err := s.finance.Standing(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: books of %d: %w", id, err)
		}
		base := "/c/" + cb.Community.Slug + "/finance"
		if !cb.HasBooks {
			out = append(out, web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "尚未建账：开设本社区账簿", Count: 1, Link: base + "/ledger"})
			continue
		}
		out = append(out,
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "待结账的月份", Count: len(cb.Unclosed), Late: len(cb.Late), Note: months(cb.Unclosed), Link: base + "/ledger"},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "监督委员会退回的月报", Count: len(cb.Returned), Note: months(cb.Returned), Link: statementLink(base, cb.Returned)},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "导入现金日记账", Plain: true, Link: base + "/import"},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "年度预算", Plain: true, Link: base + "/budget"},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "财务公开栏", Plain: true, Link: base})
	}
	for _, id := range a.Units(mingbai.RoleSupervisor) {
		if a.Has(mingbai.RoleCadre, id) {
			continue
		}
		cb, err := s.finance.Standing(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: books of %d: %w", id, err)
		}
		base := "/c/" + cb.Community.Slug + "/finance"
		out = append(out,
			web.Work{Role: mingbai.RoleSupervisor, Unit: id, Label: "待审核的月报", Count: len(cb.Waiting), Note: months(cb.Waiting), Link: statementLink(base, cb.Waiting)},
			web.Work{Role: mingbai.RoleSupervisor, Unit: id, Label: "退回后等社区答复的月报", Count: len(cb.Returned), Note: months(cb.Returned), Link: statementLink(base, cb.Returned)},
			web.Work{Role: mingbai.RoleSupervisor, Unit: id, Label: "大额支出未附决议或说明", Count: cb.Flagged, Link: base + "/flagged"},
			web.Work{Role: mingbai.RoleSupervisor, Unit: id, Label: "财务公开栏", Plain: true, Link: base})
	}
	for _, id := range a.Units(mingbai.RoleStreetOfficer) {
		st, err := s.Org().Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		books, err := s.finance.StreetBooks(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: books of street %d: %w", id, err)
		}
		late := web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "下辖社区逾期未结账的月份", Link: "/s/" + st.Slug + "/finance"}
		flagged := web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "下辖社区大额支出未附决议或说明", Link: "/s/" + st.Slug + "/finance"}
		for _, cb := range books {
			late.Count += len(cb.Late)
			late.Late += len(cb.Late)
			flagged.Count += cb.Flagged
		}
		out = append(out, late, flagged)
	}
	for _, id := range a.Units(mingbai.RoleDistrictAdmin) {
		out = append(out, web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "财务规则、科目与全区汇总", Plain: true, Link: fmt.Sprintf("/admin/units/%d/finance", id)})
	}
	return out, nil
}

// statementLink opens the first of months, or the finance board when
// there is none.
func statementLink(base string, ps []finance.Period) string {
	if len(ps) == 0 {
		return base
	}
	return base + "/statements/" + ps[0].String()
}

// months names up to three months: "2026年9月、2026年10月".
func months(ps []finance.Period) string {
	var names []string
	for i, p := range ps {
		if i == 3 {
			names = append(names, fmt.Sprintf("等 %d 个月", len(ps)))
			break
		}
		names = append(names, p.Label())
	}
	return strings.Join(names, "、")
}
