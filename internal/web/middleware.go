package web

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type ctxKey int

const requestStateKey ctxKey = iota

// RequestID returns the id given to the request by withRequestID.
func RequestID(r *http.Request) string {
	if st := State(r); st != nil {
		return st.id
	}
	return ""
}

func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requestIDs numbers requests after a random prefix drawn at start, so ids
// stay unique across restarts without a random draw per request.
var requestIDs = struct {
	prefix string
	n      atomic.Uint64
}{prefix: newID(4)}

// withRequestID gives each request its state (see withState) and in it an
// id, shown on error pages and in logs so a resident's screenshot leads
// to the log line.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &RequestState{id: nextRequestID()}
		w.Header()["X-Request-Id"] = []string{st.id}
		next.ServeHTTP(w, r.WithContext(withState(r.Context(), st)))
	})
}

func nextRequestID() string {
	return requestIDs.prefix + strconv.FormatUint(requestIDs.n.Add(1), 36)
}

// statusWriter records the status and size of a response for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withAccessLog writes one structured line per request.
func withAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	h := logger.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		logRequest(h, r, RequestID(r), ClientIP(r), sw.status, sw.size, start)
	})
}

// logRequest writes a request's access line. The record is handed to the
// handler directly, without the caller's program counter that
// Logger.LogAttrs looks up on every call: an access line has no source
// worth naming, and it is written once per request.
func logRequest(h slog.Handler, r *http.Request, id, ip string, status, size int, start time.Time) {
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !h.Enabled(ctx, level) {
		return
	}
	now := time.Now()
	rec := slog.NewRecord(now, level, "request", 0)
	rec.AddAttrs(
		slog.String("id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int("bytes", size),
		slog.Duration("took", now.Sub(start)),
		slog.String("ip", ip),
	)
	h.Handle(ctx, rec)
}

// withRecover turns a panic into the Chinese 500 page with the request id;
// the stack goes to the log, never to the client.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.logger.Error("panic", "id", RequestID(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.RenderError(w, r, fmt.Errorf("panic: %v", p))
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing inline: every script and style is a
// file under /static.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders are set on every answer. The slices are shared by all
// requests, which is safe because net/http only reads them and Set and Add
// replace or grow a one-element slice rather than write into it.
var securityHeaders = map[string][]string{
	"Content-Security-Policy":    {contentSecurityPolicy},
	"X-Content-Type-Options":     {"nosniff"},
	"Referrer-Policy":            {"same-origin"},
	"X-Frame-Options":            {"DENY"},
	"Cross-Origin-Opener-Policy": {"same-origin"},
}

var hstsHeader = []string{"max-age=31536000"}

func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header(), r)
		next.ServeHTTP(w, r)
	})
}

func setSecurityHeaders(h http.Header, r *http.Request) {
	for k, v := range securityHeaders {
		h[k] = v
	}
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		h["Strict-Transport-Security"] = hstsHeader
	}
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return w }}

// gzipWriter compresses text responses; anything else (images, already
// compressed data) passes through untouched.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
	on      bool
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	ct := h.Get("Content-Type")
	compressible := strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript")
	if compressible && h.Get("Content-Encoding") == "" {
		w.on = true
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		w.gz = gzipPool.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	}
}

func (w *gzipWriter) WriteHeader(status int) {
	if status != http.StatusNoContent && status != http.StatusNotModified && status >= 200 {
		w.decide()
	} else {
		w.decided = true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.decide()
	}
	if w.on {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) close() {
	if w.on {
		w.gz.Close()
		gzipPool.Put(w.gz)
	}
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var varyEncoding = []string{"Accept-Encoding"}

func varyOnEncoding(h http.Header) {
	if len(h["Vary"]) == 0 {
		h["Vary"] = varyEncoding
	} else {
		h.Add("Vary", "Accept-Encoding")
	}
}

func withGzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		varyOnEncoding(w.Header())
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// ClientIP is the peer address. Behind a reverse proxy the server is
// started with TrustProxy so that X-Forwarded-For's last hop counts.
func ClientIP(r *http.Request) string {
	if st := State(r); st != nil && st.ip != "" {
		return st.ip
	}
	return peerIP(r)
}

// peerIP is the address of the connection's other end.
func peerIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
