package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"mingbai"
	"mingbai/internal/org"
)

// RequestState is what the middleware learns about a request before its
// handler runs: who is acting, and which org units the path names.
type RequestState struct {
	id        string // see withRequestID
	actor     *mingbai.Actor
	sessionID string // hashed id of the session, for "log out everywhere else"
	csrf      string
	largeText bool
	ip        string
	newCSRF   bool

	Community *org.Unit // the {community} of the path
	Street    *org.Unit // the {street} of the path, or the community's street
	Unit      *org.Unit // the {unit} of the path (admin pages)

	// sessionToken is the live session's cookie value, "" for none: the
	// CSRF token is bound to it.
	sessionToken string
}

func State(r *http.Request) *RequestState {
	st, _ := r.Context().Value(requestStateKey).(*RequestState)
	return st
}

func Actor(r *http.Request) *mingbai.Actor {
	if st := State(r); st != nil && st.actor != nil {
		return st.actor
	}
	return &mingbai.Actor{}
}

// Policy decides whether an actor may use a route, knowing the units the
// request touches. Every route names one; the authorization matrix test
// walks them all.
type Policy struct {
	Name  string
	Allow func(a *mingbai.Actor, st *RequestState) bool
}

var (
	// Public pages: anyone, with or without an account.
	Public = Policy{"public", func(*mingbai.Actor, *RequestState) bool { return true }}
	// LoggedIn: any account.
	LoggedIn = Policy{"logged in", func(a *mingbai.Actor, _ *RequestState) bool { return !a.Anonymous() }}
	// CadreOfCommunity: a cadre of the {community} in the path.
	CadreOfCommunity = Policy{"cadre of the community", func(a *mingbai.Actor, st *RequestState) bool {
		return st.Community != nil && a.Has(mingbai.RoleCadre, st.Community.ID)
	}}
	// SupervisorOfCommunity: a member of the {community}'s supervision
	// committee who is not also one of its cadres (the committee checks
	// the cadres; nobody reviews their own work).
	SupervisorOfCommunity = Policy{"supervisor of the community", func(a *mingbai.Actor, st *RequestState) bool {
		return st.Community != nil && a.Has(mingbai.RoleSupervisor, st.Community.ID) && !a.Has(mingbai.RoleCadre, st.Community.ID)
	}}
	// districtAdmin: an admin of the district the request touches; for
	// pages that touch no unit, an admin of any district (the handler then
	// shows only that admin's districts).
	// overseerOfStreet: an officer of the {street} or an admin of its
	// district.
	OverseerOfStreet = Policy{"street officer or district admin", func(a *mingbai.Actor, st *RequestState) bool {
		return st.Street != nil && (a.OfficerOf(st.Street.ID) || a.IsDistrictAdmin(st.Street.DistrictID))
	}}
	DistrictAdmin = Policy{"district admin", func(a *mingbai.Actor, st *RequestState) bool {
		switch {
		case st.Unit != nil:
			return a.IsDistrictAdmin(DistrictOf(st.Unit))
		case st.Community != nil:
			return a.IsDistrictAdmin(st.Community.DistrictID)
		}
		return a.HasAny(mingbai.RoleDistrictAdmin)
	}}
)

func DistrictOf(u *org.Unit) int64 {
	if u.Kind == org.District {
		return u.ID
	}
	return u.DistrictID
}

// route is one registered pattern with its access rule and body limit.
type route struct {
	pattern string
	policy  Policy
	maxBody int64
}

// maxFormBody is the largest body an ordinary form may send. Routes that
// take uploads register with handleUpload and their own limit.
const maxFormBody = 256 << 10

// Handle registers a handler behind its policy. Path values {community},
// {street} and {unit} are resolved to org units first, so a missing unit is
// a 404 and the policy can see where the request points.
func (s *Server) Handle(pattern string, p Policy, h func(http.ResponseWriter, *http.Request) error) {
	s.HandleUpload(pattern, p, maxFormBody, h)
}

// HandleUpload is handle with a larger body limit, for forms with files.
func (s *Server) HandleUpload(pattern string, p Policy, maxBody int64, h func(http.ResponseWriter, *http.Request) error) {
	s.HandleGated(pattern, p, maxBody, nil, h)
}

// HandleGated is handleUpload with a gate that may refuse the request
// after its policy allowed it and before its body is read: a rate limit
// checked there spares the parsing of a refused upload and the decoding
// of its pictures.
func (s *Server) HandleGated(pattern string, p Policy, maxBody int64, gate func(http.ResponseWriter, *http.Request) error, h func(http.ResponseWriter, *http.Request) error) {
	s.routes = append(s.routes, route{pattern, p, maxBody})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		st := State(r)
		if err := checkText(r.URL.Path, r.URL.Query()); err != nil {
			s.RenderError(w, r, err)
			return
		}
		if err := s.resolveUnits(r, st); err != nil {
			s.RenderError(w, r, err)
			return
		}
		a := Actor(r)
		if !p.Allow(a, st) {
			s.deny(w, r, a)
			return
		}
		if gate != nil {
			if err := gate(w, r); err != nil {
				s.RenderError(w, r, err)
				return
			}
		}
		if isUnsafe(r.Method) {
			if err := parseBody(r, maxBody); err != nil {
				s.RenderError(w, r, err)
				return
			}
			if err := checkText("", r.PostForm); err != nil {
				s.RenderError(w, r, err)
				return
			}
		}
		if isUnsafe(r.Method) && !s.validCSRF(r, st) {
			s.RenderError(w, r, mingbai.Errorf(mingbai.EFORBIDDEN, "页面已过期或来源不明，请返回上一页刷新后再试。"))
			return
		}
		if err := h(w, r); err != nil {
			s.RenderError(w, r, err)
		}
	})
}

// Routes lists every registered pattern with its policy name, for the
// authorization matrix test and for docs.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.pattern
	}
	return out
}

// BodyLimit is the largest request body the route registered as pattern
// accepts, or 0 for a pattern not registered.
func (s *Server) BodyLimit(pattern string) int64 {
	for _, rt := range s.routes {
		if rt.pattern == pattern {
			return rt.maxBody
		}
	}
	return 0
}

// sizeText is a body limit as a person reads it: "256 KB", "32 MB".
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

func (s *Server) resolveUnits(r *http.Request, st *RequestState) error {
	ctx := r.Context()
	if slug := r.PathValue("community"); slug != "" {
		u, err := s.org.BySlug(ctx, org.Community, slug)
		if err != nil {
			return err
		}
		if u.Archived() && isUnsafe(r.Method) {
			return org.ErrArchived
		}
		st.Community = u
		if st.Street == nil {
			if street, err := s.org.Unit(ctx, u.ParentID); err == nil {
				st.Street = street
			}
		}
	}
	if slug := r.PathValue("street"); slug != "" {
		u, err := s.org.BySlug(ctx, org.Street, slug)
		if err != nil {
			return err
		}
		st.Street = u
	}
	if v := r.PathValue("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该单位。")
		}
		u, err := s.org.Unit(ctx, id)
		if err != nil {
			return err
		}
		st.Unit = u
	}
	return nil
}

// deny answers a request its policy refused: an anonymous visitor is sent
// to log in, anyone else gets 403.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, a *mingbai.Actor) {
	if a.Anonymous() && r.Method == http.MethodGet && !wantsJSON(r) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if a.Anonymous() {
		s.RenderError(w, r, mingbai.Errorf(mingbai.EUNAUTHORIZED, "请先登录。"))
		return
	}
	s.RenderError(w, r, mingbai.Errorf(mingbai.EFORBIDDEN, "您的账号没有权限访问这个页面。"))
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}

func withState(ctx context.Context, st *RequestState) context.Context {
	return context.WithValue(ctx, requestStateKey, st)
}

// parseBody reads a form body once, so that an oversized or malformed body
// is answered with a Chinese message instead of being seen as empty.
func parseBody(r *http.Request, maxBody int64) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(min(maxBody, 32<<20))
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return mingbai.Errorf(mingbai.ETOOLARGE, "提交的内容太大（最多 %s）。", sizeText(maxBody))
	}
	return mingbai.Errorf(mingbai.EINVALID, "提交的内容格式有误，请返回重新填写。")
}

// checkText refuses a path or form value with a NUL byte or bytes that are
// not UTF-8. No page needs them, PostgreSQL refuses to store or even
// compare them (a lookup of such a slug failed with 500), and they would
// reach every feature's queries otherwise.
func checkText(path string, values url.Values) error {
	bad := func(v string) bool { return !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 }
	refused := mingbai.Errorf(mingbai.EINVALID, "请求中含有无法识别的字符，请检查后重新输入。")
	if bad(path) {
		return refused
	}
	for k, vs := range values {
		if bad(k) {
			return refused
		}
		for _, v := range vs {
			if bad(v) {
				return refused
			}
		}
	}
	return nil
}

// PathID parses the numeric path value name; anything else is a 404, as
// is any other spelling of a number ("+7", "007"), so a record has one URL.
func PathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != v {
		return 0, mingbai.Errorf(mingbai.ENOTFOUND, "找不到这条记录。")
	}
	return id, nil
}
