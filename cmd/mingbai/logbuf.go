package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
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
	// plain is set on the root handler only: a handler made by WithAttrs
	// or WithGroup carries attributes the access-line path would drop.
	plain bool
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo && r.Message == "request" {
		if h.plain {
			lp := accessLines.Get().(*[]byte)
			line, ok := appendAccessLine((*lp)[:0], r)
			if ok {
				_, err := h.buf.Write(line)
				*lp = line
				accessLines.Put(lp)
				return err
			}
			accessLines.Put(lp)
		}
		return h.Handler.Handle(ctx, r)
	}
	err := h.Handler.Handle(ctx, r)
	h.buf.flush()
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.buf, false}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf, false}
}

var accessLines = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// appendAccessLine appends r as slog's TextHandler writes it, for the
// records an access log is made of: strings that need no quoting, ints
// and durations. It reports false for anything else, which then takes
// the TextHandler. The access log has a line per request, and this path
// costs a third of the general one.
func appendAccessLine(b []byte, r slog.Record) ([]byte, bool) {
	b = append(b, "time="...)
	b = appendStamp(b, r.Time)
	b = append(b, " level=INFO msg="...)
	if !plainText(r.Message) {
		return b, false
	}
	b = append(b, r.Message...)
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		if !plainText(a.Key) {
			ok = false
			return false
		}
		b = append(b, ' ')
		b = append(b, a.Key...)
		b = append(b, '=')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			if ok = plainText(v.String()); ok {
				b = append(b, v.String()...)
			}
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindDuration:
			b = append(b, v.Duration().String()...)
		default:
			ok = false
		}
		return ok
	})
	return append(b, '\n'), ok
}

// stampFormat is slog's: RFC 3339 to the millisecond.
const stampFormat = "2006-01-02T15:04:05.000Z07:00"

// lastStamp is the stamp of a whole second, kept because formatting a
// time is a good part of an access line's cost and most lines fall in
// the same second as the one before.
var lastStamp atomic.Pointer[secondStamp]

type secondStamp struct {
	unix int64
	loc  *time.Location
	text []byte // stampFormat at unix seconds, milliseconds 000
}

func appendStamp(b []byte, t time.Time) []byte {
	sec := t.Unix()
	st := lastStamp.Load()
	if st == nil || st.unix != sec || st.loc != t.Location() {
		st = &secondStamp{unix: sec, loc: t.Location(), text: time.Unix(sec, 0).In(t.Location()).AppendFormat(nil, stampFormat)}
		lastStamp.Store(st)
	}
	// The milliseconds follow "2006-01-02T15:04:05."; a year with other
	// than four digits has them elsewhere and is formatted in full.
	if len(st.text) < 23 || st.text[19] != '.' || st.text[4] != '-' {
		return t.Truncate(time.Millisecond).AppendFormat(b, stampFormat)
	}
	ms := t.Nanosecond() / 1e6
	n := len(b)
	b = append(b, st.text...)
	b[n+20] = byte('0' + ms/100)
	b[n+21] = byte('0' + ms/10%10)
	b[n+22] = byte('0' + ms%10)
	return b
}

// plainText reports whether slog's TextHandler writes s as it is: not
// empty, and printable ASCII other than space, '=' and '"'. It is
// stricter than slog (which also leaves most non-ASCII text unquoted) so
// that it never differs from it.
func plainText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '=' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// newLogger is the server's logger, writing text lines to env.Stderr
// through a logBuffer; call the returned func before exiting.
func newLogger(env *Env) (*slog.Logger, func()) {
	buf := &logBuffer{w: env.Stderr}
	text := slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(flushingHandler{text, buf, true}), func() { buf.flush() }
}
