package tlog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/client"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestEmptyLogHasCheckpoint: a log signs a checkpoint of size 0 (root
// SHA-256 of nothing, RFC 6962's empty tree) at its first start, as other
// tlog-tiles logs do, so /checkpoint answers 200 before anything is
// published and C2SP clients (Tessera's here) can start on a new
// deployment. The auditor and fsck accept it, a restart keeps it, and the
// later tree is checked as consistent with it.
func TestEmptyLogHasCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir, state := t.TempDir(), t.TempDir()
		open := func() *tlog.Log {
			l, err := tlog.OpenWith(ctx, db, dir, origin, mingbai.FixedClock(t0), tlog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		l := open()
		closed := false
		t.Cleanup(func() {
			if !closed {
				l.Close()
			}
		})
		empty := sha256.Sum256(nil)
		cp := l.Checkpoint()
		if cp.Size != 0 || cp.Note == nil || cp.Root != empty {
			t.Fatalf("first start: checkpoint size %d root %x note %q, want size 0, root %x, signed", cp.Size, cp.Root[:], cp.Note, empty)
		}
		srv := httptest.NewServer(l.Handler())
		resp, err := http.Get(srv.URL + "/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		served, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(served, cp.Note) {
			t.Fatalf("GET /checkpoint of an empty log: %d %q", resp.StatusCode, served)
		}
		// A standard C2SP client reads and verifies it.
		u, _ := url.Parse(srv.URL + "/")
		fetcher, err := client.NewHTTPFetcher(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := note.NewVerifier(l.VerifierKey())
		if err != nil {
			t.Fatal(err)
		}
		tcp, _, _, err := client.FetchCheckpoint(ctx, fetcher.ReadCheckpoint, v, origin)
		if err != nil {
			t.Fatalf("Tessera client on an empty log: %v", err)
		}
		if tcp.Size != 0 || !bytes.Equal(tcp.Hash, rfc6962.DefaultHasher.EmptyRoot()) {
			t.Fatalf("Tessera client read size %d root %x", tcp.Size, tcp.Hash)
		}
		if rep := verify(t, srv, state, false); len(rep.Problems) > 0 || rep.Checkpoint.Size != 0 {
			t.Fatalf("verify of the empty log: size %d, %q", rep.Checkpoint.Size, rep.Problems)
		}
		if rep := fsckPlain(t, db, dir); len(rep.Problems) > 0 || rep.Checkpoints != 1 {
			t.Fatalf("fsck of the empty log: %d checkpoints, %q", rep.Checkpoints, rep.Problems)
		}
		srv.Close()
		closed = true
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}

		// A restart keeps it and accepts writes; the tree then grows from it.
		l, closed = open(), false
		if err := l.Refusal(); err != nil {
			t.Fatalf("restart after the empty checkpoint refuses writes: %v", err)
		}
		if cp2 := l.Checkpoint(); !bytes.Equal(cp2.Note, cp.Note) {
			t.Fatalf("restart: checkpoint %q, want the size-0 one", cp2.Note)
		}
		appendN(t, db, l, 0, 5)
		integrate(t, l)
		if got := l.Checkpoint().Size; got != 5 {
			t.Fatalf("after 5 appends: size %d", got)
		}
		srv = httptest.NewServer(l.Handler())
		defer srv.Close()
		for _, path := range []string{"/consistency/0/5", "/consistency/0/0"} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || len(b) != 0 {
				t.Errorf("GET %s: %d %q, want 200 and an empty proof", path, resp.StatusCode, b)
			}
		}
		rep := verify(t, srv, state, false)
		if len(rep.Problems) > 0 || rep.Previous == nil || rep.Previous.Size != 0 || rep.Checkpoint.Size != 5 {
			t.Fatalf("verify after growth from the empty checkpoint: previous %+v, now %d, %q", rep.Previous, rep.Checkpoint.Size, rep.Problems)
		}
		if rep := fsckPlain(t, db, dir); len(rep.Problems) > 0 {
			t.Fatalf("fsck after growth: %q", rep.Problems)
		}
	})
}

// fsckPlain runs fsck on the tree alone: these leaves have no content.
func fsckPlain(t *testing.T, db *store.DB, dir string) *tlog.FsckReport {
	t.Helper()
	rep, err := tlog.Fsck(context.Background(), db, tlog.FsckOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
