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
//
// A request never waits for the disk: it only appends under mu, and the
// write happens outside it, so a write the kernel holds up (a disk busy
// with writeback) delays no answer. Only when logBufferLimit bytes are
// waiting does a request write them itself, which bounds the memory.
type logBuffer struct {
	mu       sync.Mutex // guards buf, pending and flushing
	buf      []byte
	pending  bool // a flush is scheduled
	flushing bool // a flush has been started in the background

	wmu   sync.Mutex // held while writing, so lines go out in order
	w     io.Writer
	spare []byte
}

const (
	logFlushEvery  = 100 * time.Millisecond
	logBufferFlush = 32 << 10 // start a flush in the background
	logBufferLimit = 4 << 20  // make the writer wait
)

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	n := len(b.buf)
	schedule := !b.pending
	if schedule {
		b.pending = true
	}
	background := n >= logBufferFlush && !b.flushing
	if background {
		b.flushing = true
	}
	b.mu.Unlock()
	switch {
	case n >= logBufferLimit:
		return len(p), b.flush()
	case background:
		go b.flush()
	case schedule:
		time.AfterFunc(logFlushEvery, func() { b.flush() })
	}
	return len(p), nil
}

// flush writes what is waiting. The buffer is swapped under mu and
// written under wmu alone.
func (b *logBuffer) flush() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	out := b.buf
	b.buf, b.spare = b.spare[:0], nil
	b.pending, b.flushing = false, false
	b.mu.Unlock()
	if len(out) == 0 {
		b.spare = out
		return nil
	}
	_, err := b.w.Write(out)
	if cap(out) <= 2*logBufferFlush {
		b.spare = out[:0] // reuse, unless a burst grew it large
	}
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
