package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/store"
)

func testEnv(stdin string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, &out, &errb
}

// serveInProcess runs the program as `mingbai serve` does, inside this test
// process, so a test can reach its app as well as its HTTP address: a fresh
// data directory and database, the app on them, then serve on port 0 until
// ctx ends. before, if not nil, runs on the app before serve starts (seed
// data, rows for a chore to find). It returns serve's address and a channel
// that gets serve's result once it has shut down.
func serveInProcess(t *testing.T, ctx context.Context, before func(a *app)) (a *app, url string, done <-chan error) {
	t.Helper()
	dir := t.TempDir()
	f := &serveFlags{addr: "127.0.0.1:0", siteName: "测试"}
	f.data = dir
	db, err := f.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err = newApp(ctx, db, dir, "test.example/log", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	// The demo's accounts would cost 50 ms of argon2 each; these tests are
	// not about passwords.
	a.auth.SetHashParams(auth.TestHashParams)
	if before != nil {
		before(a)
	}
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	env, _, _ := testEnv("")
	go func() { served <- serve(ctx, env, a, f, func(u string) { urlc <- u }) }()
	select {
	case url = <-urlc:
	case err := <-served:
		t.Fatalf("serve did not start: %v", err)
	}
	return a, url, served
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands {
		env, _, errb := testEnv("")
		err := Run(context.Background(), env, []string{c.name, "-h"})
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("mingbai %s -h: %v", c.name, err)
		}
		if !strings.Contains(errb.String(), "Usage") && !strings.Contains(errb.String(), "usage") {
			t.Errorf("mingbai %s -h printed no usage:\n%s", c.name, errb.String())
		}
	}
	env, _, _ := testEnv("")
	if err := Run(context.Background(), env, []string{"no-such-command"}); exitCode(err) != 2 {
		t.Errorf("unknown command: exit %d, want 2", exitCode(err))
	}
}

func TestMigrateAndNewerSchema(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	env, out, _ := testEnv("")
	if err := Run(ctx, env, []string{"migrate", "--data", dir}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 0001_foundation") {
		t.Errorf("migrate output:\n%s", out)
	}
	env, out, _ = testEnv("")
	if err := Run(ctx, env, []string{"migrate", "--status", "--data", dir}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "pending") || !strings.Contains(out.String(), "0001 0001_foundation") {
		t.Errorf("migrate --status output:\n%s", out)
	}

	// Pretend a newer mingbai migrated the database: this one must refuse it.
	db, err := store.Open(ctx, filepath.Join(dir, "mingbai.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future', ?)", time.Now().UTC())
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"migrate", "--data", dir}, {"serve", "--data", dir, "--addr", "127.0.0.1:0"}} {
		env, _, _ := testEnv("")
		err := Run(ctx, env, args)
		if err == nil || !strings.Contains(err.Error(), "upgrade mingbai") {
			t.Errorf("%v on a newer schema: %v", args, err)
		}
	}
}

// TestServeGracefulShutdown starts the real server in-process, cancels it
// while a request is in flight, and checks the request still completes.
func TestServeGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, u, done := serveInProcess(t, ctx, func(a *app) {
		if _, err := seedDemo(ctx, a); err != nil {
			t.Fatal(err)
		}
	})
	resp, err := http.Get(u + "/c/suojin-4")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "锁金四村社区") {
		t.Fatalf("community page: %d", resp.StatusCode)
	}
	// Hold a connection open mid-request: headers sent, body still coming.
	pr, pw := io.Pipe()
	inflight := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", u+"/login", pr)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			inflight <- -1
			return
		}
		resp.Body.Close()
		inflight <- resp.StatusCode
	}()
	pw.Write([]byte("login=x"))
	time.Sleep(200 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	pw.Close()
	if code := <-inflight; code <= 0 {
		t.Errorf("in-flight request was cut off (%d)", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
	if _, err := http.Get(u + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}
