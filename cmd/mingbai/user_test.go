package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// runCmd runs mingbai with args against the database dsn, stdin as input,
// and returns what it printed.
func runCmd(t *testing.T, dsn, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(key string) string {
			if key == "MINGBAI_DB" {
				return dsn
			}
			return ""
		},
	}
	err := Run(context.Background(), env, args)
	return out.String() + errOut.String(), err
}

func seedUnits(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.Write(ctx, func(tx *store.Tx) error {
		d, err := tx.InsertID(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at)
			VALUES ('district', '玄武区', 'xuanwu', ?, ?) RETURNING id`, now, now)
		if err != nil {
			return err
		}
		s, err := tx.InsertID(ctx, `INSERT INTO org_units (kind, parent_id, district_id, name, slug, created_at, updated_at)
			VALUES ('street', ?, ?, '锁金村街道', 'suojin', ?, ?) RETURNING id`, d, d, now, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO org_units (kind, parent_id, district_id, name, slug, created_at, updated_at)
			VALUES ('community', ?, ?, '锁金四村社区', 'suojin-4', ?, ?)`, s, d, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUserCommand(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedUnits(t, db)
		ctx := context.Background()
		svc := auth.NewService(db, mingbai.SystemClock)

		out, err := runCmd(t, db.URL, "first-password\n", "user", "add", "--username", "admin", "--name", "区管理员",
			"--password-stdin", "--role", "district_admin", "--unit", "xuanwu")
		if err != nil {
			t.Fatalf("user add: %v\n%s", err, out)
		}
		if !strings.Contains(out, "created user") || !strings.Contains(out, "granted district_admin on xuanwu to admin") {
			t.Errorf("user add printed %q", out)
		}
		if _, err := svc.Login(ctx, "admin", "first-password", ""); err != nil {
			t.Fatalf("login as the new admin: %v", err)
		}

		// The phone, a Chinese role name and a unit slug.
		if out, err := runCmd(t, db.URL, "alice-password\n", "user", "add", "--phone", "13811112222", "--password-stdin"); err != nil {
			t.Fatalf("user add by phone: %v\n%s", err, out)
		}
		if out, err := runCmd(t, db.URL, "", "user", "grant", "--role", "社区干部", "--unit", "suojin-4", "13811112222"); err != nil {
			t.Fatalf("user grant: %v\n%s", err, out)
		}
		out, err = runCmd(t, db.URL, "", "user", "list", "--community", "suojin-4")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "13811112222") || !strings.Contains(out, "cadre@suojin-4") || strings.Contains(out, "admin") {
			t.Errorf("user list --community:\n%s", out)
		}

		// Mistakes get a clear message and change nothing.
		_, err = runCmd(t, db.URL, "", "user", "grant", "--role", "cadre", "--unit", "nowhere", "13811112222")
		if err == nil || err.Error() != "没有标识为“nowhere”的社区" {
			t.Errorf("unknown unit: %v", err)
		}
		_, err = runCmd(t, db.URL, "", "user", "grant", "--role", "mayor", "--unit", "suojin-4", "13811112222")
		if exitCode(err) != 2 {
			t.Errorf("unknown role: %v (exit %d)", err, exitCode(err))
		}
		_, err = runCmd(t, db.URL, "short\n", "user", "add", "--username", "bob", "--password-stdin")
		if err == nil || err.Error() != "密码至少 8 位" || mingbai.ErrorCode(err) != mingbai.EINVALID {
			t.Errorf("weak password: %v", err)
		}
		_, err = runCmd(t, db.URL, "", "user", "add", "--username", "bob")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "--password-stdin") {
			t.Errorf("no terminal and no --password-stdin: %v", err)
		}
		out, err = runCmd(t, db.URL, "", "user", "add", "-h")
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "--password-stdin") {
			t.Errorf("user add -h: %v\n%s", err, out)
		}
		out, err = runCmd(t, db.URL, "", "user")
		if exitCode(err) != 2 || !strings.Contains(out, "passwd") {
			t.Errorf("user without subcommand: %v\n%s", err, out)
		}

		// passwd ends the account's sessions.
		sess, err := svc.Login(ctx, "13811112222", "alice-password", "")
		if err != nil {
			t.Fatal(err)
		}
		if out, err := runCmd(t, db.URL, "alice-new-password\n", "user", "passwd", "--password-stdin", "13811112222"); err != nil {
			t.Fatalf("user passwd: %v\n%s", err, out)
		}
		if _, _, err := svc.Session(ctx, sess.Token); mingbai.ErrorCode(err) != mingbai.EUNAUTHORIZED {
			t.Errorf("session survived passwd: %v", err)
		}
		if _, err := svc.Login(ctx, "13811112222", "alice-new-password", ""); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}

		if out, err := runCmd(t, db.URL, "", "user", "revoke", "--role", "cadre", "--unit", "suojin-4", "13811112222"); err != nil {
			t.Fatalf("user revoke: %v\n%s", err, out)
		}
		out, err = runCmd(t, db.URL, "", "user", "list", "--query", "1381111")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "cadre@") || !strings.Contains(out, "13811112222") {
			t.Errorf("revoked role still listed:\n%s", out)
		}
		alice, err := svc.UserByLogin(ctx, "13811112222")
		if err != nil {
			t.Fatal(err)
		}
		hist, err := svc.GrantHistory(ctx, alice.ID)
		if err != nil || len(hist) != 1 || hist[0].RevokedAt.IsZero() {
			t.Errorf("revocation not kept in the history: %+v, %v", hist, err)
		}
	})
}
