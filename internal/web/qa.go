package web

import (
	"encoding/csv"
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
	"mingbai/internal/org"
	"mingbai/internal/qa"
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
	"qa_templates":  {"qa/templates.html", "partials/fields.html"},
	"qa_complain":   {"qa/complain.html", "partials/fields.html"},
	"qa_complaints": {"qa/complaints.html"},
	"qa_complaint":  {"qa/complaint.html", "partials/fields.html"},
	"qa_ctrack":     {"qa/ctrack.html"},
	"qa_inbox_user": {"qa/notifications.html", "partials/fields.html"},
	"qa_calendar":   {"qa/calendar.html", "partials/fields.html"},
	"qa_rules":      {"qa/rules.html", "partials/fields.html"},
}

var (
	// officerOfStreet: an officer of the {street} in the path.
	officerOfStreet = policy{"officer of the street", func(a *mingbai.Actor, st *requestState) bool {
		return st.street != nil && a.OfficerOf(st.street.ID)
	}}
)

func (s *Server) registerQARoutes() {
	// Public: the board, asking, following by tracking code, statistics,
	// feed and export.
	s.handle("GET /c/{community}/qa", public, s.qaBoard)
	s.handle("GET /c/{community}/qa/new", public, s.qaNewPage)
	s.handleGated("POST /c/{community}/qa", public, maxQABody, s.qaSubmitGate, s.qaSubmit)
	s.handle("GET /c/{community}/qa/items/{item}", public, s.qaItemPage)
	s.handle("GET /c/{community}/qa/stats", public, s.qaCommunityStats)
	s.handle("GET /s/{street}/qa/stats", public, s.qaStreetStats)
	s.handle("GET /qa/stats", public, s.qaDistrictStats)
	s.handle("GET /c/{community}/qa/feed.atom", public, s.qaFeed)
	s.handle("GET /c/{community}/qa/export.csv", public, s.qaExport)
	s.handle("GET /qa/track", public, s.qaTrackForm)
	s.handle("GET /qa/t/{code}", public, s.qaTrackPage)
	s.handle("POST /qa/t/{code}/confirm", public, s.qaConfirm)
	s.handle("POST /qa/t/{code}/reopen", public, s.qaReopen)
	s.handle("GET /qa/t/{code}/photos/{n}", public, s.qaTrackPhoto)

	// A community's cadres.
	s.handle("GET /c/{community}/qa/inbox", cadreOfCommunity, s.qaInbox)
	s.handle("GET /c/{community}/qa/record", cadreOfCommunity, s.qaRecordPage)
	s.handleUpload("POST /c/{community}/qa/record", cadreOfCommunity, maxQABody, s.qaRecord)
	s.handle("POST /c/{community}/qa/items/{item}/{action}", cadreOfCommunity, s.qaAction)
	s.handle("GET /c/{community}/qa/items/{item}/photos/{n}", cadreOfCommunity, s.qaCadrePhoto)
	s.handle("GET /c/{community}/qa/templates", cadreOfCommunity, s.qaTemplatesPage)
	s.handle("POST /c/{community}/qa/templates", cadreOfCommunity, s.qaAddTemplate)

	// The street and departments: referrals and the overdue list.
	s.handle("GET /qa/referred", loggedIn, s.qaReferrals)
	s.handle("GET /qa/referred/{item}", loggedIn, s.qaReferralPage)
	s.handle("POST /qa/referred/{item}", loggedIn, s.qaRefereeReply)
	s.handle("GET /s/{street}/qa/overdue", officerOfStreet, s.qaOverdue)

	// Complaints: to the supervision committee and the street only.
	s.handle("GET /c/{community}/complaints/new", public, s.complainPage)
	s.handle("POST /c/{community}/complaints", public, s.complain)
	s.handle("GET /complaints/t/{code}", public, s.complaintTrack)
	s.handle("GET /c/{community}/complaints", supervisorOfCommunity, s.communityComplaints)
	s.handle("GET /s/{street}/complaints", officerOfStreet, s.streetComplaints)
	s.handle("GET /complaints/{id}", loggedIn, s.complaintPage)
	s.handle("POST /complaints/{id}/take", loggedIn, s.takeComplaint)
	s.handle("POST /complaints/{id}/conclude", loggedIn, s.concludeComplaint)

	// Notifications of an account.
	s.handle("GET /inbox", loggedIn, s.notificationsPage)
	s.handle("POST /inbox/read", loggedIn, s.markRead)
	s.handle("POST /inbox/mail", loggedIn, s.setMailPrefs)

	// A district admin's settings: the working-day calendar and the rules.
	s.handle("GET /admin/districts/{unit}/calendar", districtAdmin, s.qaCalendarPage)
	s.handle("POST /admin/districts/{unit}/calendar", districtAdmin, s.qaAddCalendar)
	s.handle("POST /admin/districts/{unit}/calendar/{row}/remove", districtAdmin, s.qaRemoveCalendar)
	s.handle("GET /admin/districts/{unit}/qa-rules", districtAdmin, s.qaRulesPage)
	s.handle("POST /admin/districts/{unit}/qa-rules", districtAdmin, s.qaSetRules)
}

func emptyForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

// ---- the public board ----

type qaBoardData struct {
	page
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

func (s *Server) qaBoard(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	q := r.URL.Query()
	f := qa.Filter{Status: qa.Status(q.Get("status")), Category: q.Get("category"), Query: q.Get("q")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	var err error
	if f.From, f.To, err = periodRange(q.Get("period")); err != nil {
		return err
	}
	list, err := s.qa.List(r.Context(), st.community.ID, f)
	if err != nil {
		return err
	}
	d := &qaBoardData{page: s.newPage(r, "提问栏 · "+st.community.Name), Community: st.community, Street: st.street, List: list, Filter: f,
		Period: q.Get("period"), Query: q.Get("q"), Categories: qa.Categories, Statuses: qa.Statuses, Now: s.now(),
		CanManage: actor(r).Has(mingbai.RoleCadre, st.community.ID), Rows: qaRows{st.community.Slug, list.Items, s.now()}}
	for n := 1; n <= list.Pages && list.Pages > 1; n++ {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		d.PageLinks = append(d.PageLinks, qaPageLink{N: n, URL: "?" + v.Encode(), Current: n == list.Page})
	}
	s.render(w, r, http.StatusOK, "qa_board", d)
	return nil
}

// ---- asking ----

type qaNewData struct {
	page
	Community  *org.Unit
	Form       *form
	Categories []string
	Channels   []qa.Channel
	Record     bool // a cadre records for a resident
	Action     string
	MaxBody    int
	MaxPhotos  int
}

func (s *Server) renderQANew(w http.ResponseWriter, r *http.Request, status int, f *form, record bool) {
	st := state(r)
	keepPrivate(w)
	title, action := "我要提问 · "+st.community.Name, "/c/"+st.community.Slug+"/qa"
	if record {
		title, action = "代居民登记 · "+st.community.Name, "/c/"+st.community.Slug+"/qa/record"
	}
	s.render(w, r, status, "qa_new", &qaNewData{page: s.newPage(r, title), Community: st.community, Form: f,
		Categories: qa.Categories, Channels: qa.Channels, Record: record, Action: action, MaxBody: qa.MaxBody, MaxPhotos: qa.MaxPhotos})
}

// submitForm is an empty form to submit something: it carries a new
// submission key, so that sending it again returns the first receipt.
func submitForm() *form {
	f := emptyForm()
	f.Values["submit_key"] = qa.NewSubmitKey()
	return f
}

// keepPrivate keeps a page with a submission key out of every cache: two
// residents sent the same copy would share a key, and the second would be
// answered with the first one's tracking code.
func keepPrivate(w http.ResponseWriter) { w.Header().Set("Cache-Control", "private, no-store") }

func (s *Server) qaNewPage(w http.ResponseWriter, r *http.Request) error {
	f := submitForm()
	f.Values["kind"] = string(qa.Question)
	s.renderQANew(w, r, http.StatusOK, f, false)
	return nil
}

func (s *Server) qaRecordPage(w http.ResponseWriter, r *http.Request) error {
	f := submitForm()
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
func (s *Server) qaSubmitGate(w http.ResponseWriter, r *http.Request) error {
	err := s.qa.CheckThrottle(r.Context(), actor(r), state(r).community.ID, clientIP(r))
	if mingbai.ErrorCode(err) == mingbai.ETOOMANY {
		w.Header().Set("Retry-After", "3600")
	}
	return err
}

func (s *Server) qaSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.submitItem(w, r, false)
}
func (s *Server) qaRecord(w http.ResponseWriter, r *http.Request) error {
	return s.submitItem(w, r, true)
}

func (s *Server) submitItem(w http.ResponseWriter, r *http.Request, record bool) error {
	st := state(r)
	f := newForm(r, "kind", "category", "body", "nickname", "contact", "channel", "submit_key")
	photos, err := readPhotos(r)
	if err == nil {
		sub := qa.Submission{Kind: qa.Kind(f.Values["kind"]), Category: f.Values["category"], Body: r.PostFormValue("body"),
			Nickname: f.Values["nickname"], Contact: f.Values["contact"], Photos: photos, IP: clientIP(r), Honeypot: r.PostFormValue("website"),
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
			rc, err = s.qa.Submit(r.Context(), actor(r), st.community.ID, sub)
			if err == nil {
				if record {
					http.Redirect(w, r, fmt.Sprintf("/c/%s/qa/items/%d?done=recorded&code=%s", st.community.Slug, rc.ID, rc.Code), http.StatusSeeOther)
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
	f.fail(err)
	if code == mingbai.ETOOMANY {
		w.Header().Set("Retry-After", "3600")
	}
	if errors.Is(err, qa.ErrFormUsed) || !qa.ValidSubmitKey(f.Values["submit_key"]) {
		f.Values["submit_key"] = qa.NewSubmitKey()
	}
	s.renderQANew(w, r, statusOf(code), f, record)
	return nil
}

// ---- one item ----

type qaItemData struct {
	page
	Community  *org.Unit
	View       *qa.View
	Now        time.Time
	Cadre      bool // a cadre of the community: actions and contact
	Referee    bool // staff of the unit it was referred to
	Tracker    bool // the holder of the tracking code
	New        bool
	Code       string
	Form       *form
	Templates  []qa.Template
	Targets    []qa.Unit
	Outcomes   []qa.Outcome
	MaxExtend  int
	CanReopen  bool
	ReopenDays int
	LogURL     bool
}

func (s *Server) qaItemPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	return s.renderItem(w, r, http.StatusOK, st.community.ID, id, emptyForm())
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, status int, communityID, id int64, f *form) error {
	st := state(r)
	a := actor(r)
	ctx := r.Context()
	d := &qaItemData{Community: st.community, Now: s.now(), Form: f, Outcomes: qa.Outcomes, LogURL: s.log != nil}
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
		rules, err := s.qa.Rules(ctx, st.community.DistrictID)
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
	d.page = s.newPage(r, fmt.Sprintf("第 %d 号%s · %s", id, d.View.Item.Kind.Label(), st.community.Name))
	s.render(w, r, status, "qa_item", d)
	return nil
}

func (s *Server) qaAction(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	ctx, a, c := r.Context(), actor(r), st.community.ID
	f := newForm(r, "body", "outcome", "reason", "refer_to", "workdays", "into")
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
		return errNotFound
	}
	if formError(err) {
		f.fail(err)
		return s.renderItem(w, r, statusOf(mingbai.ErrorCode(err)), c, id, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/qa/items/%d?done=saved", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) servePhoto(w http.ResponseWriter, p *qa.Photo) {
	w.Header().Set("Content-Type", p.MIME)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Disposition", "inline")
	w.Write(p.Data)
}

func (s *Server) qaCadrePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	p, err := s.qa.PhotoForCadre(r.Context(), actor(r), state(r).community.ID, id, n)
	if err != nil {
		return err
	}
	s.servePhoto(w, p)
	return nil
}

// ---- following by tracking code ----

type qaTrackData struct {
	page
	Form *form
}

// byCode runs lookup, which finds something by a tracking code, under the
// limit on codes that match nothing (see qa.MaxCodeMisses): an address
// over it is refused before the lookup, and a miss is counted after it.
func (s *Server) byCode(r *http.Request, lookup func() error) error {
	ctx, ip := r.Context(), clientIP(r)
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

func (s *Server) qaTrackForm(w http.ResponseWriter, r *http.Request) error {
	if c := r.URL.Query().Get("code"); c != "" {
		if err := s.qa.CheckCodeLookup(r.Context(), clientIP(r)); err != nil {
			return err
		}
		if code := qa.NormalizeCode(c); code != "" {
			http.Redirect(w, r, "/qa/t/"+code, http.StatusSeeOther)
			return nil
		}
		f := emptyForm()
		f.Values["code"] = c
		f.fail(mingbai.FieldError("code", "查询码是 10 位字母和数字，例如 7KX2M-9QH4D，请核对"))
		s.render(w, r, http.StatusBadRequest, "qa_track", &qaTrackData{page: s.newPage(r, "查询办理进度"), Form: f})
		return nil
	}
	s.render(w, r, http.StatusOK, "qa_track", &qaTrackData{page: s.newPage(r, "查询办理进度"), Form: emptyForm()})
	return nil
}

func (s *Server) qaTrackPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTrack(w, r, http.StatusOK, emptyForm())
}

func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, status int, f *form) error {
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
	d.CanReopen = it.Status == qa.Replied && !it.Reopened && it.RepliedAt != nil && s.now().Before(it.RepliedAt.AddDate(0, 0, rules.ReopenDays))
	d.page = s.newPage(r, "办理进度 · 查询码 "+qa.FormatCode(it.Code))
	switch r.URL.Query().Get("done") {
	case "confirmed":
		d.Notice = "谢谢您的确认。"
	case "reopened":
		d.Notice = "已重新提出，社区将重新研究并在期限内回音。"
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, status, "qa_item", d)
	return nil
}

func (s *Server) qaConfirm(w http.ResponseWriter, r *http.Request) error {
	code := qa.NormalizeCode(r.PathValue("code"))
	if err := s.byCode(r, func() error { return s.qa.Confirm(r.Context(), code) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/qa/t/"+code+"?done=confirmed", http.StatusSeeOther)
	return nil
}

func (s *Server) qaReopen(w http.ResponseWriter, r *http.Request) error {
	code := qa.NormalizeCode(r.PathValue("code"))
	f := newForm(r, "reason")
	err := s.byCode(r, func() error { return s.qa.Reopen(r.Context(), code, f.Values["reason"]) })
	if formError(err) {
		f.fail(err)
		return s.renderTrack(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/qa/t/"+code+"?done=reopened", http.StatusSeeOther)
	return nil
}

func (s *Server) qaTrackPhoto(w http.ResponseWriter, r *http.Request) error {
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
	page
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
func (s *Server) statsPeriod(r *http.Request) (from, to time.Time, label string, err error) {
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

func (s *Server) renderStats(w http.ResponseWriter, r *http.Request, sc qa.Scope, name, kind, back string) error {
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
	d := &qaStatsData{page: s.newPage(r, "回音统计 · "+name), Scope: name, Kind: kind, Back: back, Stats: st, Complaints: cs, Period: label,
		Chart: monthChart(st.Months), Outcomes: outcomeChart(st.Counts)}
	for _, c := range st.Communities {
		d.Links = append(d.Links, qaScopeLink{c.Name, "/c/" + c.Slug + "/qa/stats"})
	}
	s.render(w, r, http.StatusOK, "qa_stats", d)
	return nil
}

func (s *Server) qaCommunityStats(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	return s.renderStats(w, r, qa.Scope{Community: c.ID}, c.Name, "社区", "/c/"+c.Slug+"/qa")
}

func (s *Server) qaStreetStats(w http.ResponseWriter, r *http.Request) error {
	st := state(r).street
	return s.renderStats(w, r, qa.Scope{Street: st.ID}, st.Name, "街道", "/s/"+st.Slug)
}

func (s *Server) qaDistrictStats(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.org.Districts(r.Context())
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return errNotFound
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
			return errNotFound
		}
	}
	return s.renderStats(w, r, qa.Scope{District: d.ID}, d.Name, "区", "/")
}

// monthChart draws received and replied items per month as grouped bars.
// Each bar carries its number as text, so nothing depends on colour.
func monthChart(months []qa.MonthCounts) template.HTML {
	const h, top, bottom, barW, gap = 220, 24, 40, 18, 14
	max := 1
	for _, m := range months {
		if m.Received > max {
			max = m.Received
		}
	}
	w := len(months)*(2*barW+gap) + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title"><title id="chart-title">每月收到与已回音条数</title>`, w, h)
	plot := float64(h - top - bottom)
	for i, m := range months {
		x := 20 + i*(2*barW+gap)
		for j, v := range []int{m.Received, m.Replied} {
			bh := int(plot * float64(v) / float64(max))
			y := h - bottom - bh
			cls := "bar-received"
			if j == 1 {
				cls = "bar-replied"
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d"></rect>`, cls, x+j*barW, y, barW-2, bh)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11">%d</text>`, x+j*barW+barW/2-1, y-4, v)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12">%d月</text>`, x+barW, h-bottom+16, int(m.Month.Month()))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="10">收 回</text>`, x+barW, h-bottom+30)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// outcomeChart draws the outcomes as labelled horizontal bars.
func outcomeChart(c qa.Counts) template.HTML {
	rows := []struct {
		label string
		n     int
	}{{"采纳", c.Adopted}, {"部分采纳", c.Partly}, {"不采纳", c.NotAdopted}, {"办理中", c.Received - c.Replied}}
	max := 1
	for _, r := range rows {
		if r.n > max {
			max = r.n
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 360 %d" role="img" aria-labelledby="outcome-title"><title id="outcome-title">办理结果</title>`, len(rows)*30+10)
	for i, r := range rows {
		y := 10 + i*30
		wd := 200 * r.n / max
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13">%s</text><rect class="bar-outcome" x="80" y="%d" width="%d" height="20"></rect><text x="%d" y="%d" font-size="13">%d</text>`,
			y+15, r.label, y, wd, 86+wd, y+15, r.n)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
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

func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) qaFeed(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	entries, err := s.qa.RecentReplies(r.Context(), c.ID, 50)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
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
func (s *Server) qaExport(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	items, err := s.qa.Export(r.Context(), c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="qa-%s.csv"`, c.Slug))
	w.Write([]byte("\xef\xbb\xbf")) // BOM, so spreadsheet programs read UTF-8
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "kind", "category", "channel", "status", "received_at", "reply_due", "due_provisional", "extended", "replied_at", "outcome", "referred", "reopened", "hidden", "merged_into", "name", "text"})
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, it := range items {
		cw.Write(csvRow([]string{strconv.FormatInt(it.ID, 10), string(it.Kind), it.Category, string(it.Channel), string(it.Status),
			it.ReceivedAt.UTC().Format(time.RFC3339), it.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly), strconv.FormatBool(it.DueProvisional),
			strconv.FormatBool(it.Extended), ts(it.RepliedAt), string(it.Outcome), strconv.FormatBool(it.ReferredTo != 0), strconv.FormatBool(it.Reopened),
			strconv.FormatBool(it.Hidden), strconv.FormatInt(it.MergedInto, 10), it.PublicName(), it.PublicBody()}))
	}
	cw.Flush()
	return cw.Error()
}

// ---- cadres ----

type qaListData struct {
	page
	Community *org.Unit
	Street    *org.Unit
	Items     []*qa.Item
	Overdue   []qa.OverdueItem
	Now       time.Time
}

func (s *Server) qaInbox(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	items, err := s.qa.Inbox(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "qa_inbox", &qaListData{page: s.newPage(r, "待办回音 · "+c.Name), Community: c, Items: items, Now: s.now()})
	return nil
}

func (s *Server) qaOverdue(w http.ResponseWriter, r *http.Request) error {
	st := state(r).street
	items, err := s.qa.StreetOverdue(r.Context(), actor(r), st.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "qa_overdue", &qaListData{page: s.newPage(r, "超期未回音 · "+st.Name), Street: st, Overdue: items, Now: s.now()})
	return nil
}

func (s *Server) qaReferrals(w http.ResponseWriter, r *http.Request) error {
	items, err := s.qa.Referrals(r.Context(), actor(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "qa_referred", &qaListData{page: s.newPage(r, "转办给我单位的事项"), Items: items, Now: s.now()})
	return nil
}

func (s *Server) qaReferralPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderReferral(w, r, http.StatusOK, emptyForm())
}

func (s *Server) renderReferral(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	v, err := s.qa.ForReferee(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	c, err := s.org.Unit(r.Context(), v.Item.CommunityID)
	if err != nil {
		return err
	}
	d := &qaItemData{page: s.newPage(r, fmt.Sprintf("转办事项 第 %d 号", id)), Community: c, View: v, Now: s.now(), Referee: true, Form: f,
		Outcomes: []qa.Outcome{qa.Adopted, qa.Partly, qa.NotAdopted}, LogURL: s.log != nil}
	s.render(w, r, status, "qa_item", d)
	return nil
}

func (s *Server) qaRefereeReply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	f := newForm(r, "body", "outcome", "reason")
	err = s.qa.RefereeReply(r.Context(), actor(r), id, qa.Answer{Body: r.PostFormValue("body"), Outcome: qa.Outcome(f.Values["outcome"]), Reason: f.Values["reason"]})
	if formError(err) {
		f.fail(err)
		return s.renderReferral(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/qa/referred/%d?done=saved", id), http.StatusSeeOther)
	return nil
}

type qaTemplatesData struct {
	page
	Community *org.Unit
	Templates []qa.Template
	Form      *form
}

func (s *Server) qaTemplatesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTemplates(w, r, http.StatusOK, emptyForm())
}

func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	c := state(r).community
	ts, err := s.qa.Templates(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "qa_templates", &qaTemplatesData{page: s.newPage(r, "答复模板 · "+c.Name), Community: c, Templates: ts, Form: f})
	return nil
}

func (s *Server) qaAddTemplate(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	f := newForm(r, "title", "body")
	err := s.qa.AddTemplate(r.Context(), actor(r), c.ID, f.Values["title"], f.Values["body"])
	if formError(err) {
		f.fail(err)
		return s.renderTemplates(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/c/"+c.Slug+"/qa/templates?done=saved", http.StatusSeeOther)
	return nil
}

// ---- complaints ----

type complainData struct {
	page
	Community  *org.Unit
	Form       *form
	Categories []string
}

func (s *Server) complainPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplain(w, r, http.StatusOK, submitForm())
}

func (s *Server) renderComplain(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	c := state(r).community
	keepPrivate(w)
	s.render(w, r, status, "qa_complain", &complainData{page: s.newPage(r, "举报投诉 · "+c.Name), Community: c, Form: f, Categories: qa.ComplaintCategories})
	return nil
}

func (s *Server) complain(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	f := newForm(r, "category", "body", "name", "contact", "anonymous", "submit_key")
	rc, err := s.qa.Complain(r.Context(), actor(r), c.ID, qa.ComplaintSubmission{Category: f.Values["category"], Body: r.PostFormValue("body"),
		Anonymous: f.Values["anonymous"] == "1", Name: f.Values["name"], Contact: f.Values["contact"], IP: clientIP(r), Honeypot: r.PostFormValue("website"),
		Key: f.Values["submit_key"]})
	if err != nil {
		code := mingbai.ErrorCode(err)
		if code != mingbai.EINVALID && code != mingbai.ETOOMANY && code != mingbai.ECONFLICT {
			return err
		}
		f.fail(err)
		if errors.Is(err, qa.ErrFormUsed) || !qa.ValidSubmitKey(f.Values["submit_key"]) {
			f.Values["submit_key"] = qa.NewSubmitKey()
		}
		return s.renderComplain(w, r, statusOf(code), f)
	}
	http.Redirect(w, r, "/complaints/t/"+rc.Code+"?done=new", http.StatusSeeOther)
	return nil
}

type complaintTrackData struct {
	page
	Receipt *qa.ComplaintReceipt
	New     bool
}

func (s *Server) complaintTrack(w http.ResponseWriter, r *http.Request) error {
	var rc *qa.ComplaintReceipt
	err := s.byCode(r, func() (err error) {
		rc, err = s.qa.TrackComplaint(r.Context(), r.PathValue("code"))
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "qa_ctrack", &complaintTrackData{page: s.newPage(r, "举报投诉办理进度"), Receipt: rc, New: r.URL.Query().Get("done") == "new"})
	return nil
}

type complaintsData struct {
	page
	Title      string
	Complaints []*qa.Complaint
}

func (s *Server) communityComplaints(w http.ResponseWriter, r *http.Request) error {
	c := state(r).community
	list, err := s.qa.CommunityComplaints(r.Context(), actor(r), c.ID)
	if err != nil {
		return err
	}
	title := c.Name + "的举报投诉"
	s.render(w, r, http.StatusOK, "qa_complaints", &complaintsData{page: s.newPage(r, title), Title: title, Complaints: list})
	return nil
}

func (s *Server) streetComplaints(w http.ResponseWriter, r *http.Request) error {
	st := state(r).street
	list, err := s.qa.StreetComplaints(r.Context(), actor(r), st.ID)
	if err != nil {
		return err
	}
	title := st.Name + "收到的举报投诉"
	s.render(w, r, http.StatusOK, "qa_complaints", &complaintsData{page: s.newPage(r, title), Title: title, Complaints: list})
	return nil
}

type complaintData struct {
	page
	Complaint *qa.Complaint
	CanTake   bool
	CanClose  bool
	Outcomes  []qaOption
	Form      *form
}

type qaOption struct{ Value, Label string }

func (s *Server) complaintPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaint(w, r, http.StatusOK, emptyForm())
}

func (s *Server) renderComplaint(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	c, err := s.qa.Complaint(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := &complaintData{page: s.newPage(r, fmt.Sprintf("举报投诉 第 %d 号", id)), Complaint: c, Form: f,
		CanTake:  c.HandlerID == 0 && a.OfficerOf(c.StreetID),
		CanClose: c.HandlerID == a.UserID && c.Status != qa.ComplaintConcluded}
	for _, o := range qa.ComplaintOutcomes {
		d.Outcomes = append(d.Outcomes, qaOption{o, qa.ComplaintOutcomeLabel(o)})
	}
	s.render(w, r, status, "qa_complaint", d)
	return nil
}

func (s *Server) takeComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.qa.TakeComplaint(r.Context(), actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/complaints/%d?done=saved", id), http.StatusSeeOther)
	return nil
}

func (s *Server) concludeComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r, "outcome", "conclusion")
	err = s.qa.ConcludeComplaint(r.Context(), actor(r), id, f.Values["outcome"], f.Values["conclusion"])
	if formError(err) {
		f.fail(err)
		return s.renderComplaint(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/complaints/%d?done=saved", id), http.StatusSeeOther)
	return nil
}

// ---- notifications ----

type notificationsData struct {
	page
	Notes  []qa.Notification
	Unread int
	Mail   qa.MailPrefs
	Form   *form
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderNotifications(w, r, http.StatusOK, nil)
}

func (s *Server) renderNotifications(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	a := actor(r)
	notes, unread, err := s.qa.Notifications(r.Context(), a.UserID, 100)
	if err != nil {
		return err
	}
	prefs, err := s.qa.MailPrefs(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	if f == nil {
		f = emptyForm()
		f.Values["email"], f.Values["mode"] = prefs.Email, prefs.Mode
	}
	s.render(w, r, status, "qa_inbox_user", &notificationsData{page: s.newPage(r, "我的消息"), Notes: notes, Unread: unread, Mail: prefs, Form: f})
	return nil
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.qa.MarkRead(r.Context(), actor(r).UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

func (s *Server) setMailPrefs(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email", "mode")
	err := s.qa.SetMailPrefs(r.Context(), actor(r).UserID, qa.MailPrefs{Email: f.Values["email"], Mode: f.Values["mode"]})
	if formError(err) {
		f.fail(err)
		return s.renderNotifications(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox?done=saved", http.StatusSeeOther)
	return nil
}
