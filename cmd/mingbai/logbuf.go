package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logBuffer gathers log lines into few writes. The access log has a line
// per request, and a write per line is a system call per request, which
// under load costs more than serving a cached page. Lines wait at most
// logFlushEvery; anything but an ordinary access line is written at once
// (see flushingHandler), and close writes what is left.
type logBuffer struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	pending bool // a flush is scheduled
}

const (
	logFlushEvery = 100 * time.Millisecond
	logBufferMax  = 32 << 10
)

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufferMax {
		return len(p), b.flushLocked()
	}
	if !b.pending {
		b.pending = true
		time.AfterFunc(logFlushEvery, func() { b.flush() })
	}
	return len(p), nil
}

func (b *logBuffer) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	b.pending = false
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// flushingHandler writes the buffer out after every record that someone
// may be waiting to read: anything other than an access-log line of a
// request that went well (web's withAccessLog logs those as "request" at
// Info).
type flushingHandler struct {
	slog.Handler
	buf *logBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level > slog.LevelInfo || r.Message != "request" {
		h.buf.flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}

// newLogger is the server's logger, writing text lines to env.Stderr
// through a logBuffer; call the returned func before exiting.
func newLogger(env *Env) (*slog.Logger, func()) {
	buf := &logBuffer{w: env.Stderr}
	text := slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(flushingHandler{text, buf}), func() { buf.flush() }
}
