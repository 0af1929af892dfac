package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// org is a small district: one street with communities A and B, another
// street, a department and an archived community.
type org struct {
	District, Street, Street2, A, B, C2, Dept, Archived int64
}

func seedOrg(t *testing.T, db *store.DB) org {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var o org
	err := db.Write(ctx, func(tx *store.Tx) error {
		add := func(kind string, parent, district int64, name, slug string, archived bool) int64 {
			if t.Failed() {
				return 0
			}
			var arch any
			if archived {
				arch = now
			}
			var p, d any
			if parent != 0 {
				p = parent
			}
			if district != 0 {
				d = district
			}
			id, err := tx.InsertID(ctx, `INSERT INTO org_units (kind, parent_id, district_id, name, slug, created_at, updated_at, archived_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, kind, p, d, name, slug, now, now, arch)
			if err != nil {
				t.Fatalf("insert %s: %v", slug, err)
			}
			return id
		}
		o.District = add("district", 0, 0, "玄武区", "xuanwu", false)
		o.Street = add("street", o.District, o.District, "锁金村街道", "suojin", false)
		o.Street2 = add("street", o.District, o.District, "玄武门街道", "xuanwumen", false)
		o.A = add("community", o.Street, o.District, "锁金四村社区", "suojin-4", false)
		o.B = add("community", o.Street, o.District, "锁金五村社区", "suojin-5", false)
		o.C2 = add("community", o.Street2, o.District, "湖滨社区", "hubin", false)
		o.Dept = add("department", o.District, o.District, "民政局", "minzheng", false)
		o.Archived = add("community", o.Street, o.District, "旧社区", "old", true)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newService(t *testing.T, db *store.DB) (*auth.Service, *clock) {
	c := &clock{t: start}
	s := auth.NewService(db, c.Now)
	s.SetHashParams(auth.TestHashParams)
	return s, c
}

func mustUser(t *testing.T, s *auth.Service, nu auth.NewUser) *auth.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), nu)
	if err != nil {
		t.Fatalf("create user %+v: %v", nu, err)
	}
	return u
}

func mustLogin(t *testing.T, s *auth.Service, login, password string) *auth.Session {
	t.Helper()
	sess, err := s.Login(context.Background(), login, password, "192.0.2.1")
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return sess
}

// wantErr checks err's code and, when given, its Chinese message and field.
func wantErr(t *testing.T, err error, code, message, field string) {
	t.Helper()
	if got := mingbai.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if message != "" && mingbai.ErrorMessage(err) != message {
		t.Errorf("message = %q, want %q", mingbai.ErrorMessage(err), message)
	}
	if field != "" && mingbai.ErrorField(err) != field {
		t.Errorf("field = %q, want %q", mingbai.ErrorField(err), field)
	}
}

const badLogin = "手机号/用户名或密码不正确"

func TestCreateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		mustUser(t, s, auth.NewUser{Username: "taken", Password: "password1"})
		mustUser(t, s, auth.NewUser{Phone: "13900000000", Password: "password1"})

		tests := []struct {
			name  string
			in    auth.NewUser
			code  string
			field string
			msg   string
		}{
			{"no login", auth.NewUser{Password: "password1"}, mingbai.EINVALID, "username", "请填写用户名或手机号（至少一项）"},
			{"short username", auth.NewUser{Username: "ab", Password: "password1"}, mingbai.EINVALID, "username", "用户名须为 3–32 位小写字母、数字或 _ . - 符号"},
			{"chinese username", auth.NewUser{Username: "张三丰", Password: "password1"}, mingbai.EINVALID, "username", "用户名须为 3–32 位小写字母、数字或 _ . - 符号"},
			{"digit username", auth.NewUser{Username: "12345", Password: "password1"}, mingbai.EINVALID, "username", "用户名不能全是数字"},
			{"bad phone", auth.NewUser{Phone: "12345678901", Password: "password1"}, mingbai.EINVALID, "phone", "请输入正确的手机号（11 位数字，以 1 开头）"},
			{"short phone", auth.NewUser{Phone: "1390000000", Password: "password1"}, mingbai.EINVALID, "phone", "请输入正确的手机号（11 位数字，以 1 开头）"},
			{"no password", auth.NewUser{Username: "alice"}, mingbai.EINVALID, "password", "请设置密码"},
			{"short password", auth.NewUser{Username: "alice", Password: "pass1"}, mingbai.EINVALID, "password", "密码至少 8 位"},
			{"digit password", auth.NewUser{Username: "alice", Password: "12345678"}, mingbai.EINVALID, "password", "密码不能全是数字，请加入字母或符号"},
			{"password is phone", auth.NewUser{Phone: "13811112222", Password: "+8613811112222"}, mingbai.EINVALID, "password", ""},
			{"password is username", auth.NewUser{Username: "alice.w", Password: "Alice.W"}, mingbai.EINVALID, "password", "密码至少 8 位"},
			{"password equals username", auth.NewUser{Username: "alice.wang", Password: "alice.wang"}, mingbai.EINVALID, "password", "密码不能与用户名或手机号相同"},
			{"username taken", auth.NewUser{Username: "Taken", Password: "password1"}, mingbai.ECONFLICT, "username", "该用户名已被使用"},
			{"phone taken", auth.NewUser{Phone: "139 0000 0000", Password: "password1"}, mingbai.ECONFLICT, "phone", "该手机号已注册"},
			{"name too long", auth.NewUser{Username: "alice", Name: strings.Repeat("名", 33), Password: "password1"}, mingbai.EINVALID, "name", "姓名不能超过 32 个字，现在是 33 个字"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, tc.in)
				wantErr(t, err, tc.code, tc.msg, tc.field)
			})
		}

		u, err := s.CreateUser(ctx, auth.NewUser{Username: " Alice ", Phone: "+86 138-1111-2222", Name: "王爱丽", Password: "密码是八个汉字呀"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "alice" || u.Phone != "13811112222" || u.Name != "王爱丽" || u.Status != auth.StatusActive || !u.CreatedAt.Equal(start) {
			t.Errorf("created user = %+v", u)
		}
		got, err := s.UserByLogin(ctx, "138 1111 2222")
		if err != nil || got.ID != u.ID {
			t.Fatalf("UserByLogin by phone = %+v, %v", got, err)
		}
		if got, err := s.UserByLogin(ctx, "ALICE"); err != nil || got.ID != u.ID {
			t.Fatalf("UserByLogin by username = %+v, %v", got, err)
		}
		_, err = s.UserByLogin(ctx, "nobody")
		wantErr(t, err, mingbai.ENOTFOUND, "", "")
		_, err = s.User(ctx, 999999)
		wantErr(t, err, mingbai.ENOTFOUND, "用户不存在", "")

		// Name defaults to the login so lists never show a blank.
		bob := mustUser(t, s, auth.NewUser{Username: "bob", Password: "password1"})
		if bob.Name != "bob" {
			t.Errorf("default name = %q", bob.Name)
		}
	})
}

func TestUsersFilter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := seedOrg(t, db)
		s, _ := newService(t, db)
		ctx := context.Background()
		a := mustUser(t, s, auth.NewUser{Username: "cadre_a", Name: "张%三", Password: "password1"})
		mustUser(t, s, auth.NewUser{Username: "cadre_b", Name: "李四", Password: "password1"})
		if err := s.Grant(ctx, a.ID, mingbai.RoleCadre, o.A, 0); err != nil {
			t.Fatal(err)
		}
		r, err := s.Register(ctx, auth.Registration{CommunityID: o.A, Name: "王五", Phone: "13700000001", BuildingUnit: "1栋1单元", Password: "password1"})
		if err != nil {
			t.Fatal(err)
		}

		list, total, err := s.Users(ctx, auth.UserFilter{CommunityID: o.A})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(list) != 2 || list[0].ID != r.ID || list[1].ID != a.ID {
			t.Fatalf("community A users = %d %+v", total, list)
		}
		if len(list[1].Grants) != 1 || list[1].Grants[0].Role != mingbai.RoleCadre {
			t.Errorf("grants not filled: %+v", list[1].Grants)
		}
		list, total, err = s.Users(ctx, auth.UserFilter{Status: auth.StatusPending})
		if err != nil || total != 1 || list[0].ID != r.ID {
			t.Fatalf("pending = %d %+v %v", total, list, err)
		}
		// % in the query is a literal, not a wildcard.
		list, total, err = s.Users(ctx, auth.UserFilter{Query: "%"})
		if err != nil || total != 1 || list[0].ID != a.ID {
			t.Fatalf("query %% = %d %+v %v", total, list, err)
		}
		_, total, err = s.Users(ctx, auth.UserFilter{Query: "CADRE"})
		if err != nil || total != 2 {
			t.Fatalf("query CADRE = %d %v", total, err)
		}
		list, total, err = s.Users(ctx, auth.UserFilter{Limit: 1, Offset: 1})
		if err != nil || total != 3 || len(list) != 1 || list[0].Username != "cadre_b" {
			t.Fatalf("paged = %d %+v %v", total, list, err)
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "alice", Phone: "13811112222", Name: "王爱丽", Password: "password1"})

		s1 := mustLogin(t, s, "alice", "password1")
		s2 := mustLogin(t, s, "+86 138 1111 2222", "password1")
		if s1.Token == s2.Token || s1.ID == s2.ID || len(s1.Token) != 43 || len(s1.ID) != 16 {
			t.Fatalf("tokens not fresh per login: %+v %+v", s1, s2)
		}
		if s1.UserID != u.ID || !s1.CreatedAt.Equal(start) || !s1.ExpiresAt.Equal(start.Add(7*24*time.Hour)) {
			t.Errorf("session = %+v", s1)
		}
		// The token itself is not stored, only its hash.
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE token_hash = ? OR id = ?", s1.Token, s1.Token).Scan(&n); err != nil || n != 0 {
			t.Fatalf("raw token found in the database: %d %v", n, err)
		}

		got, actor, err := s.Session(ctx, s1.Token)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != s1.ID || got.Token != "" || actor.UserID != u.ID || actor.Name != "王爱丽" || actor.SessionID != s1.ID {
			t.Errorf("Session = %+v, actor %+v", got, actor)
		}

		_, err = s.Login(ctx, "alice", "password2", "192.0.2.1")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		_, err = s.Login(ctx, "nobody", "password1", "192.0.2.1")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		_, err = s.Login(ctx, "13999999999", "password1", "192.0.2.1")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		_, err = s.Login(ctx, "", "password1", "192.0.2.1")
		wantErr(t, err, mingbai.EINVALID, "请输入手机号或用户名", "login")
		_, err = s.Login(ctx, "alice", "", "192.0.2.1")
		wantErr(t, err, mingbai.EINVALID, "请输入密码", "password")

		for _, bad := range []string{"", "x", strings.Repeat("A", 43), s1.Token + "A"} {
			_, _, err := s.Session(ctx, bad)
			wantErr(t, err, mingbai.EUNAUTHORIZED, "请先登录", "")
		}

		// A disabled account cannot log in and its sessions end.
		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Session(ctx, s2.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "", "")
		_, err = s.Login(ctx, "alice", "password1", "192.0.2.1")
		wantErr(t, err, mingbai.EFORBIDDEN, "该账号已停用，如有疑问请联系社区", "")
		_, err = s.Login(ctx, "alice", "wrongpass", "192.0.2.1")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		if err := s.SetDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		mustLogin(t, s, "alice", "password1")
	})
}

// attempt is the visible outcome of a login: its code and message.
type attempt struct{ code, msg string }

func try(s *auth.Service, login, password, ip string) attempt {
	_, err := s.Login(context.Background(), login, password, ip)
	return attempt{mingbai.ErrorCode(err), mingbai.ErrorMessage(err)}
}

// TestPairThrottle: the waits of one address at one account, by username
// and by phone alike; a success ends that address's run of failures; and
// failures spread beyond the window are forgotten. TestLockoutIsNoWeapon
// (throttle_test.go) shows the account itself is never locked.
func TestPairThrottle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		mustUser(t, s, auth.NewUser{Username: "alice", Phone: "13811112222", Password: "password1"})
		const ip = "198.51.100.1"

		// Failures by username and by phone count against the same account.
		for i := range 5 {
			login := "alice"
			if i%2 == 1 {
				login = "13811112222"
			}
			if got := try(s, login, "wrong-pass", ip); got != (attempt{mingbai.EUNAUTHORIZED, badLogin}) {
				t.Fatalf("failure %d: %+v", i+1, got)
			}
		}
		// Then the address waits, even with the right password, and is told how long.
		if got, want := try(s, "alice", "password1", ip), (attempt{mingbai.ETOOMANY, "密码错误次数较多，请 1 秒后再试"}); got != want {
			t.Fatalf("after 5 failures: %+v, want %+v", got, want)
		}
		c.Advance(time.Second)
		if got := try(s, "13811112222", "wrong-pass", ip); got.code != mingbai.EUNAUTHORIZED {
			t.Fatalf("after the wait: %+v", got)
		}
		if got, want := try(s, "alice", "password1", ip), (attempt{mingbai.ETOOMANY, "密码错误次数较多，请 2 秒后再试"}); got != want {
			t.Fatalf("after 6 failures: %+v, want %+v", got, want)
		}
		c.Advance(2 * time.Second)
		mustLoginFrom(t, s, "alice", "password1", ip)

		// After a success the count starts again: four more failures make no wait.
		for range 4 {
			if got := try(s, "alice", "wrong-pass", ip); got.code != mingbai.EUNAUTHORIZED {
				t.Fatalf("after success: %+v", got)
			}
		}
		mustLoginFrom(t, s, "alice", "password1", ip)

		// Five failures spread over more than a day make no wait.
		for range 5 {
			c.Advance(7 * time.Hour)
			if got := try(s, "alice", "wrong-pass", ip); got.code != mingbai.EUNAUTHORIZED {
				t.Fatalf("spread failures: %+v", got)
			}
		}
		mustLoginFrom(t, s, "alice", "password1", ip)
	})
}

func TestUnknownLoginThrottledAlike(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		var known, unknown []attempt
		for range 7 {
			known = append(known, try(s, "alice", "wrong-pass", "198.51.100.1"))
			unknown = append(unknown, try(s, "mallory", "wrong-pass", "198.51.100.2"))
		}
		for i := range known {
			if known[i] != unknown[i] {
				t.Errorf("attempt %d: existing account %+v, unknown login %+v", i+1, known[i], unknown[i])
			}
		}
		if known[4].code != mingbai.EUNAUTHORIZED || known[5].code != mingbai.ETOOMANY {
			t.Errorf("lock did not start at the sixth attempt: %+v", known)
		}
	})
}

// TestHotAddress: an address that sent many failures over many accounts
// gets no free guesses at any further account it has failed on, while an
// account with no failure from it is not affected.
func TestHotAddress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		mustUser(t, s, auth.NewUser{Username: "bob", Password: "password1"})
		const ip = "198.51.100.7"
		// A hundred failures, four at each of 25 logins: no pair waits yet.
		for i := range 100 {
			login := fmt.Sprintf("guess%02d", i/4)
			if got := try(s, login, "wrong-pass", ip); got.code != mingbai.EUNAUTHORIZED {
				t.Fatalf("failure %d: %+v", i+1, got)
			}
		}
		// The address is hot: one failure at alice, and it waits.
		if got := try(s, "alice", "wrong-pass", ip); got.code != mingbai.EUNAUTHORIZED {
			t.Fatalf("first failure at alice: %+v", got)
		}
		if got := try(s, "alice", "password1", ip); got.code != mingbai.ETOOMANY {
			t.Fatalf("hot address not slowed: %+v", got)
		}
		// bob, with no failure from there, logs in; so does alice elsewhere.
		mustLoginFrom(t, s, "bob", "password1", ip)
		mustLogin(t, s, "alice", "password1")
		c.Advance(15 * time.Minute)
		mustLoginFrom(t, s, "alice", "password1", ip)
	})
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})

		// Idle expiry: use within 2 h keeps it alive; 2 h without use ends it.
		idle := mustLogin(t, s, "alice", "password1")
		c.Advance(30 * time.Second)
		got, _, err := s.Session(ctx, idle.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastSeenAt.Equal(start) {
			t.Errorf("last seen written within a minute: %v", got.LastSeenAt)
		}
		c.Advance(2*time.Hour - 31*time.Second)
		got, _, err = s.Session(ctx, idle.Token)
		if err != nil {
			t.Fatalf("session ended before 2 h idle: %v", err)
		}
		if !got.LastSeenAt.Equal(c.Now()) {
			t.Errorf("last seen not touched: %v, want %v", got.LastSeenAt, c.Now())
		}
		c.Advance(2 * time.Hour)
		_, _, err = s.Session(ctx, idle.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "登录已过期，请重新登录", "")
		_, _, err = s.Session(ctx, idle.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "请先登录", "")

		// Absolute expiry: even a session used every hour ends after 7 days.
		abs := mustLogin(t, s, "alice", "password1")
		loggedIn := c.Now()
		for c.Now().Before(loggedIn.Add(7*24*time.Hour - time.Hour)) {
			c.Advance(time.Hour)
			if _, _, err := s.Session(ctx, abs.Token); err != nil {
				t.Fatalf("session ended at %v: %v", c.Now().Sub(loggedIn), err)
			}
		}
		c.Advance(time.Hour)
		_, _, err = s.Session(ctx, abs.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "登录已过期，请重新登录", "")

		live := mustLogin(t, s, "alice", "password1")
		if err := s.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM sessions").Scan(&n); err != nil || n != 1 {
			t.Errorf("sessions after purge = %d, %v; want only the live one", n, err)
		}
		if _, _, err := s.Session(ctx, live.Token); err != nil {
			t.Errorf("purge ended a live session: %v", err)
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		other := mustUser(t, s, auth.NewUser{Username: "bob", Password: "password1"})
		s1 := mustLogin(t, s, "alice", "password1")
		s2 := mustLogin(t, s, "alice", "password1")
		s3 := mustLogin(t, s, "alice", "password1")
		bob := mustLogin(t, s, "bob", "password1")

		if err := s.Logout(ctx, s1.Token); err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(ctx, s1.Token); err != nil {
			t.Fatalf("second logout: %v", err)
		}
		_, _, err := s.Session(ctx, s1.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "", "")
		if _, _, err := s.Session(ctx, s2.Token); err != nil {
			t.Fatalf("logout ended another session: %v", err)
		}

		list, err := s.Sessions(ctx, u.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("sessions = %+v, %v", list, err)
		}
		// Ending a session by id needs its own account.
		if err := s.EndSession(ctx, other.ID, s3.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, s3.Token); err != nil {
			t.Fatalf("another account ended the session: %v", err)
		}

		if err := s.LogoutEverywhere(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{s2.Token, s3.Token} {
			_, _, err := s.Session(ctx, tok)
			wantErr(t, err, mingbai.EUNAUTHORIZED, "", "")
		}
		if _, _, err := s.Session(ctx, bob.Token); err != nil {
			t.Fatalf("logout everywhere ended another account's session: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		here := mustLogin(t, s, "alice", "password1")
		there := mustLogin(t, s, "alice", "password1")

		err := s.ChangePassword(ctx, u.ID, here.ID, "password9", "new-password")
		wantErr(t, err, mingbai.EINVALID, "原密码不正确", "old_password")
		err = s.ChangePassword(ctx, u.ID, here.ID, "password1", "1234567890")
		wantErr(t, err, mingbai.EINVALID, "密码不能全是数字，请加入字母或符号", "new_password")
		err = s.ChangePassword(ctx, u.ID, here.ID, "password1", "password1")
		wantErr(t, err, mingbai.EINVALID, "新密码不能与原密码相同", "new_password")

		// Guessing the old password through a session is throttled like a
		// login (see also TestChangePasswordGuessesThrottled).
		for range 4 {
			err = s.ChangePassword(ctx, u.ID, here.ID, "guess-pass", "new-password")
			wantErr(t, err, mingbai.EINVALID, "原密码不正确", "old_password")
		}
		err = s.ChangePassword(ctx, u.ID, here.ID, "password1", "new-password")
		wantErr(t, err, mingbai.ETOOMANY, "密码错误次数较多，请 1 秒后再试", "")
		c.Advance(15 * time.Minute)

		if err := s.ChangePassword(ctx, u.ID, here.ID, "password1", "new-password"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, here.Token); err != nil {
			t.Fatalf("the session that changed the password ended: %v", err)
		}
		_, _, err = s.Session(ctx, there.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "", "")
		_, err = s.Login(ctx, "alice", "password1", "")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		mustLogin(t, s, "alice", "new-password")

		// An administrator's reset ends every session.
		err = s.SetPassword(ctx, u.ID, "short")
		wantErr(t, err, mingbai.EINVALID, "密码至少 8 位", "password")
		if err := s.SetPassword(ctx, u.ID, "reset-password"); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Session(ctx, here.Token)
		wantErr(t, err, mingbai.EUNAUTHORIZED, "", "")
		mustLogin(t, s, "alice", "reset-password")
		wantErr(t, s.SetPassword(ctx, 999999, "reset-password"), mingbai.ENOTFOUND, "", "")
	})
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := seedOrg(t, db)
		s, _ := newService(t, db)
		ctx := context.Background()
		cadreA := mustUser(t, s, auth.NewUser{Username: "cadre_a", Password: "password1"})
		cadreB := mustUser(t, s, auth.NewUser{Username: "cadre_b", Password: "password1"})
		for _, g := range []struct{ user, unit int64 }{{cadreA.ID, o.A}, {cadreB.ID, o.B}} {
			if err := s.Grant(ctx, g.user, mingbai.RoleCadre, g.unit, 0); err != nil {
				t.Fatal(err)
			}
		}
		actorA, err := s.Actor(ctx, cadreA.ID)
		if err != nil {
			t.Fatal(err)
		}
		actorB, err := s.Actor(ctx, cadreB.ID)
		if err != nil {
			t.Fatal(err)
		}

		valid := auth.Registration{CommunityID: o.A, Name: "王大妈", Phone: "13700000001", BuildingUnit: "12栋3单元", Password: "password1"}
		bad := []struct {
			name  string
			edit  func(r *auth.Registration)
			code  string
			field string
			msg   string
		}{
			{"no name", func(r *auth.Registration) { r.Name = " " }, mingbai.EINVALID, "name", "请填写姓名"},
			{"no phone", func(r *auth.Registration) { r.Phone = "" }, mingbai.EINVALID, "phone", "请填写手机号"},
			{"bad phone", func(r *auth.Registration) { r.Phone = "1370000000a" }, mingbai.EINVALID, "phone", "请输入正确的手机号（11 位数字，以 1 开头）"},
			{"no building", func(r *auth.Registration) { r.BuildingUnit = "" }, mingbai.EINVALID, "building_unit", "请填写楼栋单元"},
			{"weak password", func(r *auth.Registration) { r.Password = "13700000001" }, mingbai.EINVALID, "password", "密码不能全是数字，请加入字母或符号"},
			{"no community", func(r *auth.Registration) { r.CommunityID = 0 }, mingbai.EINVALID, "community", "请选择所在社区"},
			{"street", func(r *auth.Registration) { r.CommunityID = o.Street }, mingbai.EINVALID, "community", "请选择所在社区"},
			{"archived", func(r *auth.Registration) { r.CommunityID = o.Archived }, mingbai.EINVALID, "community", "请选择所在社区"},
			{"missing", func(r *auth.Registration) { r.CommunityID = 999999 }, mingbai.EINVALID, "community", "请选择所在社区"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				r := valid
				tc.edit(&r)
				_, err := s.Register(ctx, r)
				wantErr(t, err, tc.code, tc.msg, tc.field)
			})
		}

		u, err := s.Register(ctx, valid)
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != auth.StatusPending || u.CommunityID != o.A || u.BuildingUnit != "12栋3单元" || len(u.Grants) != 0 {
			t.Fatalf("registered = %+v", u)
		}
		_, err = s.Register(ctx, valid)
		wantErr(t, err, mingbai.ECONFLICT, "该手机号已注册，请直接登录", "phone")

		// Pending: a wrong password says nothing more than for anyone; the
		// right one learns that verification is awaited.
		_, err = s.Login(ctx, "13700000001", "password2", "")
		wantErr(t, err, mingbai.EUNAUTHORIZED, badLogin, "")
		_, err = s.Login(ctx, "13700000001", "password1", "")
		wantErr(t, err, mingbai.EFORBIDDEN, "您的注册正在等待社区工作人员审核，审核通过后即可登录", "")

		// Community B's cadre can neither see nor review A's registrations.
		_, err = s.PendingRegistrations(ctx, actorB, o.A)
		wantErr(t, err, mingbai.EFORBIDDEN, "只有本社区的工作人员可以审核居民注册", "")
		wantErr(t, s.VerifyRegistration(ctx, actorB, u.ID), mingbai.EFORBIDDEN, "", "")
		wantErr(t, s.RejectRegistration(ctx, actorB, u.ID, "不是本社区居民"), mingbai.EFORBIDDEN, "", "")
		wantErr(t, s.VerifyRegistration(ctx, nil, u.ID), mingbai.EFORBIDDEN, "", "")
		wantErr(t, s.VerifyRegistration(ctx, &mingbai.Actor{}, u.ID), mingbai.EFORBIDDEN, "", "")

		pending, err := s.PendingRegistrations(ctx, actorA, o.A)
		if err != nil || len(pending) != 1 || pending[0].ID != u.ID {
			t.Fatalf("pending for A = %+v, %v", pending, err)
		}
		if err := s.VerifyRegistration(ctx, actorA, u.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.VerifyRegistration(ctx, actorA, u.ID), mingbai.ECONFLICT, "该注册申请已处理（正常）", "")
		sess := mustLogin(t, s, "13700000001", "password1")
		_, actor, err := s.Session(ctx, sess.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !actor.Has(mingbai.RoleResident, o.A) || len(actor.Grants) != 1 {
			t.Errorf("verified resident's grants = %+v", actor.Grants)
		}
		hist, err := s.GrantHistory(ctx, u.ID)
		if err != nil || len(hist) != 1 || hist[0].GrantedBy != cadreA.ID {
			t.Errorf("grant history = %+v, %v", hist, err)
		}

		// Rejection carries a reason the resident sees; the phone may register again.
		r2 := valid
		r2.Phone, r2.Name = "13700000002", "李大爷"
		u2, err := s.Register(ctx, r2)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.RejectRegistration(ctx, actorA, u2.ID, " "), mingbai.EINVALID, "请填写不通过的原因", "reason")
		if err := s.RejectRegistration(ctx, actorA, u2.ID, "查无此楼栋"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Login(ctx, "13700000002", "password1", "")
		wantErr(t, err, mingbai.EFORBIDDEN, "您的注册未通过社区审核：查无此楼栋", "")
		r2.CommunityID, r2.BuildingUnit = o.B, "3栋"
		again, err := s.Register(ctx, r2)
		if err != nil {
			t.Fatalf("registering again after rejection: %v", err)
		}
		if again.ID != u2.ID || again.Status != auth.StatusPending || again.CommunityID != o.B || again.RejectReason != "" {
			t.Errorf("re-registration = %+v", again)
		}
		// Now community B's cadre reviews it, and A's no longer can.
		wantErr(t, s.VerifyRegistration(ctx, actorA, u2.ID), mingbai.EFORBIDDEN, "", "")
		if err := s.VerifyRegistration(ctx, actorB, u2.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.VerifyRegistration(ctx, actorA, 999999), mingbai.ENOTFOUND, "注册申请不存在", "")
	})
}

func TestGrantsAndActor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := seedOrg(t, db)
		s, c := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "official", Name: "赵官", Password: "password1"})
		admin := mustUser(t, s, auth.NewUser{Username: "admin", Password: "password1"})

		grants := []struct {
			role mingbai.Role
			unit int64
		}{
			{mingbai.RoleCadre, o.A},
			{mingbai.RoleSupervisor, o.C2},
			{mingbai.RoleClerk, o.Dept},
			{mingbai.RoleStreetOfficer, o.Street},
			{mingbai.RoleDistrictAdmin, o.District},
		}
		for _, g := range grants {
			if err := s.Grant(ctx, u.ID, g.role, g.unit, admin.ID); err != nil {
				t.Fatalf("grant %s: %v", g.role, err)
			}
		}
		// Granting again changes nothing.
		if err := s.Grant(ctx, u.ID, mingbai.RoleCadre, o.A, admin.ID); err != nil {
			t.Fatal(err)
		}

		wantErr(t, s.Grant(ctx, u.ID, mingbai.RoleCadre, o.Street, 0), mingbai.EINVALID, "“社区干部”只能授予在社区上，“锁金村街道”是街道", "unit")
		wantErr(t, s.Grant(ctx, u.ID, mingbai.RoleStreetOfficer, o.A, 0), mingbai.EINVALID, "", "unit")
		wantErr(t, s.Grant(ctx, u.ID, mingbai.RoleCadre, o.Archived, 0), mingbai.EINVALID, "“旧社区”已归档，不能再授予角色", "unit")
		wantErr(t, s.Grant(ctx, u.ID, mingbai.Role("mayor"), o.A, 0), mingbai.EINVALID, "", "role")
		wantErr(t, s.Grant(ctx, u.ID, mingbai.RoleCadre, 999999, 0), mingbai.ENOTFOUND, "组织不存在", "")
		wantErr(t, s.Grant(ctx, 999999, mingbai.RoleCadre, o.A, 0), mingbai.ENOTFOUND, "用户不存在", "")

		a, err := s.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []mingbai.Grant{
			{Role: mingbai.RoleCadre, UnitID: o.A, Street: o.Street, District: o.District},
			{Role: mingbai.RoleSupervisor, UnitID: o.C2, Street: o.Street2, District: o.District},
			{Role: mingbai.RoleClerk, UnitID: o.Dept, Street: 0, District: o.District},
			{Role: mingbai.RoleStreetOfficer, UnitID: o.Street, Street: 0, District: o.District},
			{Role: mingbai.RoleDistrictAdmin, UnitID: o.District, Street: 0, District: o.District},
		}
		if a.Name != "赵官" || len(a.Grants) != len(want) {
			t.Fatalf("actor = %+v", a)
		}
		for i := range want {
			if a.Grants[i] != want[i] {
				t.Errorf("grant %d = %+v, want %+v", i, a.Grants[i], want[i])
			}
		}
		_, err = s.Actor(ctx, 999999)
		wantErr(t, err, mingbai.ENOTFOUND, "", "")

		// Revoking keeps the row with when and by whom.
		c.Advance(time.Hour)
		if err := s.Revoke(ctx, u.ID, mingbai.RoleCadre, o.A, admin.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.Revoke(ctx, u.ID, mingbai.RoleCadre, o.A, admin.ID), mingbai.ENOTFOUND, "该用户在这个组织没有“社区干部”角色", "")
		a, err = s.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Has(mingbai.RoleCadre, o.A) || len(a.Grants) != 4 {
			t.Errorf("revoked grant still live: %+v", a.Grants)
		}
		// Granted again after the revocation: a new row, the old one kept.
		c.Advance(time.Hour)
		if err := s.Grant(ctx, u.ID, mingbai.RoleCadre, o.A, admin.ID); err != nil {
			t.Fatal(err)
		}
		hist, err := s.GrantHistory(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cadre []auth.GrantRecord
		for _, h := range hist {
			if h.Role == mingbai.RoleCadre {
				cadre = append(cadre, h)
			}
		}
		if len(cadre) != 2 {
			t.Fatalf("cadre history = %+v", cadre)
		}
		if !cadre[0].GrantedAt.Equal(start) || !cadre[0].RevokedAt.Equal(start.Add(time.Hour)) || cadre[0].RevokedBy != admin.ID ||
			cadre[0].GrantedBy != admin.ID || cadre[0].UnitName != "锁金四村社区" {
			t.Errorf("revoked record = %+v", cadre[0])
		}
		if !cadre[1].RevokedAt.IsZero() || !cadre[1].GrantedAt.Equal(start.Add(2*time.Hour)) {
			t.Errorf("live record = %+v", cadre[1])
		}
		var rows int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM role_grants WHERE user_id = ?", u.ID).Scan(&rows); err != nil || rows != 6 {
			t.Errorf("role_grants rows = %d, %v", rows, err)
		}
	})
}

func TestRehashOnLogin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		var before string
		if err := db.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(before, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("hash = %q", before)
		}
		stronger := auth.TestHashParams
		stronger.Memory = 128
		s.SetHashParams(stronger)
		mustLogin(t, s, "alice", "password1")
		var after string
		if err := db.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(after, "$argon2id$v=19$m=128,t=1,p=1$") {
			t.Fatalf("hash not upgraded at login: %q", after)
		}
		mustLogin(t, s, "alice", "password1")
	})
}

func TestConcurrentGrantsAndLogins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := seedOrg(t, db)
		s, _ := newService(t, db)
		ctx := context.Background()
		u := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 8 {
			wg.Go(func() { errs <- s.Grant(ctx, u.ID, mingbai.RoleCadre, o.A, 0) })
			wg.Go(func() {
				_, err := s.Login(ctx, "alice", "password1", "192.0.2.1")
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		var live int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM role_grants WHERE user_id = ? AND revoked_at IS NULL", u.ID).Scan(&live); err != nil || live != 1 {
			t.Errorf("live grants after concurrent grants = %d, %v", live, err)
		}
		list, err := s.Sessions(ctx, u.ID)
		if err != nil || len(list) != 8 {
			t.Errorf("sessions after concurrent logins = %d, %v", len(list), err)
		}
	})
}
