package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// TestChoresLoop: runChores runs every chore at once and again at its own
// interval, logs a failing chore by name and keeps running it, and
// returns when its context ends.
func TestChoresLoop(t *testing.T) {
	var mu sync.Mutex
	runs := map[string]int{}
	count := func(name string, err error) func(context.Context) error {
		return func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			runs[name]++
			return err
		}
	}
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
	chores := []chore{
		{"fast", 10 * time.Millisecond, count("fast", nil)},
		{"slow", 50 * time.Millisecond, count("slow", nil)},
		{"failing", 20 * time.Millisecond, count("failing", errors.New("disk on fire"))},
		{"hourly", time.Hour, count("hourly", nil)},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); runChores(ctx, chores, logger) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("runChores did not return after its context ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if runs["fast"] < 5 || runs["slow"] < 2 || runs["failing"] < 3 || runs["hourly"] != 1 {
		t.Errorf("runs in 300 ms: %v; want fast ≥ 5, slow ≥ 2, failing ≥ 3, hourly once", runs)
	}
	if runs["fast"] <= runs["slow"] {
		t.Errorf("the 10 ms chore ran %d times, the 50 ms one %d", runs["fast"], runs["slow"])
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(logs.String(), "chore=failing") || !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the failing chore was not logged:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestServePurgesLoginFailures: the running server purges login failures
// older than they count (issue 13: auth.Purge was never called, so the
// failure table grew forever), and signs a checkpoint for a leaf it did
// not append itself (another node's), from its one chores loop.
func TestServePurgesLoginFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := time.Now().UTC().Add(-48 * time.Hour)
	a, u, done := serveInProcess(t, ctx, func(a *app) {
		if err := a.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO login_failures (account_key, ip, failed_at) VALUES ('user:1', '192.0.2.1', ?), ('login:x', '192.0.2.2', ?)", old, old)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
	db, dir := a.db, a.dataDir
	count := func() (n int) {
		t.Helper()
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures").Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for count() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(); n != 0 {
		t.Errorf("%d login failures older than two days are still there while serving", n)
	}
	// Another node (here a second handle on the same log) appends a leaf:
	// nothing wakes this server's integrator, its chores loop must sign.
	other, err := tlog.OpenWith(ctx, db, dir, "test.example/log", nil, tlog.Options{NoIntegrator: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	size := a.log.Checkpoint().Size
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := other.AppendEntry(ctx, tx, []byte("a leaf of another node\n"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for a.log.Checkpoint().Size == size && time.Now().Before(deadline.Add(5*time.Second)) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := a.log.Checkpoint().Size; got != size+1 {
		t.Errorf("checkpoint size %d after another node's leaf, want %d", got, size+1)
	}
	if resp, err := http.Get(u + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
