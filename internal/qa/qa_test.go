package qa_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/notice"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

type env struct {
	db    *store.DB
	svc   *qa.Service
	log   *tlog.Log
	demo  *org.DemoOrg
	now   *time.Time
	cadre *mingbai.Actor
	other *mingbai.Actor // cadre of another community
	off   *mingbai.Actor // officer of the street
	sup   *mingbai.Actor // supervisor of the community
	auth  *auth.Service
	// notices reads the inbox the service's notices go to.
	notices *notice.Service
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mingbai.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	now := at("2025-09-29 10:00") // a Monday before the National Day holiday
	e := &env{db: db, now: &now}
	clock := func() time.Time { return *e.now }
	o := org.NewService(db, clock)
	demo, err := org.SeedDemo(ctx, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.demo = demo
	l, err := tlog.OpenWith(ctx, db, t.TempDir(), "test.example/log", clock, tlog.Options{NoIntegrator: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e.log = l
	e.svc = qa.NewService(db, l, zh.NewCalendar(), clock)
	l.UseSources(e.svc.ContentSources())
	e.auth = auth.NewService(db, clock)
	e.notices = notice.NewService(db, clock)
	e.auth.SetHashParams(auth.TestHashParams)
	mk := func(name string, role mingbai.Role, unit int64) *mingbai.Actor {
		u, err := e.auth.CreateUser(ctx, auth.NewUser{Username: name, Name: name, Password: "test-pass-123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.auth.Grant(ctx, u.ID, role, unit, 0); err != nil {
			t.Fatal(err)
		}
		a, err := e.auth.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	e.cadre = mk("cadre", mingbai.RoleCadre, demo.Suojin4)
	e.other = mk("cadreb", mingbai.RoleCadre, demo.Suojin1)
	e.off = mk("officer", mingbai.RoleStreetOfficer, demo.Suojincun)
	e.sup = mk("supervisor", mingbai.RoleSupervisor, demo.Suojin4)
	return e
}

func code(t *testing.T, err error) string {
	t.Helper()
	return mingbai.ErrorCode(err)
}

func TestWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := &mingbai.Actor{}
		rc, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "环境卫生", Body: "12幢楼道灯坏了，我的电话13812345678", Nickname: "张三丰", IP: "10.0.0.1", Photos: [][]byte{qa.SampleJPEG()}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.Code) != 10 || qa.NormalizeCode(strings.ToLower(qa.FormatCode(rc.Code))) != rc.Code {
			t.Fatalf("code %q does not round-trip", rc.Code)
		}
		v, err := e.svc.ByCode(ctx, rc.Code)
		if err != nil {
			t.Fatal(err)
		}
		it := v.Item
		// Asked Monday 29 September 2025: acknowledge by Tuesday 30th;
		// 1–8 October are holidays and 11 October a make-up working day,
		// so 7 working days end on Friday 10 October... counted: 30 Sep,
		// 9, 10, 11 (Sat, make-up), 13, 14, 15 → 15 October.
		if got := it.AckDue.In(mingbai.Shanghai).Format(time.DateOnly); got != "2025-09-30" {
			t.Errorf("ack due %s, want 2025-09-30", got)
		}
		if got := it.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly); got != "2025-10-15" {
			t.Errorf("reply due %s, want 2025-10-15", got)
		}
		if it.PublicBody() != "12幢楼道灯坏了，我的电话138****5678" || it.PublicName() != "张**" {
			t.Errorf("public text %q name %q not masked", it.PublicBody(), it.PublicName())
		}
		if it.Photos != 1 {
			t.Errorf("photos %d, want 1", it.Photos)
		}

		// The other community's cadre cannot act on it.
		if err := e.svc.Acknowledge(ctx, e.other, e.demo.Suojin4, it.ID); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre of B acknowledges: %v", err)
		}
		if err := e.svc.Acknowledge(ctx, e.other, e.demo.Suojin1, it.ID); code(t, err) != mingbai.ENOTFOUND {
			t.Errorf("cadre of B through own community: %v", err)
		}
		if err := e.svc.Acknowledge(ctx, e.cadre, e.demo.Suojin4, it.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Extend(ctx, e.cadre, e.demo.Suojin4, it.ID, 8, "需要物业公司报价"); code(t, err) != mingbai.EINVALID {
			t.Errorf("8 working days extension: %v", err)
		}
		if err := e.svc.Extend(ctx, e.cadre, e.demo.Suojin4, it.ID, 3, "需要物业公司报价"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Extend(ctx, e.cadre, e.demo.Suojin4, it.ID, 1, "再延一次"); code(t, err) != mingbai.ECONFLICT {
			t.Errorf("second extension: %v", err)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, it.ID, qa.Answer{Body: "不换", Outcome: qa.NotAdopted}); code(t, err) != mingbai.EINVALID {
			t.Errorf("not adopted without reason: %v", err)
		}
		*e.now = e.now.Add(48 * time.Hour)
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, it.ID, qa.Answer{Body: "已请物业更换灯泡。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
		v, _ = e.svc.ByCode(ctx, rc.Code)
		var kinds []string
		leaves := 0
		for _, ev := range v.Events {
			kinds = append(kinds, string(ev.Kind))
			if ev.LeafIndex != nil {
				leaves++
			}
			if ev.OutcomeLeaf != nil {
				leaves++
			}
		}
		// The acknowledgement's step, the extension, the reply and its
		// outcome (the receipt's leaf is the question's, on the item).
		if strings.Join(kinds, ",") != "received,acknowledged,extended,reply" || leaves != 4 {
			t.Errorf("timeline %v with %d leaves, want received,acknowledged,extended,reply with 4", kinds, leaves)
		}
		if got := v.Item.ReplyDue.In(mingbai.Shanghai).Format(time.DateOnly); got != "2025-10-20" {
			t.Errorf("extended due %s, want 2025-10-20", got)
		}
		// The leaves check against their content.
		if _, err := e.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources()})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 {
			t.Errorf("fsck: %v", rep.Problems)
		}

		// Reopen once, then no more.
		if err := e.svc.Reopen(ctx, rc.Code, "灯还是不亮"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, it.ID, qa.Answer{Body: "已更换整条线路。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reopen(ctx, rc.Code, "还是不满意"); code(t, err) != mingbai.ECONFLICT {
			t.Errorf("second reopen: %v", err)
		}
		if err := e.svc.Confirm(ctx, rc.Code); err != nil {
			t.Fatal(err)
		}
		notes, unread, err := e.notices.Inbox(ctx, e.cadre.UserID, 10)
		if err != nil || unread != 1 || notes[0].Kind != "reopened" {
			t.Errorf("cadre notifications %v unread %d err %v, want one reopened", notes, unread, err)
		}
	})
}

// TestStepsDeriveItem: every step that moves an item is logged, so fsck
// derives each item's status, reply deadline and merge target from the
// log alone, and names the item whose row says otherwise, or whose step
// was written without its leaf.
func TestStepsDeriveItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := &mingbai.Actor{}
		submit := func(body, ip string) (int64, string) {
			t.Helper()
			rc, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "环境卫生", Body: body, IP: ip})
			if err != nil {
				t.Fatal(err)
			}
			return rc.ID, rc.Code
		}
		// One item through every step: acknowledged, extended, replied,
		// reopened (a new deadline), replied, confirmed.
		a, code := submit("5幢门口的路灯坏了很久了", "10.0.0.1")
		if err := e.svc.Acknowledge(ctx, e.cadre, e.demo.Suojin4, a); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Extend(ctx, e.cadre, e.demo.Suojin4, a, 3, "需要供电所配合"); err != nil {
			t.Fatal(err)
		}
		*e.now = e.now.Add(72 * time.Hour)
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, a, qa.Answer{Body: "已修好。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
		*e.now = e.now.Add(24 * time.Hour)
		if err := e.svc.Reopen(ctx, code, "晚上还是不亮"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, a, qa.Answer{Body: "换了整条线路。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Confirm(ctx, code); err != nil {
			t.Fatal(err)
		}
		// A duplicate merged into an open item; one left as received.
		b, _ := submit("6幢的垃圾桶满了没人清运", "10.0.0.2")
		c, _ := submit("6幢门口垃圾桶天天满溢", "10.0.0.3")
		if err := e.svc.Merge(ctx, e.cadre, e.demo.Suojin4, c, b); err != nil {
			t.Fatal(err)
		}
		fresh, _ := submit("7幢电梯按钮不灵", "10.0.0.4")
		if _, err := e.log.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		fsck := func() []string {
			t.Helper()
			rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Sources: e.log.Sources(), Checks: e.svc.Checks()})
			if err != nil {
				t.Fatal(err)
			}
			return rep.Problems
		}
		if ps := fsck(); len(ps) != 0 {
			t.Fatalf("fsck of the untouched items: %q", ps)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var due time.Time
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT reply_due FROM qa_items WHERE id = ?", a).Scan(&due)
		}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name         string
			item         int64
			change, undo string
			args, back   []any
		}{
			{"status of a confirmed item", a, "UPDATE qa_items SET status = 'replied' WHERE id = ?", "UPDATE qa_items SET status = 'confirmed' WHERE id = ?", nil, nil},
			{"status of a received item", fresh, "UPDATE qa_items SET status = 'studying' WHERE id = ?", "UPDATE qa_items SET status = 'received' WHERE id = ?", nil, nil},
			{"reply deadline after a reopening", a, "UPDATE qa_items SET reply_due = ? WHERE id = ?", "UPDATE qa_items SET reply_due = ? WHERE id = ?",
				[]any{due.AddDate(0, 0, 7)}, []any{due}},
			{"merge target", c, "UPDATE qa_items SET merged_into = ? WHERE id = ?", "UPDATE qa_items SET merged_into = ? WHERE id = ?",
				[]any{fresh}, []any{b}},
			{"merge undone", c, "UPDATE qa_items SET merged_into = NULL, status = 'received' WHERE id = ?", "UPDATE qa_items SET merged_into = ?, status = 'merged' WHERE id = ?",
				nil, []any{b}},
		}
		for _, tc := range cases {
			exec(tc.change, append(tc.args, tc.item)...)
			ps := fsck()
			exec(tc.undo, append(tc.back, tc.item)...)
			if want := fmt.Sprintf("qa_items row %d:", tc.item); !strings.Contains(strings.Join(ps, "\n"), want) {
				t.Errorf("%s: fsck does not name %q: %q", tc.name, want, ps)
			}
		}
		// A step written in SQL without its leaf counts for nothing.
		exec("INSERT INTO qa_events (community_id, item_id, kind, body, outcome, created_at) VALUES (?, ?, 'confirmed', '', '', ?)", e.demo.Suojin4, b, *e.now)
		exec("UPDATE qa_items SET status = 'confirmed' WHERE id = ?", b)
		if ps, want := fsck(), fmt.Sprintf("qa_items row %d:", b); !strings.Contains(strings.Join(ps, "\n"), want) {
			t.Errorf("a confirmation without its leaf: fsck does not name %q: %q", want, ps)
		}
	})
}

func TestSubmitRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := &mingbai.Actor{}
		sub := func(body string, photos ...[]byte) qa.Submission {
			return qa.Submission{Category: "其他", Body: body, IP: "10.1.1.1", Photos: photos}
		}
		cases := []struct {
			name string
			s    qa.Submission
			want string
		}{
			{"too long", sub(strings.Repeat("长", qa.MaxBody+1)), mingbai.EINVALID},
			{"no category", qa.Submission{Body: "一二三四五六"}, mingbai.EINVALID},
			{"honeypot", qa.Submission{Category: "其他", Body: "一二三四五六", Honeypot: "http://spam"}, mingbai.EINVALID},
			{"not an image", sub("一二三四五六", []byte("%PDF-1.4 not a photo")), mingbai.EINVALID},
			{"broken jpeg", sub("一二三四五六", qa.SampleJPEG()[:60]), mingbai.EINVALID},
			{"too many photos", sub("一二三四五六", qa.SampleJPEG(), qa.SampleJPEG(), qa.SampleJPEG(), qa.SampleJPEG(), qa.SampleJPEG(), qa.SampleJPEG(), qa.SampleJPEG()), mingbai.EINVALID},
			{"too big", sub("一二三四五六", append(qa.SampleJPEG(), make([]byte, qa.MaxPhotoBytes)...)), mingbai.EINVALID},
			{"paper by a resident", qa.Submission{Category: "其他", Body: "一二三四五六", Channel: qa.Paper}, mingbai.EFORBIDDEN},
		}
		for _, c := range cases {
			if _, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, c.s); code(t, err) != c.want {
				t.Errorf("%s: %v, want %s", c.name, err, c.want)
			}
		}
		var n int
		db.QueryRow(ctx, "SELECT COUNT(*) FROM qa_items").Scan(&n)
		if n != 0 {
			t.Fatalf("%d items stored after refusals", n)
		}
		var photos int
		db.QueryRow(ctx, "SELECT COUNT(*) FROM qa_photos").Scan(&photos)
		if photos != 0 {
			t.Fatalf("%d photos stored after refusals", photos)
		}
		// Duplicate and rate limit.
		if _, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, sub("小区门口积水严重")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, sub("小区门口 积水严重")); code(t, err) != mingbai.EINVALID {
			t.Errorf("duplicate: %v", err)
		}
		for i := 0; i < qa.DefaultRules.IPPerHour-1; i++ {
			if _, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, sub("第"+string(rune('A'+i))+"个问题的内容")); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, sub("再来一个问题内容"))
		if code(t, err) != mingbai.ETOOMANY || !strings.Contains(mingbai.ErrorMessage(err), "一小时") {
			t.Errorf("over the limit: %v", err)
		}
		// A cadre recording paper slips is not limited by the address.
		if _, err := e.svc.Submit(ctx, e.cadre, e.demo.Suojin4, qa.Submission{Category: "其他", Body: "纸条：希望增加健身器材", Channel: qa.Paper, IP: "10.1.1.1"}); err != nil {
			t.Errorf("cadre records paper slip: %v", err)
		}
	})
}

func TestReferralAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := &mingbai.Actor{}
		var ids []int64
		for i, body := range []string{"建议增设电动车充电桩", "小区路灯太暗了", "希望开老年食堂", "垃圾分类点太远"} {
			rc, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "社区服务", Body: body, IP: "10.2.0." + string(rune('1'+i))})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rc.ID)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, ids[0], qa.Answer{Body: "转街道统筹", Outcome: qa.ReferredTo, ReferTo: e.demo.Xuanwumen}); code(t, err) != mingbai.EINVALID {
			t.Errorf("refer to another street: %v", err)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, ids[0], qa.Answer{Body: "转街道统筹", Outcome: qa.ReferredTo, ReferTo: e.demo.Suojincun}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ForReferee(ctx, e.other, ids[0]); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre of B reads a referral: %v", err)
		}
		if err := e.svc.RefereeReply(ctx, e.off, ids[0], qa.Answer{Body: "街道将在年内建设充电桩。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, ids[1], qa.Answer{Body: "已更换", Outcome: qa.Partly}); err != nil {
			t.Fatal(err)
		}
		*e.now = e.now.Add(30 * 24 * time.Hour)
		st, err := e.svc.Stats(ctx, qa.Scope{Street: e.demo.Suojincun}, at("2025-09-01 00:00"), at("2025-11-01 00:00"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Received != 4 || st.Replied != 2 || st.Adopted != 1 || st.Partly != 1 || st.Referred != 1 || st.OverdueNow != 2 || st.OnTime != 2 {
			t.Errorf("stats %+v", st.Counts)
		}
		if len(st.Months) != 2 || len(st.Communities) != 1 {
			t.Errorf("months %d communities %d", len(st.Months), len(st.Communities))
		}
		over, err := e.svc.StreetOverdue(ctx, e.off, e.demo.Suojincun)
		if err != nil || len(over) != 2 {
			t.Errorf("street overdue %d, %v; want 2", len(over), err)
		}
		if _, err := e.svc.StreetOverdue(ctx, e.cadre, e.demo.Suojincun); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre reads street overdue list: %v", err)
		}
		inbox, err := e.svc.Inbox(ctx, e.cadre, e.demo.Suojin4)
		if err != nil || len(inbox) != 2 || !inbox[0].Overdue(*e.now) {
			t.Errorf("inbox %d err %v", len(inbox), err)
		}
		n, err := e.svc.Sweep(ctx)
		if err != nil || n != 2 {
			t.Errorf("sweep %d %v", n, err)
		}
		if n2, _ := e.svc.Sweep(ctx); n2 != 2 {
			t.Errorf("second sweep %d", n2)
		}
		_, unread, _ := e.notices.Inbox(ctx, e.off.UserID, 10)
		// the referral notice plus two overdue notices, none twice.
		if unread != 3 {
			t.Errorf("officer has %d unread notifications, want 3", unread)
		}
	})
}

func TestComplaintsHiddenFromCadres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		resident := &mingbai.Actor{}
		rc, err := e.svc.Complain(ctx, resident, e.demo.Suojin4, qa.ComplaintSubmission{Category: "财务问题", Body: "居委会把电扇的钱挪作他用，请核查。", Name: "李四", Contact: "13900001111", IP: "10.3.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Complaint(ctx, e.cadre, rc.ID); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre reads complaint: %v", err)
		}
		if _, err := e.svc.CommunityComplaints(ctx, e.cadre, e.demo.Suojin4); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("cadre lists complaints: %v", err)
		}
		c, err := e.svc.Complaint(ctx, e.sup, rc.ID)
		if err != nil || c.Name != "" || c.Contact != "" {
			t.Errorf("supervisor sees identity %q %q (%v)", c.Name, c.Contact, err)
		}
		if err := e.svc.TakeComplaint(ctx, e.sup, rc.ID); code(t, err) != mingbai.EFORBIDDEN {
			t.Errorf("supervisor takes: %v", err)
		}
		if err := e.svc.TakeComplaint(ctx, e.off, rc.ID); err != nil {
			t.Fatal(err)
		}
		c, _ = e.svc.Complaint(ctx, e.off, rc.ID)
		if c.Name != "李四" || c.Contact != "13900001111" {
			t.Errorf("handler does not see identity: %+v", c)
		}
		if err := e.svc.ConcludeComplaint(ctx, e.off, rc.ID, qa.PartlyFound, "经核查，部分款项用途未公开，已责令补充公开。"); err != nil {
			t.Fatal(err)
		}
		// A cadre's notifications say nothing about it.
		notes, _, _ := e.notices.Inbox(ctx, e.cadre.UserID, 50)
		if len(notes) != 0 {
			t.Errorf("cadre was notified: %v", notes)
		}
		st, err := e.svc.ComplaintStatistics(ctx, qa.Scope{Community: e.demo.Suojin4}, at("2025-01-01 00:00"), at("2026-01-01 00:00"))
		if err != nil || st.Received != 1 || st.Concluded != 1 {
			t.Errorf("complaint stats %+v %v", st, err)
		}
	})
}

// smtpServer is a minimal SMTP server that accepts every mail and keeps it.
type smtpServer struct {
	addr  string
	mu    sync.Mutex
	mails []string
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 localhost test")
	var data strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 localhost")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go ahead")
			data.Reset()
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.mails = append(s.mails, data.String())
			s.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

func TestMailInstantAndDigest(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	ctx := context.Background()
	srv := startSMTP(t)
	e.notices.SetMailer(&notice.Mailer{Addr: srv.addr, From: "noreply@example.cn", BaseURL: "https://gongkai.example.cn"})
	resident, err := e.auth.CreateUser(ctx, auth.NewUser{Username: "jumin", Name: "居民", Password: "test-pass-123"})
	if err != nil {
		t.Fatal(err)
	}
	ra := &mingbai.Actor{UserID: resident.ID}
	if err := e.notices.SetMailPrefs(ctx, resident.ID, notice.MailPrefs{Email: "not an email", Mode: notice.MailInstant}); code(t, err) != mingbai.EINVALID {
		t.Errorf("bad email: %v", err)
	}
	if err := e.notices.SetMailPrefs(ctx, resident.ID, notice.MailPrefs{Email: "jumin@example.cn", Mode: notice.MailInstant}); err != nil {
		t.Fatal(err)
	}
	if err := e.notices.SetMailPrefs(ctx, e.cadre.UserID, notice.MailPrefs{Email: "ganbu@example.cn", Mode: notice.MailDaily}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var codes []string
	for i, b := range []string{"小区健身器材坏了", "楼下车棚漏雨"} {
		rc, err := e.svc.Submit(ctx, ra, e.demo.Suojin4, qa.Submission{Category: "设施维修", Body: b, IP: "10.9.9." + string(rune('1'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rc.ID)
		codes = append(codes, rc.Code)
	}
	for _, id := range ids {
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, id, qa.Answer{Body: "已安排维修。", Outcome: qa.Adopted}); err != nil {
			t.Fatal(err)
		}
	}
	*e.now = e.now.Add(25 * time.Hour)
	for _, c := range codes {
		if err := e.svc.Reopen(ctx, c, "还没有修好"); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := e.notices.DeliverMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two instant mails to the resident, one digest of two to the cadre.
	if sent != 3 || srv.count() != 3 {
		t.Fatalf("sent %d, server got %d, want 3", sent, srv.count())
	}
	if again, _ := e.notices.DeliverMail(ctx); again != 0 {
		t.Errorf("mail sent twice: %d", again)
	}
	joined := strings.Join(srv.mails, "\n")
	if !strings.Contains(joined, "https://gongkai.example.cn/qa/t/") || !strings.Contains(joined, "=?UTF-8?B?") {
		t.Errorf("mails lack link or encoded subject:\n%s", joined)
	}
}

// TestSweepOwingNothingTakesNoWriteLock: the minute's sweep works out what
// it owes before it takes the write lock, so once every notice is made it
// runs while another writer holds that lock; a cadre appointed later is
// still owed the notices, and gets each once.
func TestSweepOwingNothingTakesNoWriteLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for i, body := range []string{"小区门口积水严重，请尽快处理", "健身器材坏了三个月没人修"} {
			sub := qa.Submission{Category: "设施维修", Body: body, IP: fmt.Sprintf("10.9.0.%d", i+1)}
			if _, err := e.svc.Submit(ctx, &mingbai.Actor{}, e.demo.Suojin4, sub); err != nil {
				t.Fatal(err)
			}
		}
		*e.now = e.now.Add(30 * 24 * time.Hour)
		unread := func(user int64) int {
			t.Helper()
			_, n, err := e.notices.Inbox(ctx, user, 10)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n, err := e.svc.Sweep(ctx); err != nil || n != 2 {
			t.Fatalf("first sweep: %d items, %v", n, err)
		}
		if unread(e.cadre.UserID) != 2 || unread(e.off.UserID) != 2 {
			t.Fatalf("after the first sweep: cadre %d, officer %d unread; want 2 and 2", unread(e.cadre.UserID), unread(e.off.UserID))
		}

		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.Write(ctx, func(*store.Tx) error { close(held); <-release; return nil })
		}()
		<-held
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		n, err := e.svc.Sweep(sctx)
		cancel()
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err != nil || n != 2 {
			t.Fatalf("sweep owing nothing, with the write lock held elsewhere: %d items, %v", n, err)
		}

		u, err := e.auth.CreateUser(ctx, auth.NewUser{Username: "newcadre", Name: "新干部", Password: "test-pass-123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.auth.Grant(ctx, u.ID, mingbai.RoleCadre, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := e.svc.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := unread(u.ID); got != 2 {
			t.Errorf("a cadre appointed later has %d notices, want 2", got)
		}
		if unread(e.cadre.UserID) != 2 || unread(e.off.UserID) != 2 {
			t.Errorf("notices made twice: cadre %d, officer %d unread", unread(e.cadre.UserID), unread(e.off.UserID))
		}
	})
}
