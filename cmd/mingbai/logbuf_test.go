package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the process's stderr, read while the flush timer writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLoggerBuffersOnlyAccessLines(t *testing.T) {
	out := &lockedBuffer{}
	logger, flush := newLogger(&Env{Stderr: out})

	logger.Info("request", "path", "/c/suojin-4", "status", 200)
	if got := out.String(); got != "" {
		t.Fatalf("an access line was written at once: %q", got)
	}
	logger.Info("listening", "addr", "127.0.0.1:8080")
	got := out.String()
	if !strings.Contains(got, "/c/suojin-4") || !strings.Contains(got, "listening") {
		t.Fatalf("another record did not write out what waited before it: %q", got)
	}
	if strings.Index(got, "/c/suojin-4") > strings.Index(got, "listening") {
		t.Fatalf("lines out of order: %q", got)
	}

	logger.Info("request", "path", "/later")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "/later") {
		if time.Now().After(deadline) {
			t.Fatal("a buffered access line was never written")
		}
		time.Sleep(10 * time.Millisecond)
	}

	logger.Error("request", "path", "/broken", "status", 500)
	if !strings.Contains(out.String(), "/broken") {
		t.Fatal("a failed request's line waited in the buffer")
	}
	logger.Info("request", "path", "/last")
	flush()
	if !strings.Contains(out.String(), "/last") {
		t.Fatal("flush at exit left a line behind")
	}
}
