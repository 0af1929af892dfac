package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/org"
)

type loginData struct {
	Page
	Form *Form
	Next string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if !Actor(r).Anonymous() {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return nil
	}
	d := &loginData{Page: s.NewPage(r, "登录"), Form: NewForm(r), Next: LocalPath(r.URL.Query().Get("next"), "")}
	s.Render(w, r, http.StatusOK, "login", d)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "login")
	next := LocalPath(r.PostFormValue("next"), "")
	sess, err := s.auth.Login(r.Context(), f.Values["login"], r.PostFormValue("password"), ClientIP(r))
	if err != nil {
		code := mingbai.ErrorCode(err)
		if code == mingbai.EINTERNAL {
			return err
		}
		f.Error = mingbai.ErrorMessage(err)
		status := StatusOf(code)
		if wait, ok := auth.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		}
		s.Render(w, r, status, "login", &loginData{Page: s.NewPage(r, "登录"), Form: f, Next: next})
		return nil
	}
	// A session cookie that came with the login is ended: whoever set or
	// saw it before (a shared computer, a planted cookie) must not keep a
	// session alongside the new one.
	if v := s.sessionValue(r); v != "" {
		if err := s.auth.Logout(r.Context(), v); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, r, sess.Token, sess.ExpiresAt)
	s.rotateCSRF(w, r, sess.Token)
	if next == "" {
		next = s.landing(r, sess.UserID)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// landing is where an account goes after login: its most useful page.
func (s *Server) landing(r *http.Request, userID int64) string {
	a, err := s.auth.Actor(r.Context(), userID)
	if err != nil {
		return "/account"
	}
	// Staff land on their workbench; a resident on the community's board.
	for _, g := range a.Grants {
		if g.Role != mingbai.RoleResident {
			return "/work"
		}
	}
	if ids := a.Units(mingbai.RoleResident); len(ids) > 0 {
		if u, err := s.org.Unit(r.Context(), ids[0]); err == nil {
			return "/c/" + u.Slug
		}
	}
	return "/account"
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if v := s.sessionValue(r); v != "" {
		if err := s.auth.Logout(r.Context(), v); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	s.rotateCSRF(w, r, "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.LogoutEverywhere(r.Context(), Actor(r).UserID); err != nil {
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	s.rotateCSRF(w, r, "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// endSession signs one of the account's other devices out ("这台设备退出").
// The session is looked up by the account's own id, so nobody can end
// another account's session by its id.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("session")
	if id == State(r).sessionID {
		return mingbai.Errorf(mingbai.EINVALID, "要退出本设备，请点“退出登录”。")
	}
	if err := s.auth.EndSession(r.Context(), Actor(r).UserID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=signedout", http.StatusSeeOther)
	return nil
}

// endOtherSessions signs out every device but this one.
func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) error {
	a, st := Actor(r), State(r)
	sessions, err := s.auth.Sessions(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		if ss.ID != st.sessionID {
			if err := s.auth.EndSession(r.Context(), a.UserID, ss.ID); err != nil {
				return err
			}
		}
	}
	http.Redirect(w, r, "/account?done=signedout", http.StatusSeeOther)
	return nil
}

type registerData struct {
	Page
	Form  *Form
	Trees []*org.Tree
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	f := &Form{Values: map[string]string{"community": r.URL.Query().Get("c")}, Errors: map[string]string{}}
	return s.renderRegister(w, r, http.StatusOK, f)
}

func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	d := &registerData{Page: s.NewPage(r, "居民注册"), Form: f}
	districts, err := s.org.Districts(r.Context())
	if err != nil {
		return err
	}
	for _, dist := range districts {
		tree, err := s.org.Tree(r.Context(), dist.ID)
		if err != nil {
			return err
		}
		d.Trees = append(d.Trees, tree)
	}
	s.Render(w, r, status, "register", d)
	return nil
}

type registeredData struct {
	Page
	Community *org.Unit
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "community", "name", "phone", "building_unit")
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		f.Errors["password2"] = "两次输入的密码不一致。"
		f.Error = "请按提示修改后再提交。"
		return s.renderRegister(w, r, http.StatusBadRequest, f)
	}
	community, err := s.org.BySlug(r.Context(), org.Community, f.Values["community"])
	if err != nil {
		f.Errors["community"] = "请选择您居住的社区。"
		f.Error = "请按提示修改后再提交。"
		return s.renderRegister(w, r, http.StatusBadRequest, f)
	}
	_, err = s.auth.Register(r.Context(), auth.Registration{
		CommunityID: community.ID, Name: f.Values["name"], Phone: f.Values["phone"],
		BuildingUnit: f.Values["building_unit"], Password: password, IP: ClientIP(r),
	})
	if auth.AlreadyRegistered(err) {
		// The same answer as for a new phone: the form must not tell
		// anyone which phones have accounts. The page says what an owner
		// who forgot having registered should do.
		err = nil
	}
	if mingbai.ErrorCode(err) == mingbai.ETOOMANY {
		f.Fail(err)
		return s.renderRegister(w, r, http.StatusTooManyRequests, f)
	}
	if FormError(err) {
		f.Fail(err)
		return s.renderRegister(w, r, StatusOf(mingbai.ErrorCode(err)), f)
	} else if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "registered", &registeredData{Page: s.NewPage(r, "注册已提交"), Community: community})
	return nil
}

type accountGrant struct {
	Role mingbai.Role
	Unit *org.Unit
}

type accountData struct {
	Page
	User     *auth.User
	Grants   []accountGrant
	Form     *Form
	Sessions []accountSession
}

// accountSession is one device the account is logged in on.
type accountSession struct {
	auth.Session
	Current bool // the device asking
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := Actor(r)
	u, err := s.auth.User(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	d := &accountData{Page: s.NewPage(r, "我的账号"), User: u, Form: f}
	for _, g := range a.Grants {
		unit, err := s.org.Unit(r.Context(), g.UnitID)
		if err != nil {
			return err
		}
		d.Grants = append(d.Grants, accountGrant{Role: g.Role, Unit: unit})
	}
	sessions, err := s.auth.Sessions(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		d.Sessions = append(d.Sessions, accountSession{Session: ss, Current: ss.ID == State(r).sessionID})
	}
	s.Render(w, r, status, "account", d)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r)
	if r.PostFormValue("new_password") != r.PostFormValue("new_password2") {
		f.Errors["new_password2"] = "两次输入的新密码不一致。"
		f.Error = "请按提示修改后再提交。"
		return s.renderAccount(w, r, http.StatusBadRequest, f)
	}
	err := s.auth.ChangePassword(r.Context(), Actor(r).UserID, State(r).sessionID, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	return Finish(w, r, err, f,
		func(status int) error { return s.renderAccount(w, r, status, f) },
		func() string { return "/account?done=password" })
}

type registrationsData struct {
	Page
	Community *org.Unit
	Pending   []auth.User
}

func (s *Server) registrationsPage(w http.ResponseWriter, r *http.Request) error {
	c := State(r).Community
	pending, err := s.auth.PendingRegistrations(r.Context(), Actor(r), c.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "registrations", &registrationsData{Page: s.NewPage(r, "居民注册审核 · "+c.Name), Community: c, Pending: pending})
	return nil
}

func (s *Server) verifyRegistration(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "user")
	if err != nil {
		return err
	}
	if err := s.registrationInCommunity(r, id); err != nil {
		return err
	}
	if err := s.auth.VerifyRegistration(r.Context(), Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/c/"+State(r).Community.Slug+"/registrations?done=verified", http.StatusSeeOther)
	return nil
}

func (s *Server) rejectRegistration(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "user")
	if err != nil {
		return err
	}
	if err := s.registrationInCommunity(r, id); err != nil {
		return err
	}
	if err := s.auth.RejectRegistration(r.Context(), Actor(r), id, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		return err
	}
	http.Redirect(w, r, "/c/"+State(r).Community.Slug+"/registrations?done=rejected", http.StatusSeeOther)
	return nil
}

// registrationInCommunity makes a registration of another community look
// like one that does not exist: a cadre learns nothing about it.
func (s *Server) registrationInCommunity(r *http.Request, userID int64) error {
	u, err := s.auth.User(r.Context(), userID)
	if err != nil || u.CommunityID != State(r).Community.ID {
		return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该注册申请。")
	}
	return nil
}
