package tlog_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestOpenRemovesStaleTemps: a crash between writing the checkpoint file's
// temporary copy and renaming it leaves the copy behind; the next start
// removes it once it is older than StaleTempAge, and leaves a fresh one
// (another process may be writing it) and the real files alone.
func TestOpenRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	db := storetest.SQLite(t)
	l, err := tlog.Open(context.Background(), db, dir, origin, mingbai.SystemClock)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	stale := filepath.Join(dir, ".log.checkpoint.1751315318")
	fresh := filepath.Join(dir, ".log.checkpoint.391850973")
	staleKey := filepath.Join(dir, ".log.key.27182818")
	for _, p := range []string{stale, fresh, staleKey} {
		if err := os.WriteFile(p, []byte("half a checkpoint"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-tlog.StaleTempAge - time.Hour)
	for _, p := range []string{stale, staleKey} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	l, err = tlog.Open(context.Background(), db, dir, origin, mingbai.SystemClock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Refusal(); err != nil {
		t.Fatalf("the log refuses writes: %v", err)
	}
	for _, p := range []string{stale, staleKey} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: still there (%v)", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	if _, err := os.Stat(tlog.KeyPath(dir)); err != nil {
		t.Errorf("the key: %v", err)
	}
}
