package web

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"mingbai"
	"mingbai/internal/org"
)

// section is one of the four parts of every community's board.
type section struct {
	Slug  string
	Label string
	Blurb string
}

// sections are the four 栏目 of 居务公开, in the order the boards show them.
var sections = []section{
	{"party", "党务", "党建工作目标、党务工作流程、党员教育管理、党费收缴标准、党员发展"},
	{"government", "政务", "一门通服务大厅：各部门职责、办事条件、程序、时限和办理结果"},
	{"affairs", "事务", "选举结果、干部分工、工作制度、居民公约、居民会议决定、评议结果"},
	{"finance", "财务", "居委会收支、干部补贴、救灾救济款物、收费情况"},
}

func sectionBySlug(slug string) (section, bool) {
	for _, s := range sections {
		if s.Slug == slug {
			return s, true
		}
	}
	return section{}, false
}

type homeData struct {
	page
	Trees []*org.Tree
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	districts, err := s.org.Districts(ctx)
	if err != nil {
		return err
	}
	d := &homeData{page: s.newPage(r, s.siteName)}
	for _, dist := range districts {
		tree, err := s.org.Tree(ctx, dist.ID)
		if err != nil {
			return err
		}
		d.Trees = append(d.Trees, tree)
	}
	s.render(w, r, http.StatusOK, "home", d)
	return nil
}

type streetData struct {
	page
	Street      *org.Unit
	District    *org.Unit
	Communities []org.Unit
}

func (s *Server) streetPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	district, err := s.org.Unit(r.Context(), st.street.ParentID)
	if err != nil {
		return err
	}
	cs, err := s.org.Children(r.Context(), st.street.ID, false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "street", &streetData{page: s.newPage(r, st.street.Name), Street: st.street, District: district, Communities: cs})
	return nil
}

type communityData struct {
	page
	Community *org.Unit
	Street    *org.Unit
	Sections  []section
	Current   *section // nil on the overview
	CanManage bool
}

func (s *Server) communityPage(w http.ResponseWriter, r *http.Request) error {
	if s.disclosure != nil {
		return s.boardPage(w, r, nil)
	}
	return s.renderCommunity(w, r, nil)
}

func (s *Server) communitySection(w http.ResponseWriter, r *http.Request) error {
	sec, ok := sectionBySlug(r.PathValue("section"))
	if !ok {
		return errNotFound
	}
	if s.disclosure != nil {
		return s.boardPage(w, r, &sec)
	}
	return s.renderCommunity(w, r, &sec)
}

func (s *Server) renderCommunity(w http.ResponseWriter, r *http.Request, sec *section) error {
	st := state(r)
	title := st.community.Name
	if sec != nil {
		title = sec.Label + "公开 · " + st.community.Name
	}
	s.render(w, r, http.StatusOK, "community", &communityData{
		page:      s.newPage(r, title),
		Community: st.community,
		Street:    st.street,
		Sections:  sections,
		Current:   sec,
		CanManage: actor(r).Has(mingbai.RoleCadre, st.community.ID),
	})
	return nil
}

// setTextSize keeps the large-text choice in a cookie. It is a plain form
// post, so it works without JavaScript.
// setTextSize is a GET, without a CSRF token, so that public pages carry
// nothing particular to a visitor and can be served from the page cache;
// a forged link can do no more than change someone's text size.
func (s *Server) setTextSize(w http.ResponseWriter, r *http.Request) error {
	size := r.FormValue("size")
	if size != "large" && size != "normal" {
		return mingbai.FieldError("size", "字号只能选择“大字”或“标准”。")
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r, textCookie), Value: size, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, localPath(r.FormValue("next"), "/"), http.StatusSeeOther)
	return nil
}

// localPath returns next if it is a clean path on this site, otherwise
// def, so a crafted link cannot send a resident elsewhere after logging in
// or switching the text size. It is the one check for every redirect
// target taken from a request.
//
// Browsers read a backslash as a slash, strip leading spaces and control
// characters, and drop tabs and newlines inside a URL; http.Redirect then
// cleans dot segments away ("/../\host" becomes "/\host"). So only a
// path that is already clean, starts with a single slash and holds no
// backslash or control character, before and after percent-decoding,
// is accepted: anything a browser could read as another host fails one
// of those.
func localPath(next, def string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || hasUnsafeByte(next) {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return def
	}
	p := u.Path // percent-decoded
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || hasUnsafeByte(p) {
		return def
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return def
	}
	// The query and fragment cannot change the host (a search for a
	// backslash may come back to its page), but a decoded control
	// character there could still split a header downstream.
	if q, err := url.QueryUnescape(u.RawQuery); err != nil || hasControl(q) || hasControl(u.Fragment) {
		return def
	}
	return next
}

// hasUnsafeByte reports a backslash or an ASCII control character.
func hasUnsafeByte(s string) bool {
	return strings.Contains(s, "\\") || hasControl(s)
}

// hasControl reports an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(r.Context()); err != nil {
		s.logger.Error("readyz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return nil
	}
	w.Write([]byte("ok\n"))
	return nil
}

type apiCommunity struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	StreetSlug    string `json:"street_slug"`
	StreetName    string `json:"street_name"`
	DistrictName  string `json:"district_name"`
	DistrictCode  string `json:"district_code"`
	Phone         string `json:"phone"`
	BoardLocation string `json:"board_location"`
	URL           string `json:"url"`
}

// apiCommunities lists every community that is not archived.
func (s *Server) apiCommunities(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	districts, err := s.org.Districts(ctx)
	if err != nil {
		return err
	}
	out := []apiCommunity{}
	for _, d := range districts {
		tree, err := s.org.Tree(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, st := range tree.Streets {
			for _, c := range st.Communities {
				out = append(out, apiCommunity{
					ID: c.ID, Slug: c.Slug, Name: c.Name,
					StreetSlug: st.Street.Slug, StreetName: st.Street.Name,
					DistrictName: d.Name, DistrictCode: d.GBCode,
					Phone: c.Phone, BoardLocation: c.BoardLocation, URL: "/c/" + c.Slug,
				})
			}
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Communities []apiCommunity `json:"communities"`
	}{out})
	return nil
}
