package auth

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestUnknownLoginCostsAHash checks that a login for a missing account
// does the same password-hashing work as one for an existing account, so
// response times do not tell which phone numbers have accounts. It counts
// the argon2 checks instead of timing them, so a busy machine cannot make
// it pass or fail by chance.
func TestUnknownLoginCostsAHash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db, mingbai.SystemClock)
		s.SetHashParams(TestHashParams)
		if _, err := s.CreateUser(ctx, NewUser{Username: "alice", Password: "password1"}); err != nil {
			t.Fatal(err)
		}
		checks := func(login string) int64 {
			before := s.verifications.Load()
			if _, err := s.Login(ctx, login, "wrong-pass", "192.0.2.1"); err == nil {
				t.Fatalf("login %s with a wrong password succeeded", login)
			}
			return s.verifications.Load() - before
		}
		known, unknown := checks("alice"), checks("nobody")
		if known != 1 || unknown != 1 {
			t.Errorf("password checks: wrong password %d, unknown login %d; want one each", known, unknown)
		}
	})
}
