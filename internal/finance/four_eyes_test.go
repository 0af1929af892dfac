package finance_test

import (
	"context"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestReviewIsBySecondPerson: a statement's review steps are done by a
// person other than whoever did the step before, whatever roles anyone
// holds now. The reported case: a cadre closes a month, is then made a
// supervisor and loses the cadre role, and must still not approve (or
// return) the statement they prepared; another supervisor may. Accounts and
// grants are real (auth), so the roles are those a session would carry.
func TestReviewIsBySecondPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		users := auth.NewService(db, mingbai.SystemClock)
		users.SetHashParams(auth.TestHashParams)
		account := func(username, name string, roles ...mingbai.Role) int64 {
			u, err := users.CreateUser(ctx, auth.NewUser{Username: username, Name: name, Password: "four-eyes-123"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range roles {
				if err := users.Grant(ctx, u.ID, r, e.demo.Suojin4, 0); err != nil {
					t.Fatal(err)
				}
			}
			return u.ID
		}
		actorOf := func(id int64) *mingbai.Actor {
			a, err := users.Actor(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		samePerson := func(step string, err error) {
			t.Helper()
			wantCode(t, err, mingbai.EFORBIDDEN)
			if msg := mingbai.ErrorMessage(err); !strings.Contains(msg, "另一人") {
				t.Fatalf("%s by the same person: %q does not say it needs another person", step, msg)
			}
		}
		x := account("fe-x", "钱晓", mingbai.RoleCadre)
		y := account("fe-y", "赵监督", mingbai.RoleSupervisor)
		jan, feb := finance.Period(202501), finance.Period(202502)
		e.mustPost(finance.MakeDate(2025, 1, 9), "银行存款", "活动经费", "1,200", "纳凉晚会")
		e.mustPost(finance.MakeDate(2025, 2, 9), "现金", "办公费", "88", "打印纸")

		// X closes January as a cadre, then becomes a supervisor and
		// stops being a cadre.
		if err := e.fin.Close(ctx, actorOf(x), e.demo.Suojin4, jan, ""); err != nil {
			t.Fatal(err)
		}
		if err := users.Grant(ctx, x, mingbai.RoleSupervisor, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		if err := users.Revoke(ctx, x, mingbai.RoleCadre, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		nowX := actorOf(x)
		if !nowX.Has(mingbai.RoleSupervisor, e.demo.Suojin4) || nowX.Has(mingbai.RoleCadre, e.demo.Suojin4) {
			t.Fatalf("X's roles now: %+v", nowX.Grants)
		}
		samePerson("approve", e.fin.Approve(ctx, nowX, e.demo.Suojin4, jan, "同意"))
		samePerson("return", e.fin.Return(ctx, nowX, e.demo.Suojin4, jan, "请补发票"))
		if v, err := e.fin.StatementOf(ctx, e.officer, e.demo.Suojin4, jan); err != nil || v.Status != finance.StatusClosed {
			t.Fatalf("after the refused approval: %+v %v", v, err)
		}
		// Another supervisor approves.
		if err := e.fin.Approve(ctx, actorOf(y), e.demo.Suojin4, jan, "同意公开"); err != nil {
			t.Fatal(err)
		}
		if v, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, jan); err != nil || v.Status != finance.StatusPublished {
			t.Fatalf("approved by another supervisor: %+v %v", v, err)
		}

		// February: W, cadre and supervisor at once, closes; W may neither
		// return nor approve it. Y returns it; W answers; Y may not answer
		// its own return even as a cadre, nor may W approve the answer W
		// wrote. X (who did none of February's steps) approves.
		w := account("fe-w", "孙兼", mingbai.RoleCadre, mingbai.RoleSupervisor)
		if err := e.fin.Close(ctx, actorOf(w), e.demo.Suojin4, feb, ""); err != nil {
			t.Fatal(err)
		}
		samePerson("approve", e.fin.Approve(ctx, actorOf(w), e.demo.Suojin4, feb, ""))
		samePerson("return", e.fin.Return(ctx, actorOf(w), e.demo.Suojin4, feb, "自己退回"))
		if err := e.fin.Return(ctx, actorOf(y), e.demo.Suojin4, feb, "请说明打印纸用途"); err != nil {
			t.Fatal(err)
		}
		if err := users.Grant(ctx, y, mingbai.RoleCadre, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		samePerson("answer", e.fin.Answer(ctx, actorOf(y), e.demo.Suojin4, feb, "自己答复"))
		if err := e.fin.Answer(ctx, actorOf(w), e.demo.Suojin4, feb, "居委会日常办公用"); err != nil {
			t.Fatal(err)
		}
		samePerson("approve", e.fin.Approve(ctx, actorOf(w), e.demo.Suojin4, feb, ""))
		if err := e.fin.Approve(ctx, nowX, e.demo.Suojin4, feb, "同意公开"); err != nil {
			t.Fatal(err)
		}
		if v, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, feb); err != nil || v.Status != finance.StatusPublished {
			t.Fatalf("February: %+v %v", v, err)
		}
	})
}
