package auth

import (
	"context"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestUnknownLoginCostsAHash checks that a login for a missing account
// does the same password-hashing work as one for an existing account, so
// response times do not tell which phone numbers have accounts. Only lower
// bounds are asserted (a login must take at least about one hash), which a
// busy machine cannot make fail.
func TestUnknownLoginCostsAHash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db, mingbai.SystemClock)
		// Heavy enough that a hash dwarfs the database work.
		s.SetHashParams(HashParams{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
		if _, err := s.CreateUser(ctx, NewUser{Username: "alice", Password: "password1"}); err != nil {
			t.Fatal(err)
		}
		fastest := func(f func()) time.Duration {
			best := time.Hour
			for range 3 {
				t0 := time.Now()
				f()
				best = min(best, time.Since(t0))
			}
			return best
		}
		hash := fastest(func() { hashPassword("password1", s.params) })
		known := fastest(func() { s.Login(ctx, "alice", "wrong-pass", "") })
		unknown := fastest(func() { s.Login(ctx, "nobody", "wrong-pass", "") })
		t.Logf("hash %v, wrong password %v, unknown login %v", hash, known, unknown)
		if known < hash/2 || unknown < hash/2 {
			t.Errorf("a failed login took less than half a hash: hash %v, wrong password %v, unknown login %v", hash, known, unknown)
		}
	})
}
