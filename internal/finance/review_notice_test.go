package finance_test

import (
	"context"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/finance"
	"mingbai/internal/notice"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestReviewNotifiesTheNextStep: closing a month tells the supervisors,
// returning it tells the cadres, answering tells the supervisors again
// and approving tells the cadres, each with a link to the statement; the
// street's officers, another community's cadres and the one who acted are
// not told.
func TestReviewNotifiesTheNextStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		users := auth.NewService(db, e.clock.now)
		users.SetHashParams(auth.TestHashParams)
		account := func(name string, role mingbai.Role, unit int64) *mingbai.Actor {
			t.Helper()
			u, err := users.CreateUser(ctx, auth.NewUser{Username: name, Name: name, Password: "test-pass-123"})
			if err != nil {
				t.Fatal(err)
			}
			if err := users.Grant(ctx, u.ID, role, unit, 0); err != nil {
				t.Fatal(err)
			}
			a, err := users.Actor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		cadre := account("ganbu", mingbai.RoleCadre, e.demo.Suojin4)
		super := account("jiandu", mingbai.RoleSupervisor, e.demo.Suojin4)
		other := account("ganbu1", mingbai.RoleCadre, e.demo.Suojin1)
		officer := account("jiedao", mingbai.RoleStreetOfficer, e.demo.Suojincun)
		inbox := notice.NewService(db, e.clock.now)
		kinds := func(a *mingbai.Actor) []string {
			t.Helper()
			notes, _, err := inbox.Inbox(ctx, a.UserID, 50)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for i := len(notes) - 1; i >= 0; i-- {
				n := notes[i]
				if n.Link != "/c/suojin-4/finance/statements/2025-01" || !strings.Contains(n.Text, "2025年1月") {
					t.Errorf("notice %q links %q", n.Text, n.Link)
				}
				out = append(out, n.Kind)
			}
			return out
		}

		e.mustPost(finance.MakeDate(2025, 1, 9), "银行存款", "活动经费", "6,008.14", "纳凉晚会")
		jan := finance.Period(202501)
		steps := []struct {
			name string
			do   func() error
		}{
			{"close", func() error { return e.fin.Close(ctx, cadre, e.demo.Suojin4, jan, "") }},
			{"return", func() error { return e.fin.Return(ctx, super, e.demo.Suojin4, jan, "请附居民会议决议。") }},
			{"answer", func() error { return e.fin.Answer(ctx, cadre, e.demo.Suojin4, jan, "决议见第3次居民会议。") }},
			{"approve", func() error { return e.fin.Approve(ctx, super, e.demo.Suojin4, jan, "同意公开") }},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		if got, want := strings.Join(kinds(super), " "), "statement_close statement_answer"; got != want {
			t.Errorf("the supervisor was told %q, want %q", got, want)
		}
		if got, want := strings.Join(kinds(cadre), " "), "statement_return statement_approve"; got != want {
			t.Errorf("the cadre was told %q, want %q", got, want)
		}
		for _, a := range []*mingbai.Actor{other, officer} {
			if got := kinds(a); len(got) != 0 {
				t.Errorf("%s was told %v", a.Name, got)
			}
		}
	})
}
