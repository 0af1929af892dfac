package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestLockoutIsNoWeapon: wrong passwords from one address slow down only
// that address's guesses at that account, with a doubling wait capped at
// 15 minutes; the owner logs in from any address with no recent failure at
// any time, the account is never locked, and a community's shared address
// (a NAT) that sends many failures still lets its other residents in.
func TestLockoutIsNoWeapon(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		mustUser(t, s, auth.NewUser{Username: "alice", Phone: "13811112222", Password: "password1"})
		const attacker, home = "198.51.100.66", "203.0.113.5"

		// Five free guesses from the attacker's address.
		for i := range 5 {
			if got := try(s, "alice", "wrong-pass", attacker); got.code != mingbai.EUNAUTHORIZED {
				t.Fatalf("guess %d: %+v", i+1, got)
			}
		}
		// The sixth must wait a second.
		if got := try(s, "alice", "wrong-pass", attacker); got.code != mingbai.ETOOMANY {
			t.Fatalf("sixth guess at once: %+v, want ETOOMANY", got)
		}
		// The owner, from home, is not affected.
		mustLoginFrom(t, s, "alice", "password1", home)
		mustLoginFrom(t, s, "13811112222", "password1", home)

		// The attacker keeps going, each time waiting exactly as long as
		// told: the waits double and never pass 15 minutes, and the owner
		// logs in from home throughout.
		var waits []time.Duration
		for i := range 16 {
			wait := time.Duration(0)
			for try(s, "alice", "wrong-pass", attacker).code == mingbai.ETOOMANY {
				c.Advance(time.Second)
				wait += time.Second
				if wait > 15*time.Minute+time.Second {
					t.Fatalf("guess %d: waited %v and still refused", i+7, wait)
				}
			}
			waits = append(waits, wait)
			if i%4 == 0 {
				mustLoginFrom(t, s, "alice", "password1", home)
			}
		}
		if waits[1] <= waits[0] || waits[3] <= waits[2] {
			t.Errorf("waits do not grow: %v", waits)
		}
		if last := waits[len(waits)-1]; last < 10*time.Minute || last > 15*time.Minute+time.Second {
			t.Errorf("the longest wait is %v, want about 15 minutes", last)
		}
		mustLoginFrom(t, s, "alice", "password1", home)

		// A shared address: 30 residents behind one NAT each mistype their
		// password five times (150 failures from one address); their
		// neighbours behind the same NAT log in at once.
		const nat = "192.0.2.200"
		// Once the address is hot its typists wait a little after a first
		// failure, seconds, not minutes.
		for i := range 30 {
			login := fmt.Sprintf("typo%02d", i)
			mustUser(t, s, auth.NewUser{Username: login, Password: "password1"})
			for range 5 {
				var wait time.Duration
				for {
					got := try(s, login, "wrong-pass", nat)
					if got.code == mingbai.EUNAUTHORIZED {
						break
					}
					if got.code != mingbai.ETOOMANY || wait > 16*time.Second {
						t.Fatalf("%s after waiting %v: %+v", login, wait, got)
					}
					c.Advance(time.Second)
					wait += time.Second
				}
			}
		}
		for i := range 10 {
			name := fmt.Sprintf("neighbour%d", i)
			mustUser(t, s, auth.NewUser{Username: name, Password: "password1"})
			mustLoginFrom(t, s, name, "password1", nat)
		}
		// And the typists get in after a short wait, not after 15 minutes.
		c.Advance(20 * time.Second)
		mustLoginFrom(t, s, "typo00", "password1", nat)
	})
}

// TestChangePasswordGuessesThrottled: guessing the old password through a
// borrowed session slows that session down and does not lock the account.
func TestChangePasswordGuessesThrottled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		u := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1"})
		sess := mustLogin(t, s, "alice", "password1")
		for i := range 5 {
			err := s.ChangePassword(context.Background(), u.ID, sess.ID, "wrong-old", "new-password-1")
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		err := s.ChangePassword(context.Background(), u.ID, sess.ID, "password1", "new-password-1")
		if mingbai.ErrorCode(err) != mingbai.ETOOMANY {
			t.Fatalf("sixth attempt through the session: %v, want ETOOMANY", err)
		}
		mustLoginFrom(t, s, "alice", "password1", "203.0.113.5")
	})
}

func mustLoginFrom(t *testing.T, s *auth.Service, login, password, ip string) {
	t.Helper()
	if _, err := s.Login(context.Background(), login, password, ip); err != nil {
		t.Fatalf("login %s from %s: %v", login, ip, err)
	}
}

// TestLoginBurstsForAdmins: a run of failures at an account from one
// address is shown to the admins of the account's district, with its
// address and count, and to no other district's admin.
func TestLoginBurstsForAdmins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		o := seedOrg(t, db)
		var other int64
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			other, err = tx.InsertID(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', '秦淮区', 'qinhuai', ?, ?) RETURNING id`, start, start)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		alice := mustUser(t, s, auth.NewUser{Username: "alice", Password: "password1", DistrictID: o.District})
		admin := &mingbai.Actor{UserID: 900, Grants: []mingbai.Grant{{Role: mingbai.RoleDistrictAdmin, UnitID: o.District, District: o.District}}}
		admin2 := &mingbai.Actor{UserID: 901, Grants: []mingbai.Grant{{Role: mingbai.RoleDistrictAdmin, UnitID: other, District: other}}}

		for range 7 {
			for try(s, "alice", "wrong-pass", "198.51.100.9").code == mingbai.ETOOMANY {
				c.Advance(time.Second)
			}
			try(s, "nobody", "wrong-pass", "198.51.100.9")
		}
		// Four failures from elsewhere are no burst.
		for range 4 {
			try(s, "alice", "wrong-pass", "203.0.113.1")
		}
		bursts, err := s.LoginBursts(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(bursts) != 1 {
			t.Fatalf("admin sees %d bursts, want 1: %+v", len(bursts), bursts)
		}
		b := bursts[0]
		if b.UserID != alice.ID || b.Login != "alice" || b.IP != "198.51.100.9" || b.Failures != 7 || !b.LastAt.After(b.FirstAt) {
			t.Errorf("burst %+v, want alice from 198.51.100.9 with 7 failures", b)
		}
		if got, err := s.LoginBursts(ctx, admin2); err != nil || len(got) != 0 {
			t.Errorf("the other district's admin sees %+v (%v)", got, err)
		}
		if _, err := s.LoginBursts(ctx, &mingbai.Actor{UserID: alice.ID}); mingbai.ErrorCode(err) != mingbai.EFORBIDDEN {
			t.Errorf("a non-admin: %v, want EFORBIDDEN", err)
		}
		// Kept for admins after the failures themselves are purged.
		c.Advance(25 * time.Hour)
		if err := s.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := s.LoginBursts(ctx, admin); err != nil || len(got) != 1 {
			t.Errorf("after purging failures: %d bursts (%v), want 1", len(got), err)
		}
	})
}
