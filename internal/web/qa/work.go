package qa

import (
	"context"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/qa"
	"mingbai/internal/web"
)

// Work is the 提问栏's part of the workbench: cadres' questions to
// acknowledge and answer, supervisors' and street officers' complaints,
// the street's overdue list and referrals, and the ways into the
// district's settings.
func (s *handlers) Work(ctx context.Context, a *mingbai.Actor) ([]web.Work, error) {
	now := s.now()
	var out []web.Work
	for _, id := range a.Units(mingbai.RoleCadre) {
		c, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		items, err := s.qa.Inbox(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: inbox of %d: %w", id, err)
		}
		inbox := "/c/" + c.Slug + "/qa/inbox"
		ack := web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "待受理的提问和建议", Link: inbox}
		reply := web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "待答复的提问和建议", Link: inbox}
		var ackFirst, replyFirst time.Time
		for _, it := range items {
			w, first := &reply, &replyFirst
			if it.Status == qa.Received {
				w, first = &ack, &ackFirst
			}
			w.Count++
			if it.Overdue(now) {
				w.Late++
			}
			if due := it.NextDue(); first.IsZero() || due.Before(*first) {
				*first = due
			}
		}
		ack.Note, reply.Note = earliest(ackFirst, now), earliest(replyFirst, now)
		out = append(out, ack, reply,
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "代录来信来电", Plain: true, Link: "/c/" + c.Slug + "/qa/record"},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "常用答复", Plain: true, Link: "/c/" + c.Slug + "/qa/templates"},
			web.Work{Role: mingbai.RoleCadre, Unit: id, Label: "本社区提问统计", Plain: true, Link: "/c/" + c.Slug + "/qa/stats"})
	}
	for _, id := range a.Units(mingbai.RoleSupervisor) {
		if a.Has(mingbai.RoleCadre, id) {
			continue // nobody supervises their own work: see web.SupervisorOfCommunity
		}
		c, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		list, err := s.qa.CommunityComplaints(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: complaints of %d: %w", id, err)
		}
		out = append(out, web.Work{Role: mingbai.RoleSupervisor, Unit: id, Label: "未办结的举报投诉", Count: openComplaints(list), Link: "/c/" + c.Slug + "/complaints"})
	}
	referred, err := s.qa.Referrals(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("workbench: referrals: %w", err)
	}
	referredTo := func(role mingbai.Role, unit int64) web.Work {
		w := web.Work{Role: role, Unit: unit, Label: "转办来的提问", Link: "/qa/referred"}
		for _, it := range referred {
			if it.ReferredTo == unit && it.Status == qa.Referred {
				w.Count++
				if it.Overdue(now) {
					w.Late++
				}
			}
		}
		return w
	}
	for _, id := range a.Units(mingbai.RoleStreetOfficer) {
		st, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		overdue, err := s.qa.StreetOverdue(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: overdue of street %d: %w", id, err)
		}
		list, err := s.qa.StreetComplaints(ctx, a, id)
		if err != nil {
			return nil, fmt.Errorf("workbench: complaints of street %d: %w", id, err)
		}
		out = append(out,
			web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "下辖社区超期未回音的提问", Count: len(overdue), Late: len(overdue), Link: "/s/" + st.Slug + "/qa/overdue"},
			web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "未办结的举报投诉", Count: openComplaints(list), Link: "/s/" + st.Slug + "/complaints"},
			referredTo(mingbai.RoleStreetOfficer, id),
			web.Work{Role: mingbai.RoleStreetOfficer, Unit: id, Label: "本街道提问统计", Plain: true, Link: "/s/" + st.Slug + "/qa/stats"})
	}
	for _, id := range a.Units(mingbai.RoleClerk) {
		out = append(out, referredTo(mingbai.RoleClerk, id))
	}
	if residentOf := a.Units(mingbai.RoleResident); len(residentOf) > 0 {
		mine, err := s.qa.Mine(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("workbench: own items: %w", err)
		}
		w := web.Work{Role: mingbai.RoleResident, Unit: residentOf[0], Label: "我的提问（尚未办结）", Link: "/qa/mine"}
		for _, it := range mine {
			if it.Status == qa.Received || it.Status == qa.Studying || it.Status == qa.Referred {
				w.Count++
			}
		}
		out = append(out, w)
	}
	for _, id := range a.Units(mingbai.RoleDistrictAdmin) {
		out = append(out,
			web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "提问办理时限", Plain: true, Link: fmt.Sprintf("/admin/districts/%d/qa-rules", id)},
			web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "工作日历（节假日与调休）", Plain: true, Link: fmt.Sprintf("/admin/districts/%d/calendar", id)},
			web.Work{Role: mingbai.RoleDistrictAdmin, Unit: id, Label: "全区提问统计", Plain: true, Link: "/qa/stats"})
	}
	return out, nil
}

func openComplaints(list []*qa.Complaint) int {
	n := 0
	for _, c := range list {
		if c.Status != qa.ComplaintConcluded {
			n++
		}
	}
	return n
}

// earliest says when the first of a line's items falls or fell due.
func earliest(due, now time.Time) string {
	day := due.In(mingbai.Shanghai).Format("1月2日")
	switch {
	case due.IsZero():
		return ""
	case due.Before(now):
		return "最早一件 " + day + " 已到期"
	}
	return "最早一件 " + day + " 到期"
}
