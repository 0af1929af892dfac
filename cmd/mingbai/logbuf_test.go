package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
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

// TestAccessLineIsSlogText holds the access-line path to what slog's
// TextHandler writes for the same record, and sends what it cannot
// write the same way back to the TextHandler.
func TestAccessLineIsSlogText(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	base := time.Date(2026, 11, 27, 9, 30, 5, 0, time.UTC)
	attrs := func(path, ip string, took time.Duration) []slog.Attr {
		return []slog.Attr{
			slog.String("id", "03ddabf3av5k"), slog.String("method", "GET"), slog.String("path", path),
			slog.Int("status", 200), slog.Int("bytes", 16101), slog.Duration("took", took), slog.String("ip", ip),
		}
	}
	cases := []struct {
		name  string
		when  time.Time
		attrs []slog.Attr
		plain bool
	}{
		{"whole second", base, attrs("/c/suojin-4", "127.0.0.1", 23595*time.Nanosecond), true},
		{"milliseconds", base.Add(7*time.Millisecond + 999*time.Microsecond), attrs("/", "::1", 3*time.Millisecond), true},
		{"last millisecond", base.Add(999*time.Millisecond + 999999), attrs("/static/app.css", "10.0.0.1", time.Second), true},
		{"same second again", base.Add(500 * time.Millisecond), attrs("/c/suojin-4/qa", "10.0.0.2", 0), true},
		{"another zone", base.In(shanghai).Add(42 * time.Millisecond), attrs("/c/x", "10.0.0.3", 5*time.Microsecond), true},
		{"path with a space", base, attrs("/c/a b", "127.0.0.1", 1), false},
		{"Chinese path", base, attrs("/c/锁金", "127.0.0.1", 1), false},
		{"quote", base, attrs(`/c/"x"`, "127.0.0.1", 1), false},
		{"empty ip", base, attrs("/c/x", "", 1), false},
		{"equals sign", base, attrs("/c/x=1", "127.0.0.1", 1), false},
		{"other kind", base, append(attrs("/c/x", "127.0.0.1", 1), slog.Bool("cached", true)), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := slog.NewRecord(tc.when, slog.LevelInfo, "request", 0)
			r.AddAttrs(tc.attrs...)
			var want bytes.Buffer
			if err := slog.NewTextHandler(&want, nil).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			got, ok := appendAccessLine(nil, r)
			if ok != tc.plain {
				t.Fatalf("plain = %v, want %v (slog wrote %q)", ok, tc.plain, want.String())
			}
			if ok && string(got) != want.String() {
				t.Errorf("access line\n got %q\nwant %q", got, want.String())
			}

			// Through the logger, every case comes out as slog writes it.
			out := &syncBuffer{}
			logger, flush := newLogger(&Env{Stderr: out})
			logger.Handler().Handle(context.Background(), r)
			flush()
			if out.String() != want.String() {
				t.Errorf("logged\n got %q\nwant %q", out.String(), want.String())
			}
		})
	}
}
