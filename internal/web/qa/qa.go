package qa

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/export"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/web"
	"mingbai/internal/web/chart"
)

// qaPages are the pages of the 提问栏/回音栏, the suggestion box and
// complaints.
var qaPages = map[string][]string{
	"qa_board":      {"qa/board.html", "qa/parts.html"},
	"qa_new":        {"qa/new.html", "partials/fields.html"},
	"qa_item":       {"qa/item.html", "qa/parts.html", "partials/fields.html"},
	"qa_track":      {"qa/track.html", "partials/fields.html"},
	"qa_stats":      {"qa/stats.html", "qa/parts.html"},
	"qa_inbox":      {"qa/inbox.html", "qa/parts.html"},
	"qa_overdue":    {"qa/overdue.html", "qa/parts.html"},
	"qa_referred":   {"qa/referred.html", "qa/parts.html"},
	"qa_mine":       {"qa/mine.html"},
	"qa_templates":  {"qa/templates.html", "partials/fields.html"},
	"qa_complain":   {"qa/complain.html", "partials/fields.html"},
	"qa_complaints": {"qa/complaints.html"},
	"qa_complaint":  {"qa/complaint.html", "partials/fields.html"},
	"qa_ctrack":     {"qa/ctrack.html"},
	"qa_calendar":   {"qa/calendar.html", "partials/fields.html"},
	"qa_rules":      {"qa/rules.html", "partials/fields.html"},
}

var (
	// officerOfStreet: an officer of the {street} in the path.
	officerOfStreet = web.Policy{Name: "officer of the street", Allow: func(a *mingbai.Actor, st *web.RequestState) bool {
		return st.Street != nil && a.OfficerOf(st.Street.ID)
	}}
)

func (s *handlers) registerQARoutes() {
	// Public: the board, asking, following by tracking code, statistics,
	// feed and export.
	s.Handle("GET /c/{community}/qa", web.Public, s.qaBoard)
	s.Handle("GET /c/{community}/qa/new", web.Public, s.qaNewPage)
	s.HandleGated("POST /c/{community}/qa", web.Public, maxQABody, s.qaSubmitGate, s.qaSubmit)
	s.Handle("GET /c/{community}/qa/items/{item}", web.Public, s.qaItemPage)
	s.Handle("GET /c/{community}/qa/stats", web.Public, s.qaCommunityStats)
	s.Handle("GET /s/{street}/qa/stats", web.Public, s.qaStreetStats)
	s.Handle("GET /qa/stats", web.Public, s.qaDistrictStats)
	s.Handle("GET /c/{community}/qa/feed.atom", web.Public, s.qaFeed)
	s.Handle("GET /c/{community}/qa/export.csv", web.Public, s.qaExport)
	s.Handle("GET /qa/track", web.Public, s.qaTrackForm)
	s.Handle("GET /qa/mine", web.LoggedIn, s.qaMine)
	s.Handle("GET /qa/t/{code}", web.Public, s.qaTrackPage)
	s.Handle("POST /qa/t/{code}/confirm", web.Public, s.qaConfirm)
	s.Handle("POST /qa/t/{code}/reopen", web.Public, s.qaReopen)
	s.Handle("GET /qa/t/{code}/photos/{n}", web.Public, s.qaTrackPhoto)

	// A community's cadres.
	s.Handle("GET /c/{community}/qa/inbox", web.CadreOfCommunity, s.qaInbox)
	s.Handle("GET /c/{community}/qa/record", web.CadreOfCommunity, s.qaRecordPage)
	s.HandleUpload("POST /c/{community}/qa/record", web.CadreOfCommunity, maxQABody, s.qaRecord)
	s.Handle("POST /c/{community}/qa/items/{item}/{action}", web.CadreOfCommunity, s.qaAction)
	s.Handle("GET /c/{community}/qa/items/{item}/photos/{n}", web.CadreOfCommunity, s.qaCadrePhoto)
	s.Handle("GET /c/{community}/qa/templates", web.CadreOfCommunity, s.qaTemplatesPage)
	s.Handle("POST /c/{community}/qa/templates", web.CadreOfCommunity, s.qaAddTemplate)

	// The street and departments: referrals and the overdue list.
	s.Handle("GET /qa/referred", web.LoggedIn, s.qaReferrals)
	s.Handle("GET /qa/referred/{item}", web.LoggedIn, s.qaReferralPage)
	s.Handle("POST /qa/referred/{item}", web.LoggedIn, s.qaRefereeReply)
	s.Handle("GET /s/{street}/qa/overdue", officerOfStreet, s.qaOverdue)

	// Complaints: to the supervision committee and the street only.
	s.Handle("GET /c/{community}/complaints/new", web.Public, s.complainPage)
	s.Handle("POST /c/{community}/complaints", web.Public, s.complain)
	s.Handle("GET /complaints/t/{code}", web.Public, s.complaintTrack)
	s.Handle("GET /c/{community}/complaints", web.SupervisorOfCommunity, s.communityComplaints)
	s.Handle("GET /s/{street}/complaints", officerOfStreet, s.streetComplaints)
	s.Handle("GET /complaints/{id}", web.LoggedIn, s.complaintPage)
	s.Handle("POST /complaints/{id}/take", web.LoggedIn, s.takeComplaint)
	s.Handle("POST /complaints/{id}/conclude", web.LoggedIn, s.concludeComplaint)

	// A district admin's settings: the working-day calendar and the rules.
	s.Handle("GET /admin/districts/{unit}/calendar", web.DistrictAdmin, s.qaCalendarPage)
	s.Handle("POST /admin/districts/{unit}/calendar", web.DistrictAdmin, s.qaAddCalendar)
	s.Handle("POST /admin/districts/{unit}/calendar/{row}/remove", web.DistrictAdmin, s.qaRemoveCalendar)
	s.Handle("GET /admin/districts/{unit}/qa-rules", web.DistrictAdmin, s.qaRulesPage)
	s.Handle("POST /admin/districts/{unit}/qa-rules", web.DistrictAdmin, s.qaSetRules)
}

// qaMine lists what the account submitted (我的提问), each opening on its
// tracking page, so a resident with an account needs no code.
func (s *handlers) qaMine(w http.ResponseWriter, r *http.Request) error {
	items, err := s.qa.Mine(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "qa_mine", &struct {
		web.Page
		Items []*qa.Item
		Now   time.Time
	}{s.NewPage(r, "我的提问"), items, s.now()})
	return nil
}

// ---- the public board ----

type qaBoardData struct {
	web.Page
	Community  *org.Unit
	Street     *org.Unit
	List       *qa.ListPage
	Filter     qa.Filter
	Period     string
	Query      string
	Categories []string
	Statuses   []qa.Status
	Now        time.Time
	PageLinks  []qaPageLink
	CanManage  bool
	Rows       qaRows
}

// qaRows is what the qa_rows partial lists.
type qaRows struct {
	Slug  string
	Items []*qa.Item
	Now   time.Time
}

type qaPageLink struct {
	N       int
	URL     string
	Current bool
}

// periodRange turns "2025-09" (a month) or "2025" (a year) into a range.
func periodRange(p string) (from, to time.Time, err error) {
	if p == "" {
		return
	}
	if t, e := time.ParseInLocation("2006-01", p, mingbai.Shanghai); e == nil {
		return t, t.AddDate(0, 1, 0), nil
	}
	if t, e := time.ParseInLocation("2006", p, mingbai.Shanghai); e == nil {
		return t, t.AddDate(1, 0, 0), nil
	}
	return from, to, mingbai.FieldError("period", "时间段请写成 2025-09（某月）或 2025（某年）")
}

func (s *handlers) qaBoard(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	q := r.URL.Query()
	f := qa.Filter{Status: qa.Status(q.Get("status")), Category: q.Get("category"), Query: q.Get("q")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	var err error
	if f.From, f.To, err = periodRange(q.Get("period")); err != nil {
		return err
	}
	list, err := s.qa.List(r.Context(), st.Community.ID, f)
	if err != nil {
		return err
	}
	d := &qaBoardData{Page: s.NewPage(r, "提问栏 · "+st.Community.Name), Community: st.Community, Street: st.Street, List: list, Filter: f,
		Period: q.Get("period"), Query: q.Get("q"), Categories: qa.Categories, Statuses: qa.Statuses, Now: s.now(),
		CanManage: web.Actor(r).Has(mingbai.RoleCadre, st.Community.ID), Rows: qaRows{st.Community.Slug, list.Items, s.now()}}
	for n := 1; n <= list.Pages && list.Pages > 1; n++ {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		d.PageLinks = append(d.PageLinks, qaPageLink{N: n, URL: "?" + v.Encode(), Current: n == list.Page})
	}
	s.Render(w, r, http.StatusOK, "qa_board", d)
	return nil
}

// ---- asking ----

type qaNewData struct {
	web.Page
	Community  *org.Unit
	Form       *web.Form
	Categories []string
	Channels   []qa.Channel
	Record     bool // a cadre records for a resident
	Action     string
	MaxBody    int
	MaxPhotos  int
}

func (s *handlers) renderQANew(w http.ResponseWriter, r *http.Request, status int, f *web.Form, record bool) {
	st := web.State(r)
	keepPrivate(w)
	title, action := "我要提问 · "+st.Community.Name, "/c/"+st.Community.Slug+"/qa"
	if record {
		title, action = "代居民登记 · "+st.Community.Name, "/c/"+st.Community.Slug+"/qa/record"
	}
	s.Render(w, r, status, "qa_new", &qaNewData{Page: s.NewPage(r, title), Community: st.Community, Form: f,
		Categories: qa.Categories, Channels: qa.Channels, Record: record, Action: action, MaxBody: qa.MaxBody, MaxPhotos: qa.MaxPhotos})
}

// submitForm is an empty form to submit something: it carries a new
// submission key, so that sending it again returns the first receipt.
func submitForm(r *http.Request) *web.Form {
	f := web.NewForm(r)
	f.Values["submit_key"] = qa.NewSubmitKey()
	return f
}

// keepPrivate keeps a page with a submission key out of every cache: two
// residents sent the same copy would share a key, and the second would be
// answered with the first one's tracking code.
func keepPrivate(w http.ResponseWriter) { w.Header().Set("Cache-Control", "private, no-store") }

func (s *handlers) qaNewPage(w http.ResponseWriter, r *http.Request) error {
	f := submitForm(r)
	f.Values["kind"] = string(qa.Question)
	s.renderQANew(w, r, http.StatusOK, f, false)
	return nil
}

func (s *handlers) qaRecordPage(w http.ResponseWriter, r *http.Request) error {
	f := submitForm(r)
	f.Values["kind"] = string(qa.Question)
	f.Values["channel"] = string(qa.Paper)
	s.renderQANew(w, r, http.StatusOK, f, true)
	return nil
}

// maxQABody bounds a question's form post: six photos of 5 MB and the text.
const maxQABody = 32 << 20

// readPhotos reads the uploaded photos of a multipart form.
func readPhotos(r *http.Request) ([][]byte, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out [][]byte
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if fh.Size > qa.MaxPhotoBytes {
			return nil, mingbai.FieldError("photos", "照片“%s”太大，每张不能超过 %d MB", fh.Filename, qa.MaxPhotoBytes>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("open upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, qa.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return nil, mingbai.FieldError("photos", "照片没有上传完整，请重试")
		}
		out = append(out, data)
	}
	return out, nil
}

// qaSubmitGate refuses a resident over the submission limits before the
// body is read: the photos of a refused question are neither parsed nor
// decoded.
func (s *handlers) qaSubmitGate(w http.ResponseWriter, r *http.Request) error {
	err := s.qa.CheckThrottle(r.Context(), web.Actor(r), web.State(r).Community.ID, web.ClientIP(r))
	if mingbai.ErrorCode(err) == mingbai.ETOOMANY {
		w.Header().Set("Retry-After", "3600")
	}
	return err
}

func (s *handlers) qaSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.submitItem(w, r, false)
}
func (s *handlers) qaRecord(w http.ResponseWriter, r *http.Request) error {
	return s.submitItem(w, r, true)
}

func (s *handlers) submitItem(w http.ResponseWriter, r *http.Request, record bool) error {
	st := web.State(r)
	f := web.NewForm(r, "kind", "category", "body", "nickname", "contact", "channel", "submit_key")
	photos, err := readPhotos(r)
	if err == nil {
		sub := qa.Submission{Kind: qa.Kind(f.Values["kind"]), Category: f.Values["category"], Body: r.PostFormValue("body"),
			Nickname: f.Values["nickname"], Contact: f.Values["contact"], Photos: photos, IP: web.ClientIP(r), Honeypot: r.PostFormValue("website"),
			Key: f.Values["submit_key"]}
		if record {
			sub.Channel = qa.Channel(f.Values["channel"])
			if sub.Channel == qa.Online {
				sub.Channel = ""
			}
			if sub.Channel == "" {
				err = mingbai.FieldError("channel", "请选择收到的途径")
			}
		}
		if err == nil {
			var rc *qa.Receipt
			rc, err = s.qa.Submit(r.Context(), web.Actor(r), st.Community.ID, sub)
			if err == nil {
				if record {
					http.Redirect(w, r, fmt.Sprintf("/c/%s/qa/items/%d?done=recorded&code=%s", st.Community.Slug, rc.ID, rc.Code), http.StatusSeeOther)
					return nil
				}
				http.Redirect(w, r, "/qa/t/"+rc.Code+"?done=new", http.StatusSeeOther)
				return nil
			}
		}
	}
	code := mingbai.ErrorCode(err)
	if code == mingbai.EINTERNAL || code == mingbai.EFORBIDDEN || code == mingbai.ENOTFOUND {
		return err
	}
	f.Fail(err)
	if code == mingbai.ETOOMANY {
		w.Header().Set("Retry-After", "3600")
	}
	if errors.Is(err, qa.ErrFormUsed) || !qa.ValidSubmitKey(f.Values["submit_key"]) {
		f.Values["submit_key"] = qa.NewSubmitKey()
	}
	s.renderQANew(w, r, web.StatusOf(code), f, record)
	return nil
}

// ---- one item ----

type qaItemData struct {
	web.Page
	Community  *org.Unit
	View       *qa.View
	Now        time.Time
	Cadre      bool // a cadre of the community: actions and contact
	Referee    bool // staff of the unit it was referred to
	Tracker    bool // the holder of the tracking code
	New        bool
	Code       string
	Form       *web.Form
	Templates  []qa.Template
	Targets    []qa.Unit
	Outcomes   []qa.Outcome
	MaxExtend  int
	CanReopen  bool
	ReopenDays int
	LogURL     bool
}

func (s *handlers) qaItemPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "item")
	if err != nil {
		return err
	}
	return s.renderItem(w, r, http.StatusOK, st.Community.ID, id, web.NewForm(r))
}

func (s *handlers) renderItem(w http.ResponseWriter, r *http.Request, status int, communityID, id int64, f *web.Form) error {
	st := web.State(r)
	a := web.Actor(r)
	ctx := r.Context()
	d := &qaItemData{Community: st.Community, Now: s.now(), Form: f, Outcomes: qa.Outcomes, LogURL: s.log != nil}
	var err error
	if a.Has(mingbai.RoleCadre, communityID) {
		d.Cadre = true
		if d.View, err = s.qa.ForCadre(ctx, a, communityID, id); err != nil {
			return err
		}
		if d.Templates, err = s.qa.Templates(ctx, a, communityID); err != nil {
			return err
		}
		if d.Targets, err = s.qa.ReferTargets(ctx, communityID); err != nil {
			return err
		}
		rules, err := s.qa.Rules(ctx, st.Community.DistrictID)
		if err != nil {
			return err
		}
		d.MaxExtend = rules.MaxExtensionWorkdays
		if tid, _ := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64); tid != 0 && f.Values["body"] == "" {
			for _, t := range d.Templates {
				if t.ID == tid {
					f.Values["body"] = t.Body
				}
			}
		}
		if r.URL.Query().Get("done") == "recorded" {
			d.Code = r.URL.Query().Get("code")
		}
	} else if d.View, err = s.qa.Public(ctx, communityID, id); err != nil {
		return err
	}
	d.Page = s.NewPage(r, fmt.Sprintf("第 %d 号%s · %s", id, d.View.Item.Kind.Label(), st.Community.Name))
	s.Render(w, r, status, "qa_item", d)
	return nil
}

func (s *handlers) qaAction(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "item")
	if err != nil {
		return err
	}
	ctx, a, c := r.Context(), web.Actor(r), st.Community.ID
	f := web.NewForm(r, "body", "outcome", "reason", "refer_to", "workdays", "into")
	switch r.PathValue("action") {
	case "ack":
		err = s.qa.Acknowledge(ctx, a, c, id)
	case "reply":
		refer, _ := strconv.ParseInt(f.Values["refer_to"], 10, 64)
		err = s.qa.Reply(ctx, a, c, id, qa.Answer{Body: r.PostFormValue("body"), Outcome: qa.Outcome(f.Values["outcome"]), Reason: f.Values["reason"], ReferTo: refer})
	case "extend":
		n, _ := strconv.Atoi(f.Values["workdays"])
		err = s.qa.Extend(ctx, a, c, id, n, f.Values["reason"])
	case "hide":
		err = s.qa.Hide(ctx, a, c, id, f.Values["reason"])
	case "merge":
		into, _ := strconv.ParseInt(strings.TrimPrefix(f.Values["into"], "第"), 10, 64)
		err = s.qa.Merge(ctx, a, c, id, into)
	default:
		return web.ErrNotFound
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderItem(w, r, status, c, id, f) },
		func() string { return fmt.Sprintf("/c/%s/qa/items/%d?done=saved", st.Community.Slug, id) })
}

func (s *handlers) servePhoto(w http.ResponseWriter, p *qa.Photo) {
	w.Header().Set("Content-Type", p.MIME)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Disposition", "inline")
	w.Write(p.Data)
}

func (s *handlers) qaCadrePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "item")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	p, err := s.qa.PhotoForCadre(r.Context(), web.Actor(r), web.State(r).Community.ID, id, n)
	if err != nil {
		return err
	}
	s.servePhoto(w, p)
	return nil
}

// ---- following by tracking code ----

type qaTrackData struct {
	web.Page
	Form *web.Form
}

// byCode runs lookup, which finds something by a tracking code, under the
// limit on codes that match nothing (see qa.MaxCodeMisses): an address
// over it is refused before the lookup, and a miss is counted after it.
func (s *handlers) byCode(r *http.Request, lookup func() error) error {
	ctx, ip := r.Context(), web.ClientIP(r)
	if err := s.qa.CheckCodeLookup(ctx, ip); err != nil {
		return err
	}
	err := lookup()
	if qa.IsUnknownCode(err) {
		if cerr := s.qa.CountCodeMiss(ctx, ip); cerr != nil {
			return cerr
		}
	}
	return err
}

func (s *handlers) qaTrackForm(w http.ResponseWriter, r *http.Request) error {
	if c := r.URL.Query().Get("code"); c != "" {
		if err := s.qa.CheckCodeLookup(r.Context(), web.ClientIP(r)); err != nil {
			return err
		}
		if code := qa.NormalizeCode(c); code != "" {
			complaint, err := s.qa.IsComplaintCode(r.Context(), code)
			if err != nil {
				return err
			}
			if complaint {
				http.Redirect(w, r, "/complaints/t/"+code, http.StatusSeeOther)
				return nil
			}
			http.Redirect(w, r, "/qa/t/"+code, http.StatusSeeOther)
			return nil
		}
		f := web.NewForm(r)
		f.Values["code"] = c
		f.Fail(mingbai.FieldError("code", "查询码是 10 位字母和数字，例如 7KX2M-9QH4D，请核对"))
		s.Render(w, r, http.StatusBadRequest, "qa_track", &qaTrackData{Page: s.NewPage(r, "查询办理进度"), Form: f})
		return nil
	}
	s.Render(w, r, http.StatusOK, "qa_track", &qaTrackData{Page: s.NewPage(r, "查询办理进度"), Form: web.NewForm(r)})
	return nil
}

func (s *handlers) qaTrackPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTrack(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderTrack(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	var v *qa.View
	err := s.byCode(r, func() (err error) {
		v, err = s.qa.ByCode(ctx, r.PathValue("code"))
		return err
	})
	if err != nil {
		return err
	}
	c, err := s.org.Unit(ctx, v.Item.CommunityID)
	if err != nil {
		return err
	}
	rules, err := s.qa.Rules(ctx, c.DistrictID)
	if err != nil {
		return err
	}
	d := &qaItemData{Community: c, View: v, Now: s.now(), Tracker: true, Form: f, Code: v.Item.Code, New: r.URL.Query().Get("done") == "new",
		ReopenDays: rules.ReopenDays, LogURL: s.log != nil}
	it := v.Item
	d.CanReopen = it.CanReopen(s.now(), rules.ReopenDays) == nil
	d.Page = s.NewPage(r, "办理进度 · 查询码 "+qa.FormatCode(it.Code))
	switch r.URL.Query().Get("done") {
	case "confirmed":
		d.Notice = "谢谢您的确认。"
	case "reopened":
		d.Notice = "已重新提出，社区将重新研究并在期限内回音。"
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.Render(w, r, status, "qa_item", d)
	return nil
}

func (s *handlers) qaConfirm(w http.ResponseWriter, r *http.Request) error {
	code := qa.NormalizeCode(r.PathValue("code"))
	if err := s.byCode(r, func() error { return s.qa.Confirm(r.Context(), code) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/qa/t/"+code+"?done=confirmed", http.StatusSeeOther)
	return nil
}

func (s *handlers) qaReopen(w http.ResponseWriter, r *http.Request) error {
	code := qa.NormalizeCode(r.PathValue("code"))
	f := web.NewForm(r, "reason")
	err := s.byCode(r, func() error { return s.qa.Reopen(r.Context(), code, f.Values["reason"]) })
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderTrack(w, r, status, f) },
		func() string { return "/qa/t/" + code + "?done=reopened" })
}

func (s *handlers) qaTrackPhoto(w http.ResponseWriter, r *http.Request) error {
	n, _ := strconv.Atoi(r.PathValue("n"))
	var p *qa.Photo
	err := s.byCode(r, func() (err error) {
		p, err = s.qa.PhotoByCode(r.Context(), r.PathValue("code"), n)
		return err
	})
	if err != nil {
		return err
	}
	s.servePhoto(w, p)
	return nil
}

// ---- statistics ----

type qaStatsData struct {
	web.Page
	Scope      string // the scope's name
	Kind       string // 社区, 街道 or 区
	Back       string
	Stats      *qa.Stats
	Complaints *qa.ComplaintStats
	Period     string
	Chart      template.HTML
	Outcomes   template.HTML
	Links      []qaScopeLink
}

type qaScopeLink struct{ Name, URL string }

// statsPeriod is the period of a statistics page: ?period=2025 or
// 2025-09, by default the last six whole months and this one.
func (s *handlers) statsPeriod(r *http.Request) (from, to time.Time, label string, err error) {
	p := r.URL.Query().Get("period")
	if p != "" {
		from, to, err = periodRange(p)
		return from, to, p, err
	}
	// Six whole months back from the start of this one, so that
	// everything of the last half year (近半年) counts: counting six months
	// back from the end of this month left out up to a month of it (the
	// demo's referral among it, so 转办 showed 0).
	now := s.now().In(mingbai.Shanghai)
	to = time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, mingbai.Shanghai)
	from = time.Date(now.Year(), now.Month()-6, 1, 0, 0, 0, 0, mingbai.Shanghai)
	return from, to, "", nil
}

func (s *handlers) renderStats(w http.ResponseWriter, r *http.Request, sc qa.Scope, name, kind, back string) error {
	from, to, label, err := s.statsPeriod(r)
	if err != nil {
		return err
	}
	st, err := s.qa.Stats(r.Context(), sc, from, to)
	if err != nil {
		return err
	}
	cs, err := s.qa.ComplaintStatistics(r.Context(), sc, from, to)
	if err != nil {
		return err
	}
	d := &qaStatsData{Page: s.NewPage(r, "回音统计 · "+name), Scope: name, Kind: kind, Back: back, Stats: st, Complaints: cs, Period: label,
		Chart: monthChart(st.Months), Outcomes: outcomeChart(st.Counts)}
	for _, c := range st.Communities {
		d.Links = append(d.Links, qaScopeLink{c.Name, "/c/" + c.Slug + "/qa/stats"})
	}
	s.Render(w, r, http.StatusOK, "qa_stats", d)
	return nil
}

func (s *handlers) qaCommunityStats(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	return s.renderStats(w, r, qa.Scope{Community: c.ID}, c.Name, "社区", "/c/"+c.Slug+"/qa")
}

func (s *handlers) qaStreetStats(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r).Street
	return s.renderStats(w, r, qa.Scope{Street: st.ID}, st.Name, "街道", "/s/"+st.Slug)
}

func (s *handlers) qaDistrictStats(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.org.Districts(r.Context())
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return web.ErrNotFound
	}
	d := ds[0]
	if id, _ := strconv.ParseInt(r.URL.Query().Get("district"), 10, 64); id != 0 {
		found := false
		for _, x := range ds {
			if x.ID == id {
				d, found = x, true
			}
		}
		if !found {
			return web.ErrNotFound
		}
	}
	return s.renderStats(w, r, qa.Scope{District: d.ID}, d.Name, "区", "/")
}

// monthChart draws each month's received and replied counts.
func monthChart(months []qa.MonthCounts) template.HTML {
	c := chart.Chart{Title: "每月收到与已回音条数", Series: []chart.Series{{Name: "收到", Meaning: chart.Received}, {Name: "已回音", Meaning: chart.Replied}}}
	for _, m := range months {
		c.Labels = append(c.Labels, fmt.Sprintf("%d月", int(m.Month.Month())))
		c.Values = append(c.Values, []int64{int64(m.Received), int64(m.Replied)})
	}
	return chart.Columns(c)
}

// outcomeChart draws how the replied items ended, and how many are open.
func outcomeChart(c qa.Counts) template.HTML {
	return chart.Bars(chart.Chart{
		Title:  "办理结果",
		Labels: []string{"采纳", "部分采纳", "不采纳", "办理中"},
		Values: [][]int64{{int64(c.Adopted)}, {int64(c.Partly)}, {int64(c.NotAdopted)}, {int64(c.Received - c.Replied)}},
	})
}

// ---- feed and export ----

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Author  string   `xml:"author>name"`
	Content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

func (s *handlers) qaFeed(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	entries, err := s.qa.RecentReplies(r.Context(), c.ID, 50)
	if err != nil {
		return err
	}
	base := s.BaseURL(r)
	feed := atomFeed{Title: c.Name + " 回音栏", ID: base + "/c/" + c.Slug + "/qa", Updated: s.now().UTC().Format(time.RFC3339),
		Link: []atomLink{{Href: base + "/c/" + c.Slug + "/qa"}, {Href: base + r.URL.Path, Rel: "self"}}}
	if len(entries) > 0 {
		feed.Updated = entries[0].Reply.CreatedAt.UTC().Format(time.RFC3339)
	}
	for _, e := range entries {
		link := fmt.Sprintf("%s/c/%s/qa/items/%d", base, c.Slug, e.Item.ID)
		en := atomEntry{Title: fmt.Sprintf("第 %d 号%s的回音：%s", e.Item.ID, e.Item.Kind.Label(), e.Reply.Outcome.Label()),
			ID: fmt.Sprintf("%s#reply-%d", link, e.Reply.ID), Updated: e.Reply.CreatedAt.UTC().Format(time.RFC3339),
			Link: atomLink{Href: link}, Author: e.Reply.UnitName}
		en.Content.Type = "text"
		en.Content.Body = "问：" + e.Item.PublicBody() + "\n\n答：" + e.Reply.PublicBody()
		feed.Entries = append(feed.Entries, en)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	return enc.Encode(feed)
}

// qaExport writes a community's items as CSV; docs/qa.md defines the
// fields. Only public fields, masked as on the pages.
func (s *handlers) qaExport(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	items, err := s.qa.Export(r.Context(), c.ID)
	if err != nil {
		return err
	}
	t := export.Table{Header: []string{"id", "kind", "category", "channel", "status", "received_at", "reply_due", "due_provisional", "extended", "replied_at", "outcome", "referred", "reopened", "hidden", "merged_into", "name", "text"}}
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, it := range items {
		t.Rows = append(t.Rows, []string{strconv.FormatInt(it.ID, 10), string(it.Kind), it.Category, string(it.Channel), string(it.Status),
			it.ReceivedAt.UTC().Format(time.RFC3339), it.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly), strconv.FormatBool(it.DueProvisional),
			strconv.FormatBool(it.Extended), ts(it.RepliedAt), string(it.Outcome), strconv.FormatBool(it.ReferredTo != 0), strconv.FormatBool(it.Reopened),
			strconv.FormatBool(it.Hidden), strconv.FormatInt(it.MergedInto, 10), it.PublicName(), it.PublicBody()})
	}
	web.AttachmentHeader(w, "qa-"+c.Slug, export.CSV)
	return export.WriteCSV(w, t)
}

// ---- cadres ----

type qaListData struct {
	web.Page
	Community *org.Unit
	Street    *org.Unit
	Items     []*qa.Item
	Overdue   []qa.OverdueItem
	Now       time.Time
}

func (s *handlers) qaInbox(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	items, err := s.qa.Inbox(r.Context(), web.Actor(r), c.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "qa_inbox", &qaListData{Page: s.NewPage(r, "待办回音 · "+c.Name), Community: c, Items: items, Now: s.now()})
	return nil
}

func (s *handlers) qaOverdue(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r).Street
	items, err := s.qa.StreetOverdue(r.Context(), web.Actor(r), st.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "qa_overdue", &qaListData{Page: s.NewPage(r, "超期未回音 · "+st.Name), Street: st, Overdue: items, Now: s.now()})
	return nil
}

func (s *handlers) qaReferrals(w http.ResponseWriter, r *http.Request) error {
	items, err := s.qa.Referrals(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "qa_referred", &qaListData{Page: s.NewPage(r, "转办给我单位的事项"), Items: items, Now: s.now()})
	return nil
}

func (s *handlers) qaReferralPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderReferral(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderReferral(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	id, err := web.PathID(r, "item")
	if err != nil {
		return err
	}
	v, err := s.qa.ForReferee(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	c, err := s.org.Unit(r.Context(), v.Item.CommunityID)
	if err != nil {
		return err
	}
	d := &qaItemData{Page: s.NewPage(r, fmt.Sprintf("转办事项 第 %d 号", id)), Community: c, View: v, Now: s.now(), Referee: true, Form: f,
		Outcomes: []qa.Outcome{qa.Adopted, qa.Partly, qa.NotAdopted}, LogURL: s.log != nil}
	s.Render(w, r, status, "qa_item", d)
	return nil
}

func (s *handlers) qaRefereeReply(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "item")
	if err != nil {
		return err
	}
	f := web.NewForm(r, "body", "outcome", "reason")
	err = s.qa.RefereeReply(r.Context(), web.Actor(r), id, qa.Answer{Body: r.PostFormValue("body"), Outcome: qa.Outcome(f.Values["outcome"]), Reason: f.Values["reason"]})
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderReferral(w, r, status, f) },
		func() string { return fmt.Sprintf("/qa/referred/%d?done=saved", id) })
}

type qaTemplatesData struct {
	web.Page
	Community *org.Unit
	Templates []qa.Template
	Form      *web.Form
}

func (s *handlers) qaTemplatesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTemplates(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderTemplates(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	c := web.State(r).Community
	ts, err := s.qa.Templates(r.Context(), web.Actor(r), c.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "qa_templates", &qaTemplatesData{Page: s.NewPage(r, "答复模板 · "+c.Name), Community: c, Templates: ts, Form: f})
	return nil
}

func (s *handlers) qaAddTemplate(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	f := web.NewForm(r, "title", "body")
	err := s.qa.AddTemplate(r.Context(), web.Actor(r), c.ID, f.Values["title"], f.Values["body"])
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderTemplates(w, r, status, f) },
		func() string { return "/c/" + c.Slug + "/qa/templates?done=saved" })
}

// ---- complaints ----

type complainData struct {
	web.Page
	Community  *org.Unit
	Form       *web.Form
	Categories []string
}

func (s *handlers) complainPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplain(w, r, http.StatusOK, submitForm(r))
}

func (s *handlers) renderComplain(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	c := web.State(r).Community
	keepPrivate(w)
	s.Render(w, r, status, "qa_complain", &complainData{Page: s.NewPage(r, "举报投诉 · "+c.Name), Community: c, Form: f, Categories: qa.ComplaintCategories})
	return nil
}

func (s *handlers) complain(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	f := web.NewForm(r, "category", "body", "name", "contact", "anonymous", "submit_key")
	rc, err := s.qa.Complain(r.Context(), web.Actor(r), c.ID, qa.ComplaintSubmission{Category: f.Values["category"], Body: r.PostFormValue("body"),
		Anonymous: f.Values["anonymous"] == "1", Name: f.Values["name"], Contact: f.Values["contact"], IP: web.ClientIP(r), Honeypot: r.PostFormValue("website"),
		Key: f.Values["submit_key"]})
	if err != nil {
		code := mingbai.ErrorCode(err)
		if code != mingbai.EINVALID && code != mingbai.ETOOMANY && code != mingbai.ECONFLICT {
			return err
		}
		f.Fail(err)
		if errors.Is(err, qa.ErrFormUsed) || !qa.ValidSubmitKey(f.Values["submit_key"]) {
			f.Values["submit_key"] = qa.NewSubmitKey()
		}
		return s.renderComplain(w, r, web.StatusOf(code), f)
	}
	http.Redirect(w, r, "/complaints/t/"+rc.Code+"?done=new", http.StatusSeeOther)
	return nil
}

type complaintTrackData struct {
	web.Page
	Receipt *qa.ComplaintReceipt
	New     bool
}

func (s *handlers) complaintTrack(w http.ResponseWriter, r *http.Request) error {
	var rc *qa.ComplaintReceipt
	err := s.byCode(r, func() (err error) {
		rc, err = s.qa.TrackComplaint(r.Context(), r.PathValue("code"))
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.Render(w, r, http.StatusOK, "qa_ctrack", &complaintTrackData{Page: s.NewPage(r, "举报投诉办理进度"), Receipt: rc, New: r.URL.Query().Get("done") == "new"})
	return nil
}

type complaintsData struct {
	web.Page
	Title      string
	Complaints []*qa.Complaint
}

func (s *handlers) communityComplaints(w http.ResponseWriter, r *http.Request) error {
	c := web.State(r).Community
	list, err := s.qa.CommunityComplaints(r.Context(), web.Actor(r), c.ID)
	if err != nil {
		return err
	}
	title := c.Name + "的举报投诉"
	s.Render(w, r, http.StatusOK, "qa_complaints", &complaintsData{Page: s.NewPage(r, title), Title: title, Complaints: list})
	return nil
}

func (s *handlers) streetComplaints(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r).Street
	list, err := s.qa.StreetComplaints(r.Context(), web.Actor(r), st.ID)
	if err != nil {
		return err
	}
	title := st.Name + "收到的举报投诉"
	s.Render(w, r, http.StatusOK, "qa_complaints", &complaintsData{Page: s.NewPage(r, title), Title: title, Complaints: list})
	return nil
}

type complaintData struct {
	web.Page
	Complaint *qa.Complaint
	CanTake   bool
	CanClose  bool
	Outcomes  []qaOption
	Form      *web.Form
}

type qaOption struct{ Value, Label string }

func (s *handlers) complaintPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaint(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderComplaint(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a := web.Actor(r)
	c, err := s.qa.Complaint(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := &complaintData{Page: s.NewPage(r, fmt.Sprintf("举报投诉 第 %d 号", id)), Complaint: c, Form: f,
		CanTake:  c.HandlerID == 0 && a.OfficerOf(c.StreetID),
		CanClose: c.HandlerID == a.UserID && c.Status != qa.ComplaintConcluded}
	for _, o := range qa.ComplaintOutcomes {
		d.Outcomes = append(d.Outcomes, qaOption{o, qa.ComplaintOutcomeLabel(o)})
	}
	s.Render(w, r, status, "qa_complaint", d)
	return nil
}

func (s *handlers) takeComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.qa.TakeComplaint(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/complaints/%d?done=saved", id), http.StatusSeeOther)
	return nil
}

func (s *handlers) concludeComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := web.NewForm(r, "outcome", "conclusion")
	err = s.qa.ConcludeComplaint(r.Context(), web.Actor(r), id, f.Values["outcome"], f.Values["conclusion"])
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderComplaint(w, r, status, f) },
		func() string { return fmt.Sprintf("/complaints/%d?done=saved", id) })
}
