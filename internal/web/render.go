package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"mingbai"
)

// foundationPages declares the pages of the foundation, each with the
// partials it uses. Every page is parsed with the layout at start; a
// missing file fails New.
var foundationPages = map[string][]string{
	"error":         {"pages/error.html"},
	"login":         {"pages/login.html", "partials/fields.html"},
	"register":      {"pages/register.html", "partials/fields.html"},
	"registered":    {"pages/registered.html"},
	"account":       {"pages/account.html", "partials/fields.html"},
	"registrations": {"pages/registrations.html"},
}

type pageSet struct {
	pages map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(mingbai.Shanghai).Format("2006年1月2日")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(mingbai.Shanghai).Format("2006-01-02 15:04")
	},
	"roleLabel":   func(r mingbai.Role) string { return r.Label() },
	"roles":       func() []mingbai.Role { return mingbai.Roles },
	"latestIndex": func(size int64) int64 { return size - 1 },
	// boardItems pairs a community's slug with its catalog items for the
	// "boarditems" partial, which the board and finance pages share.
	"boardItems": func(slug string, items any) boardItemList {
		return boardItemList{Slug: slug, Items: items}
	},
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
}

func parsePages(features []Feature) (*pageSet, error) {
	core, err := fs.Sub(assets, "templates")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	sets := append([]Pages{{Files: core, Declared: foundationPages}}, featurePages(features)...)
	seen := map[string]bool{}
	for _, set := range sets {
		files := unionFS{set.Files, core}
		for name, names := range set.Declared {
			if seen[name] {
				return nil, fmt.Errorf("page %s declared twice", name)
			}
			seen[name] = true
			t := template.New(name).Funcs(templateFuncs)
			if set.Funcs != nil {
				t = t.Funcs(set.Funcs)
			}
			t, err := t.ParseFS(files, append([]string{"layout.html"}, names...)...)
			if err != nil {
				return nil, fmt.Errorf("parse page %s: %w", name, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("page %s defines no content block", name)
			}
			ps.pages[name] = t
		}
	}
	return ps, nil
}

func featurePages(features []Feature) []Pages {
	out := make([]Pages, len(features))
	for i, f := range features {
		out[i] = f.Pages()
	}
	return out
}

// unionFS reads a feature's own templates first and the core's (the
// layout and the shared partials) after them.
type unionFS []fs.FS

func (u unionFS) Open(name string) (fs.File, error) {
	for _, f := range u[:len(u)-1] {
		if file, err := f.Open(name); err == nil {
			return file, nil
		}
	}
	return u[len(u)-1].Open(name)
}

// boardItemList is what the "boarditems" partial ranges over.
type boardItemList struct {
	Slug  string
	Items any
}

// Page is what every page's data embeds: the layout needs it.
type Page struct {
	Title     string
	SiteName  string
	Footer    Footer
	Actor     *mingbai.Actor
	CSRF      string
	LargeText bool
	RequestID string
	Path      string
	Notice    string
	IsAdmin   bool
	IsCadre   bool
	// Feeds are announced in the head with <link rel="alternate">, so
	// feed readers find them from the page's address.
	Feeds []FeedLink
}

// Footer are the marks a government site shows at its foot, each only
// when set: who runs it, where to complain about it, its ICP filing
// number (linked to the MIIT register) and its government site code.
type Footer struct {
	HostOrg     string // 主办单位
	Hotline     string // 监督电话
	ICP         string // ICP备案号, e.g. 苏ICP备12345678号
	GovSiteCode string // 政府网站标识码
}

// Any reports whether any mark is set.
func (f Footer) Any() bool {
	return f.HostOrg != "" || f.Hotline != "" || f.ICP != "" || f.GovSiteCode != ""
}

// FeedLink is one Atom feed a page announces.
type FeedLink struct {
	Title string
	Href  string
}

// Layout returns the page itself, for the layout template: a field
// promoted through the embedding of page in each page's data costs
// text/template a reflect search on every use, and the layout reads them
// on every render; read from the page value they are found at once.
func (p Page) Layout() Page { return p }

func (s *Server) NewPage(r *http.Request, title string) Page {
	st := State(r)
	p := Page{Title: title, SiteName: s.siteName, Footer: s.footer, RequestID: RequestID(r), Path: r.URL.RequestURI()}
	if st != nil {
		p.Actor = st.actor
		p.CSRF = st.csrf
		p.LargeText = st.largeText
	}
	a := Actor(r)
	p.IsAdmin = a.HasAny(mingbai.RoleDistrictAdmin)
	p.IsCadre = a.HasAny(mingbai.RoleCadre)
	p.Notice = notices[r.URL.Query().Get("done")]
	return p
}

// notices are the messages a page shows after a redirect with ?done=KEY;
// the board and finance pages add their own (boardNotices, financeDone).
var notices = map[string]string{
	"saved":     "已保存。",
	"password":  "密码已修改，其他设备上的登录已退出。",
	"verified":  "已通过审核。",
	"rejected":  "已退回该申请。",
	"archived":  "已归档。历史记录仍然保留。",
	"created":   "已创建。",
	"signedout": "已让该设备退出登录。",
	"disabled":  "账号已停用，它在所有设备上的登录都已退出。",
	"enabled":   "账号已重新启用。",
}

// Render executes a page into a buffer first, so a template error becomes
// a clean 500 page instead of half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages.pages[name]
	if !ok {
		s.logger.Error("unknown page", "page", name)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.logger.Error("render page", "id", RequestID(r), "page", name, "err", err)
		if name != "error" {
			s.RenderError(w, r, fmt.Errorf("render %s: %w", name, err))
			return
		}
		http.Error(w, "服务器内部错误 "+RequestID(r), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if State(r) != nil && State(r).actor != nil {
		h.Set("Cache-Control", "private, no-store")
	} else if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderBuffers hold pages while they render, so that a template error
// can still become an error page; reusing them spares growing a buffer to
// a page's size on every request.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // a rare huge page should not stay in memory
	}
	b.Reset()
	renderBuffers.Put(b)
}

// staticHandler serves embedded CSS, JS and images. Their names carry no
// hash, so browsers revalidate; ETags keep that cheap.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}
