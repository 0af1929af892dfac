package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/store"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func logTestEnv() (*Env, *syncBuffer) {
	out := &syncBuffer{}
	return &Env{Stdout: out, Stderr: out, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}, out
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestLogCommands runs the bench server, appends through POST /add, and
// audits the result with verify and fsck, then tampers with a stored hash.
func TestLogCommands(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data, state := t.TempDir(), t.TempDir()
	env, out := logTestEnv()
	if err := Run(ctx, env, []string{"log", "key", "--data", data, "--origin", "bench.example/log"}); err != nil {
		t.Fatal(err)
	}
	vkey := strings.TrimSpace(out.String())
	if !strings.HasPrefix(vkey, "bench.example/log+") {
		t.Fatalf("log key printed %q", vkey)
	}

	addr := freeAddr(t)
	srvEnv, srvOut := logTestEnv()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, srvEnv, []string{"log", "bench-server", "--addr", addr, "--data", data, "--origin", "bench.example/log"})
	}()
	base := "http://" + addr + "/"
	for start := time.Now(); !strings.Contains(srvOut.String(), "bench server on"); {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("bench server did not start: %s", srvOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range 300 {
		if err := post(ctx, http.DefaultClient, base+"add", []byte(fmt.Sprintf("entry %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// Wait for the checkpoint to cover them.
	for start := time.Now(); ; {
		resp, err := http.Get(base + "checkpoint")
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if strings.Contains(b.String(), "\n300\n") {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("no checkpoint of size 300 within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	venv, vout := logTestEnv()
	if err := Run(ctx, venv, []string{"verify", "--key", vkey, "--state", state, base}); err != nil {
		t.Fatalf("verify: %v\n%s", err, vout.String())
	}
	if !strings.Contains(vout.String(), "OK") {
		t.Fatalf("verify said %s", vout.String())
	}
	fenv, fout := logTestEnv()
	if err := Run(ctx, fenv, []string{"fsck", "--data", data}); err != nil {
		t.Fatalf("fsck: %v\n%s", err, fout.String())
	}

	// An administrator edits a stored hash behind the server's back.
	db, err := store.Open(ctx, filepath.Join(data, "mingbai.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE tlog_hashes SET hash = ? WHERE idx = 3", make([]byte, 32))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	venv, vout = logTestEnv()
	if err := Run(ctx, venv, []string{"verify", "--state", state, base}); err == nil || !strings.Contains(vout.String(), "differs from the tree recomputed") {
		t.Fatalf("verify of a tampered log: %v\n%s", err, vout.String())
	}
	fenv, fout = logTestEnv()
	if err := Run(ctx, fenv, []string{"fsck", "--data", data}); err == nil || !strings.Contains(fout.String(), "stored hash 3") {
		t.Fatalf("fsck of a tampered log: %v\n%s", err, fout.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// post adds one entry through the demo log's HTTP API.
func post(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, b)
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return fmt.Errorf("POST %s: answer %q is not an index", url, b)
	}
	return nil
}
