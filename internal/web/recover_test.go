package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPanicBecomesChinese500WithRequestID(t *testing.T) {
	s, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := withRequestID(s.withRecover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	b := rec.Body.String()
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != 500 || !strings.Contains(b, "服务器出错了") || !strings.Contains(b, "服务器内部错误") || id == "" || !strings.Contains(b, id) {
		t.Fatalf("status %d, id %q, body:\n%s", rec.Code, id, b)
	}
	if strings.Contains(b, "secret internal detail") || strings.Contains(b, "goroutine") {
		t.Fatal("panic detail leaked to the client")
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/c/suojin-4":          "/c/suojin-4",
		"/account?x=1":         "/account?x=1",
		"":                     "/",
		"https://evil.example": "/",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
	} {
		if got := LocalPath(in, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAbandonedRequestIsNoError: a visitor who leaves before the answer is
// ready makes the handler fail with context.Canceled; that is logged as an
// abandoned request, not as an internal error with a 500.
func TestAbandonedRequestIsNoError(t *testing.T) {
	var logged strings.Builder
	s, err := New(Config{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/c/x", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	s.RenderError(rec, r, fmt.Errorf("catalog of district 1: %w", ctx.Err()))
	if rec.Body.Len() != 0 || strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "request abandoned") {
		t.Fatalf("status %d, body %q, log:\n%s", rec.Code, rec.Body.String(), logged.String())
	}
	// The same error while the visitor still waits is an internal error.
	logged.Reset()
	rec = httptest.NewRecorder()
	s.RenderError(rec, httptest.NewRequest("GET", "/c/x", nil), fmt.Errorf("catalog of district 1: %w", context.Canceled))
	if rec.Code != 500 || !strings.Contains(logged.String(), "level=ERROR") {
		t.Fatalf("status %d, log:\n%s", rec.Code, logged.String())
	}
}
