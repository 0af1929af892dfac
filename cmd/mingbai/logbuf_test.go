package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLoggerBuffersOnlyAccessLines(t *testing.T) {
	out := &syncBuffer{}
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

// stuckWriter is a log file on a disk that holds up writes until released.
type stuckWriter struct {
	entered chan struct{}
	release chan struct{}
	syncBuffer
}

func (s *stuckWriter) Write(p []byte) (int, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return s.syncBuffer.Write(p)
}

// TestLoggerNeverWaitsForTheDisk: while a write of the log is held up,
// access lines are still taken at once; they go out, in order, once the
// write returns.
func TestLoggerNeverWaitsForTheDisk(t *testing.T) {
	out := &stuckWriter{entered: make(chan struct{}, 1), release: make(chan struct{})}
	logger, flush := newLogger(&Env{Stderr: out})
	// Enough lines to start a background flush, which then hangs.
	for i := range 400 {
		logger.Info("request", "n", i, "path", strings.Repeat("/x", 50))
	}
	<-out.entered
	done := make(chan struct{})
	go func() {
		for i := 400; i < 800; i++ {
			logger.Info("request", "n", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("logging waited for a write held up by the disk")
	}
	close(out.release)
	flush()
	got := out.String()
	last := -1
	for i := range 800 {
		at := strings.Index(got, fmt.Sprintf(" n=%d ", i))
		if at < 0 {
			at = strings.Index(got, fmt.Sprintf(" n=%d\n", i))
		}
		if at < 0 || at < last {
			t.Fatalf("line %d missing or out of order", i)
		}
		last = at
	}
}
