package web_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
)

// countingListener counts the writes made to its connections: what the
// kernel is asked to send, under web.BatchWrites.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.writes.Add(1)
	return c.Conn.Write(p)
}

// ReadFrom passes on the TCP connection's own, which sends a file with
// sendfile: one call, however long the file.
func (c *countingConn) ReadFrom(r io.Reader) (int64, error) {
	c.l.writes.Add(1)
	return c.Conn.(io.ReaderFrom).ReadFrom(r)
}

// serveBatched runs h as `mingbai serve` does, on a listener that counts
// writes, and returns its address.
func serveBatched(t *testing.T, hs *http.Server) (string, *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	go hs.Serve(web.BatchWrites(cl))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), cl
}

// answer is one HTTP/1.1 answer read off a keep-alive connection.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func ask(t *testing.T, conn net.Conn, br *bufio.Reader, req string) answer {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, body}
}

// TestBatchWritesSendsCachedPagesWhole: a cached public page larger than
// net/http's 4 KB buffer leaves in one write, header and body together,
// plain and compressed, and reads the same as without batching.
func TestBatchWritesSendsCachedPagesWhole(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	addr, cl := serveBatched(t, f.web.HTTPServer("127.0.0.1:0"))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	const get = "GET /c/suojin-4 HTTP/1.1\r\nHost: mingbai.test\r\n"

	first := ask(t, conn, br, get+"\r\n") // renders and stores the page
	for _, tc := range []struct{ name, extra, encoding string }{
		{"plain", "", ""},
		{"gzip", "Accept-Encoding: gzip\r\n", "gzip"},
		{"plain again", "", ""},
	} {
		before := cl.writes.Load()
		a := ask(t, conn, br, get+tc.extra+"\r\n")
		if got := cl.writes.Load() - before; got != 1 {
			t.Errorf("%s: the answer took %d writes, want 1", tc.name, got)
		}
		if a.status != http.StatusOK || a.header.Get("Content-Encoding") != tc.encoding {
			t.Fatalf("%s: status %d, encoding %q", tc.name, a.status, a.header.Get("Content-Encoding"))
		}
		if tc.encoding == "" {
			if len(a.body) <= 4096 || !bytes.Equal(a.body, first.body) {
				t.Errorf("%s: %d bytes, not the %d-byte page first served", tc.name, len(a.body), len(first.body))
			}
			if a.header.Get("Content-Length") != strconv.Itoa(len(a.body)) || a.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: header %v", tc.name, a.header)
			}
		}
	}
	// An answer that is not a cached page is written as net/http writes
	// it, and the connection still serves the next request.
	if a := ask(t, conn, br, "GET /c/suojin-4/nonsense HTTP/1.1\r\nHost: mingbai.test\r\n\r\n"); a.status != http.StatusNotFound {
		t.Fatalf("missing page: status %d", a.status)
	}
	if a := ask(t, conn, br, get+"\r\n"); a.status != http.StatusOK || !bytes.Equal(a.body, first.body) {
		t.Fatalf("after a 404: status %d, %d bytes", a.status, len(a.body))
	}
}

// TestBatchWritesKeepsSendfile: a file served through a batching
// connection still goes out through the connection's ReadFrom (sendfile
// for a file), whole, and "Connection: close" still ends the connection.
func TestBatchWritesKeepsSendfile(t *testing.T) {
	dir := t.TempDir()
	content := bytes.Repeat([]byte("公开栏附件 0123456789\n"), 20000) // 580 KB
	path := filepath.Join(dir, "notice.txt")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	})}
	addr, cl := serveBatched(t, hs)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	a := ask(t, conn, br, "GET /notice.txt HTTP/1.1\r\nHost: mingbai.test\r\n\r\n")
	if a.status != http.StatusOK || !bytes.Equal(a.body, content) {
		t.Fatalf("status %d, %d bytes of %d", a.status, len(a.body), len(content))
	}
	// net/http copies the first 512 bytes itself and hands the rest to
	// ReadFrom: a handful of writes, not one per 32 KB buffer.
	if n := cl.writes.Load(); n > 2 {
		t.Errorf("the file took %d writes: the connection's ReadFrom was not used", n)
	}
	a = ask(t, conn, br, "GET /notice.txt HTTP/1.1\r\nHost: mingbai.test\r\nConnection: close\r\n\r\n")
	if a.status != http.StatusOK || !bytes.Equal(a.body, content) {
		t.Fatalf("closing request: status %d, %d bytes", a.status, len(a.body))
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("after Connection: close: %q, %v", rest, err)
	}
}
