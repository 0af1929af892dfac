package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/zh"
)

// qaFixture is the qa data of the fixture: in community A an item, an
// item referred to A's street, and complaints, one of them taken by
// officerA.
type qaFixture struct {
	item, referred     int64
	code               string
	complaint, fresh   int64
	complaintCode      string
	complaintBody      string
	complainant        string
	complainantContact string
	calendarRow        int64 // a row the district admin added
}

func (f *fixture) actorOf(name string) *mingbai.Actor {
	a, err := f.auth.Actor(context.Background(), f.users[name])
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) seedQA() {
	t, ctx := f.t, context.Background()
	anon := &mingbai.Actor{}
	rc, err := f.qa.Submit(ctx, anon, f.demo.Suojin4, qa.Submission{Category: "设施维修", Body: "12幢楼道灯坏了，请尽快修理。", Nickname: "王大妈", IP: "192.0.2.1", Photos: [][]byte{qa.SampleJPEG()}})
	if err != nil {
		t.Fatal(err)
	}
	f.qaf.item, f.qaf.code = rc.ID, rc.Code
	rc, err = f.qa.Submit(ctx, anon, f.demo.Suojin4, qa.Submission{Category: "社区服务", Body: "建议街道统一建设充电桩。", IP: "192.0.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	f.qaf.referred = rc.ID
	if err := f.qa.Reply(ctx, f.actorOf("cadreA"), f.demo.Suojin4, rc.ID, qa.Answer{Body: "转街道统筹", Outcome: qa.ReferredTo, ReferTo: f.demo.Suojincun}); err != nil {
		t.Fatal(err)
	}
	f.qaf.complaintBody = "居委会主任把慰问金发给了自己的亲戚"
	f.qaf.complainant = "举报人甲乙"
	f.qaf.complainantContact = "13700001234"
	crc, err := f.qa.Complain(ctx, anon, f.demo.Suojin4, qa.ComplaintSubmission{Category: "优亲厚友", Body: f.qaf.complaintBody, Name: f.qaf.complainant, Contact: f.qaf.complainantContact, IP: "192.0.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	f.qaf.complaint, f.qaf.complaintCode = crc.ID, crc.Code
	if err := f.qa.TakeComplaint(ctx, f.actorOf("officerA"), crc.ID); err != nil {
		t.Fatal(err)
	}
	crc, err = f.qa.Complain(ctx, anon, f.demo.Suojin4, qa.ComplaintSubmission{Category: "工作作风", Body: "工作人员上班时间经常不在岗位上", Anonymous: true, IP: "192.0.2.4"})
	if err != nil {
		t.Fatal(err)
	}
	f.qaf.fresh = crc.ID
	admin := f.actorOf("admin")
	if err := f.qa.AddCalendarRows(ctx, admin, f.demo.District, []zh.Day{{Date: time.Date(2031, 1, 1, 0, 0, 0, 0, mingbai.Shanghai), Kind: zh.Holiday, Name: "元旦"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.qa.CalendarRows(ctx, admin, f.demo.District)
	if err != nil || len(rows) != 1 {
		t.Fatalf("calendar rows %v, %v", rows, err)
	}
	f.qaf.calendarRow = rows[0].ID
}

var (
	onlyOfficerA     = []string{"officerA"}
	complaintReaders = []string{"officerA", "supervisorA"}
)

func qaMatrix(f *fixture) map[string]matrixCase {
	q := f.qaf
	item := "/c/suojin-4/qa/items/" + id(q.item)
	district := "/admin/districts/" + id(f.demo.District)
	return map[string]matrixCase{
		"GET /c/{community}/qa":                         {"GET", "/c/suojin-4/qa?q=楼道", nil, everyone},
		"GET /c/{community}/qa/new":                     {"GET", "/c/suojin-4/qa/new", nil, everyone},
		"POST /c/{community}/qa":                        {"POST", "/c/suojin-4/qa", nil, everyone},
		"GET /c/{community}/qa/items/{item}":            {"GET", item, nil, everyone},
		"GET /c/{community}/qa/stats":                   {"GET", "/c/suojin-4/qa/stats", nil, everyone},
		"GET /s/{street}/qa/stats":                      {"GET", "/s/suojincun/qa/stats", nil, everyone},
		"GET /qa/stats":                                 {"GET", "/qa/stats", nil, everyone},
		"GET /c/{community}/qa/feed.atom":               {"GET", "/c/suojin-4/qa/feed.atom", nil, everyone},
		"GET /c/{community}/qa/export.csv":              {"GET", "/c/suojin-4/qa/export.csv", nil, everyone},
		"GET /qa/track":                                 {"GET", "/qa/track", nil, everyone},
		"GET /qa/t/{code}":                              {"GET", "/qa/t/" + q.code, nil, everyone},
		"POST /qa/t/{code}/confirm":                     {"POST", "/qa/t/" + q.code + "/confirm", nil, everyone},
		"POST /qa/t/{code}/reopen":                      {"POST", "/qa/t/" + q.code + "/reopen", nil, everyone},
		"GET /qa/t/{code}/photos/{n}":                   {"GET", "/qa/t/" + q.code + "/photos/1", nil, everyone},
		"GET /c/{community}/qa/inbox":                   {"GET", "/c/suojin-4/qa/inbox", nil, onlyCadre},
		"GET /c/{community}/qa/record":                  {"GET", "/c/suojin-4/qa/record", nil, onlyCadre},
		"POST /c/{community}/qa/record":                 {"POST", "/c/suojin-4/qa/record", nil, onlyCadre},
		"POST /c/{community}/qa/items/{item}/{action}":  {"POST", item + "/ack", nil, onlyCadre},
		"GET /c/{community}/qa/items/{item}/photos/{n}": {"GET", item + "/photos/1", nil, onlyCadre},
		"GET /c/{community}/qa/templates":               {"GET", "/c/suojin-4/qa/templates", nil, onlyCadre},
		"POST /c/{community}/qa/templates":              {"POST", "/c/suojin-4/qa/templates", nil, onlyCadre},
		"GET /qa/referred":                              {"GET", "/qa/referred", nil, accounts},
		"GET /qa/referred/{item}":                       {"GET", "/qa/referred/" + id(q.referred), nil, onlyOfficerA},
		"POST /qa/referred/{item}":                      {"POST", "/qa/referred/" + id(q.referred), nil, onlyOfficerA},
		"GET /s/{street}/qa/overdue":                    {"GET", "/s/suojincun/qa/overdue", nil, onlyOfficerA},
		"GET /c/{community}/complaints/new":             {"GET", "/c/suojin-4/complaints/new", nil, everyone},
		"POST /c/{community}/complaints":                {"POST", "/c/suojin-4/complaints", nil, everyone},
		"GET /complaints/t/{code}":                      {"GET", "/complaints/t/" + q.complaintCode, nil, everyone},
		"GET /c/{community}/complaints":                 {"GET", "/c/suojin-4/complaints", nil, []string{"supervisorA"}},
		"GET /s/{street}/complaints":                    {"GET", "/s/suojincun/complaints", nil, onlyOfficerA},
		"GET /complaints/{id}":                          {"GET", "/complaints/" + id(q.complaint), nil, complaintReaders},
		"POST /complaints/{id}/take":                    {"POST", "/complaints/" + id(q.fresh) + "/take", nil, onlyOfficerA},
		"POST /complaints/{id}/conclude":                {"POST", "/complaints/" + id(q.complaint) + "/conclude", nil, onlyOfficerA},
		"GET /inbox":                                    {"GET", "/inbox", nil, accounts},
		"GET /qa/mine":                                  {"GET", "/qa/mine", nil, accounts},
		"POST /inbox/read":                              {"POST", "/inbox/read", nil, accounts},
		"POST /inbox/mail":                              {"POST", "/inbox/mail", nil, accounts},
		// The district admin's settings; the form of a POST is valid, so
		// an allowed call changes something and a denied one must not.
		"GET /admin/districts/{unit}/calendar": {"GET", district + "/calendar", nil, onlyAdmin},
		"POST /admin/districts/{unit}/calendar": {"POST", district + "/calendar", func(*fixture) url.Values {
			return url.Values{"date": {"2030-01-01"}, "kind": {"holiday"}, "name": {"元旦"}}
		}, onlyAdmin},
		"POST /admin/districts/{unit}/calendar/{row}/remove": {"POST", district + "/calendar/" + id(q.calendarRow) + "/remove", nil, onlyAdmin},
		"GET /admin/districts/{unit}/qa-rules":               {"GET", district + "/qa-rules", nil, onlyAdmin},
		"POST /admin/districts/{unit}/qa-rules": {"POST", district + "/qa-rules", func(*fixture) url.Values {
			return url.Values{"ack_workdays": {"1"}, "reply_workdays": {"8"}, "max_extension_workdays": {"7"}, "reopen_days": {"15"}, "ip_per_hour": {"10"}, "account_per_day": {"20"}}
		}, onlyAdmin},
	}
}

// TestComplaintsNeverReachCadres walks every GET route of the matrix, the
// search, the feed and the export as the cadre of the complained-about
// community and as the cadre of the other community, and checks that no
// response carries the complaint's text or the complainant's identity.
// The supervisor sees the text but not the identity; the handling officer
// sees both.
func TestComplaintsNeverReachCadres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		q := f.qaf
		secrets := []string{q.complaintBody, q.complainant, q.complainantContact}
		paths := []string{"/c/suojin-4/qa?q=慰问金", "/c/suojin-4/qa?q=亲戚", "/c/suojin-4/qa/feed.atom", "/c/suojin-4/qa/export.csv",
			"/complaints/" + id(q.complaint), "/complaints/" + id(q.fresh), "/c/suojin-4/complaints", "/s/suojincun/complaints",
			"/inbox", "/api/v1/communities"}
		for _, c := range matrix(f) {
			if c.method == "GET" {
				paths = append(paths, c.path)
			}
		}
		for _, who := range []string{"cadreA", "cadreB", "anonymous", "resident"} {
			cl := f.loggedIn(who)
			for _, p := range paths {
				resp := cl.get(p)
				b := body(t, resp)
				for _, s := range secrets {
					if strings.Contains(b, s) {
						t.Errorf("%s GET %s (%d) shows %q", who, p, resp.StatusCode, s)
					}
				}
				if strings.HasPrefix(p, "/complaints/") && !strings.HasPrefix(p, "/complaints/t/") && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusSeeOther {
					t.Errorf("%s GET %s: status %d, want 403", who, p, resp.StatusCode)
				}
			}
		}
		sup := body(t, f.loggedIn("supervisorA").get("/complaints/"+id(q.complaint)))
		if !strings.Contains(sup, q.complaintBody) || strings.Contains(sup, q.complainant) || strings.Contains(sup, q.complainantContact) {
			t.Error("supervisor should see the complaint's text and not the complainant")
		}
		off := body(t, f.loggedIn("officerA").get("/complaints/"+id(q.complaint)))
		if !strings.Contains(off, q.complainant) || !strings.Contains(off, q.complainantContact) {
			t.Error("the handling officer does not see the complainant")
		}
	})
}

// TestAskAnswerFollow is the resident's and cadre's round trip over HTTP:
// ask without an account (honeypot, size and photo checks), follow by code,
// the cadre answers, the resident confirms; masking on public pages.
func TestAskAnswerFollow(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	anon := f.client()
	resp := anon.post("/c/suojin-4/qa", url.Values{"category": {"环境卫生"}, "body": {"绿化带里垃圾很多，联系我13812345678"}, "nickname": {"李秀兰"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/qa/t/") {
		t.Fatalf("submit: %d %s", resp.StatusCode, body(t, resp))
	}
	loc := resp.Header.Get("Location")
	code := strings.TrimSuffix(strings.TrimPrefix(loc, "/qa/t/"), "?done=new")
	page := body(t, anon.get(loc))
	if !strings.Contains(page, qa.FormatCode(code)) || !strings.Contains(page, "138****5678") || strings.Contains(page, "13812345678") {
		t.Fatalf("tracking page lacks code or shows the phone:\n%s", page)
	}
	for _, bad := range []url.Values{
		{"category": {"环境卫生"}, "body": {"正常内容正常内容"}, "website": {"spam"}},
		{"category": {"环境卫生"}, "body": {strings.Repeat("字", qa.MaxBody+1)}},
		{"category": {"不存在"}, "body": {"正常内容正常内容"}},
	} {
		resp := anon.post("/c/suojin-4/qa", bad)
		b := body(t, resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "alert") {
			t.Errorf("bad submission %v: %d", bad, resp.StatusCode)
		}
	}
	cadre := f.loggedIn("cadreA")
	inbox := body(t, cadre.get("/c/suojin-4/qa/inbox"))
	if !strings.Contains(inbox, "绿化带") {
		t.Fatal("cadre inbox lacks the new question")
	}
	v, err := f.qa.ByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	itemPath := "/c/suojin-4/qa/items/" + id(v.Item.ID)
	resp = cadre.post(itemPath+"/reply", url.Values{"body": {"已安排保洁清理。"}, "outcome": {"adopted"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", resp.StatusCode, body(t, resp))
	}
	pub := body(t, f.client().get(itemPath))
	if !strings.Contains(pub, "已安排保洁清理") || !strings.Contains(pub, "李**") || strings.Contains(pub, "李秀兰") || !strings.Contains(pub, "/log/leaves/") {
		t.Errorf("public item page: reply, masked name and verify link expected:\n%s", pub)
	}
	resp = anon.post("/qa/t/"+code+"/confirm", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if !strings.Contains(body(t, anon.get("/qa/t/"+code)), "居民已确认") {
		t.Error("confirmed status not shown")
	}
	feed := body(t, anon.get("/c/suojin-4/qa/feed.atom"))
	if !strings.Contains(feed, "<feed") || !strings.Contains(feed, "已安排保洁清理") || strings.Contains(feed, "13812345678") {
		t.Errorf("feed:\n%s", feed)
	}
	stats := body(t, anon.get("/c/suojin-4/qa/stats"))
	if !strings.Contains(stats, "<svg") || !strings.Contains(stats, "采纳") {
		t.Error("stats page lacks its chart")
	}
}

// TestInvisibleCharactersComeBackRemoved: a question pasted with a
// right-to-left override (it makes the text display reversed) is refused,
// and the form comes back with the text as it will be stored and a message
// that says so: the resident cannot see the character to delete it.
// Sending it again as shown is accepted, and nothing was stored before.
func TestInvisibleCharactersComeBackRemoved(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	anon := f.client()
	count := func() (n int) {
		f.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM qa_items").Scan(&n)
		return n
	}
	before := count()
	resp := anon.post("/c/suojin-4/qa", url.Values{"category": {"设施维修"}, "body": {"12幢楼道灯坏了\u202e已经一周"}})
	page := body(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "看不见的特殊字符") {
		t.Fatalf("status %d, want 400 with the message about invisible characters", resp.StatusCode)
	}
	if !strings.Contains(page, ">12幢楼道灯坏了已经一周</textarea>") || strings.Contains(page, "\u202e") {
		t.Error("the form does not show the text with the override removed")
	}
	if count() != before {
		t.Fatal("the refused question was stored")
	}
	resp = anon.post("/c/suojin-4/qa", url.Values{"category": {"设施维修"}, "body": {"12幢楼道灯坏了已经一周"}})
	body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || count() != before+1 {
		t.Errorf("sending the shown text again: %d, %d questions", resp.StatusCode, count()-before)
	}
}

// TestStatsPeriodReadsRight: the statistics say the days they cover, the
// last one included, not "…至次年1月1日前".
func TestStatsPeriodReadsRight(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	page := body(t, f.client().get("/c/suojin-4/qa/stats?period=2025"))
	if !strings.Contains(page, "2025年1月1日至2025年12月31日，共收到") {
		t.Errorf("the 2025 statistics do not say 2025年1月1日至2025年12月31日:\n%s", page[strings.Index(page, "<main"):][:600])
	}
	if strings.Contains(page, "前，共收到") {
		t.Error("the statistics still read 至…前")
	}
}
