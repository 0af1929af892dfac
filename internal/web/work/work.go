// Package work is where every account finds what waits for it: the
// workbench (工作台) each member of staff lands on after login, which
// gathers the work of every feature (web.WorkSource) by role and unit, and
// the inbox (我的消息) with its mail settings. The notices themselves are
// internal/notice.
package work

import (
	"cmp"
	"embed"
	"io/fs"
	"net/http"
	"slices"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

var workPages = map[string][]string{
	"work_bench": {"work/bench.html"},
	"work_inbox": {"work/inbox.html", "partials/fields.html"},
}

// New returns the workbench and inbox, to list in web.Config.Features.
func New(notices *notice.Service) web.Feature {
	return &handlers{notices: notices}
}

type handlers struct {
	*web.Server
	notices *notice.Service
	org     *org.Service
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: workPages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.org = srv, srv.Org()
	s.Handle("GET /work", web.LoggedIn, s.benchPage)
	s.Handle("GET /inbox", web.LoggedIn, s.inboxPage)
	s.Handle("POST /inbox/read", web.LoggedIn, s.markRead)
	s.Handle("POST /inbox/mail", web.LoggedIn, s.setMailPrefs)
}

// group is the work of one role on one unit.
type group struct {
	Role  mingbai.Role
	Unit  *org.Unit
	Lines []web.Work
}

// Heading names the group: "社区干部 · 锁金村第四社区".
func (g group) Heading() string { return g.Role.Label() + " · " + g.Unit.Name }

type benchData struct {
	web.Page
	Unread int
	Groups []group
	Todo   int // lines' counts of work to do, summed
	Late   int
}

// roleOrder puts the roles whose work is most pressed for time first.
var roleOrder = map[mingbai.Role]int{
	mingbai.RoleCadre: 0, mingbai.RolePartySecretary: 1, mingbai.RoleSupervisor: 2,
	mingbai.RoleStreetOfficer: 3, mingbai.RoleClerk: 4, mingbai.RoleDistrictAdmin: 5, mingbai.RoleResident: 6,
}

func (s *handlers) benchPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), web.Actor(r)
	lines, err := s.Workbench(ctx, a)
	if err != nil {
		return err
	}
	d := &benchData{Page: s.NewPage(r, "工作台")}
	if d.Unread, err = s.notices.Unread(ctx, a.UserID); err != nil {
		return err
	}
	type key struct {
		role mingbai.Role
		unit int64
	}
	at := map[key]int{}
	for _, l := range lines {
		k := key{l.Role, l.Unit}
		i, ok := at[k]
		if !ok {
			u, err := s.org.Unit(ctx, l.Unit)
			if err != nil {
				return err
			}
			i = len(d.Groups)
			at[k] = i
			d.Groups = append(d.Groups, group{Role: l.Role, Unit: u})
		}
		d.Groups[i].Lines = append(d.Groups[i].Lines, l)
		if !l.Plain {
			d.Todo += l.Count
			d.Late += l.Late
		}
	}
	slices.SortStableFunc(d.Groups, func(x, y group) int {
		return cmp.Or(cmp.Compare(roleOrder[x.Role], roleOrder[y.Role]), cmp.Compare(x.Unit.Position, y.Unit.Position), cmp.Compare(x.Unit.ID, y.Unit.ID))
	})
	// Within a group: what is late, then what waits, then what is done,
	// then the ways in.
	rank := func(l web.Work) int {
		switch {
		case l.Plain:
			return 3
		case l.Late > 0:
			return 0
		case l.Count > 0:
			return 1
		}
		return 2
	}
	for _, g := range d.Groups {
		slices.SortStableFunc(g.Lines, func(x, y web.Work) int { return cmp.Compare(rank(x), rank(y)) })
	}
	s.Render(w, r, http.StatusOK, "work_bench", d)
	return nil
}

type inboxData struct {
	web.Page
	Notes  []notice.Notice
	Unread int
	Mail   notice.MailPrefs
	Form   *web.Form
}

func (s *handlers) inboxPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderInbox(w, r, http.StatusOK, nil)
}

func (s *handlers) renderInbox(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	a := web.Actor(r)
	notes, unread, err := s.notices.Inbox(r.Context(), a.UserID, 100)
	if err != nil {
		return err
	}
	prefs, err := s.notices.MailPrefs(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(r)
		f.Values["email"], f.Values["mode"] = prefs.Email, prefs.Mode
	}
	s.Render(w, r, status, "work_inbox", &inboxData{Page: s.NewPage(r, "我的消息"), Notes: notes, Unread: unread, Mail: prefs, Form: f})
	return nil
}

func (s *handlers) markRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.notices.MarkRead(r.Context(), web.Actor(r).UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

func (s *handlers) setMailPrefs(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "mode")
	err := s.notices.SetMailPrefs(r.Context(), web.Actor(r).UserID, notice.MailPrefs{Email: f.Values["email"], Mode: f.Values["mode"]})
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderInbox(w, r, status, f) },
		func() string { return "/inbox?done=saved" })
}
