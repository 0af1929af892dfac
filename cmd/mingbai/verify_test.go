package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
)

// TestVerifySiteAddress runs the real server on a fresh data directory and
// audits it the way the /log page tells people to: the log answers with a
// signed checkpoint of size 0 before anything is published; mingbai verify
// finds the log from the site's address as well as from the log's own; and
// the command the /log page shows, copied as it is, verifies the published
// log and checks it grew from the empty tree seen before.
func TestVerifySiteAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, site, done := serveInProcess(t, ctx, nil)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(site + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	verify := func(args ...string) (string, error) {
		venv, out := logTestEnv()
		err := Run(ctx, venv, append([]string{"verify"}, args...))
		return out.String(), err
	}

	// A new deployment: nothing published, yet a signed checkpoint.
	if code, body := get("/log/checkpoint"); code != http.StatusOK || !strings.HasPrefix(body, "test.example/log\n0\n") {
		t.Fatalf("/log/checkpoint of a new deployment: %d %q", code, body)
	}
	states := t.TempDir()
	for i, addr := range []string{site, site + "/", site + "/log", site + "/log/", site + "/log/checkpoint"} {
		out, err := verify("--state", filepath.Join(states, string(rune('a'+i))), addr)
		if err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "size     0 leaves") {
			t.Errorf("verify %s on a new deployment: %v\n%s", addr, err, out)
		}
	}
	// An address with no log under it is refused with a clear reason.
	if out, err := verify("--state", filepath.Join(states, "none"), site+"/c/nowhere"); err == nil || !strings.Contains(err.Error(), "no transparency log") {
		t.Errorf("verify of an address without a log: %v\n%s", err, out)
	}

	// Publish the demo district and wait for the checkpoint to cover it.
	if _, err := seedDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	// All of it: a version redacted after the checkpoint's leaves is
	// served as redacted while its redaction leaf is not yet covered.
	var leaves int64
	if err := a.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM tlog_leaves").Scan(&leaves)
	}); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); a.log.Checkpoint().Size < leaves; {
		if time.Since(start) > 20*time.Second {
			t.Fatal("no checkpoint covers the demo's leaves within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The command on the /log page, as a resident would copy it.
	code, page := get("/log")
	if code != http.StatusOK {
		t.Fatalf("/log: %d", code)
	}
	m := regexp.MustCompile(`<pre class="note">(mingbai verify [^<]*)</pre>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the /log page shows no mingbai verify command")
	}
	args := shellWords(t, html.UnescapeString(m[1]))
	if len(args) < 3 || args[0] != "mingbai" || args[1] != "verify" {
		t.Fatalf("the /log page's command: %q", args)
	}
	// The state of the first run against the site's address: the log must
	// now prove it grew from the empty tree it showed then.
	args = append([]string{"--state", filepath.Join(states, "a")}, args[2:]...)
	out, err := verify(args...)
	if err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "before   0 leaves") {
		t.Fatalf("the /log page's command %q: %v\n%s", args, err, out)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// shellWords splits a command line the way a POSIX shell does for the
// quoting the /log page uses: words separated by spaces, single quotes
// keep their content as it is.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			w.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", line)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}
