package tlog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	xtlog "golang.org/x/mod/sumdb/tlog"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/api"
	"github.com/transparency-dev/tessera/client"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// A stand-in for a feature: objects whose canonical content is a JSON
// body, published with their leaf in one transaction.
const objectsDDL = `CREATE TABLE test_objects (id TEXT NOT NULL, version BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (id, version))`

func objectSource(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	var body string
	err := tx.QueryRow(ctx, "SELECT body FROM test_objects WHERE id = ? AND version = ?", e.Object, e.Version).Scan(&body)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "没有这个对象")
	}
	return []byte(body), nil
}

func publish(t testing.TB, db *store.DB, l *tlog.Log, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		err := db.WriteBatched(ctx, func(tx *store.Tx) error {
			body, err := tlog.Canonical(map[string]any{"title": fmt.Sprintf("第%d号公开事项", i), "amount_fen": i * 100})
			if err != nil {
				return err
			}
			id := fmt.Sprintf("d%d", i)
			if _, err := tx.Exec(ctx, "INSERT INTO test_objects (id, version, body) VALUES (?, 1, ?)", id, string(body)); err != nil {
				return err
			}
			e := envelope(i)
			e.Object, e.Version, e.ContentSHA256 = id, 1, [32]byte(sha256Sum(body))
			_, err = l.Append(ctx, tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t testing.TB, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// dropAppendOnly removes the append-only triggers, as an administrator
// bent on rewriting history would.
func dropAppendOnly(t testing.TB, db *store.DB) {
	if db.Dialect == store.Postgres {
		exec(t, db, "DROP TRIGGER tlog_leaves_append_only ON tlog_leaves")
	} else {
		exec(t, db, "DROP TRIGGER tlog_leaves_no_update")
		exec(t, db, "DROP TRIGGER tlog_leaves_no_delete")
	}
}

func verify(t *testing.T, srv *httptest.Server, state string, content bool) *tlog.VerifyReport {
	t.Helper()
	rep, err := tlog.Verify(context.Background(), tlog.VerifyOptions{URL: srv.URL + "/", StateDir: state, Content: content})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func fsck(t *testing.T, db *store.DB, dir string) *tlog.FsckReport {
	t.Helper()
	rep, err := tlog.Fsck(context.Background(), db, tlog.FsckOptions{Dir: dir, Sources: map[string]tlog.ContentSource{"disclosure": objectSource}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantProblem(t *testing.T, what string, problems []string, substr string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p, substr) {
			return
		}
	}
	t.Fatalf("%s did not report %q; it said %q", what, substr, problems)
}

func TestTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec(t, db, objectsDDL)
		dir, state := t.TempDir(), t.TempDir()
		l := openLog(t, db, dir)
		l.UseSources(map[string]tlog.ContentSource{"disclosure": objectSource})
		publish(t, db, l, 0, 300)
		integrate(t, l)
		srv := httptest.NewServer(l.Handler())
		defer srv.Close()

		rep := verify(t, srv, state, true)
		if len(rep.Problems) != 0 || rep.Content.Checked != 300 || rep.Checkpoint.Size != 300 {
			t.Fatalf("clean log: %+v", rep)
		}
		if f := fsck(t, db, dir); len(f.Problems) != 0 || f.Content.Checked != 300 {
			t.Fatalf("clean fsck: %+v", f)
		}

		t.Run("edited content is named by fsck and verify --content", func(t *testing.T) {
			exec(t, db, "UPDATE test_objects SET body = ? WHERE id = 'd42'", `{"amount_fen":1,"title":"改过的"}`)
			wantProblem(t, "fsck", fsck(t, db, dir).Problems, "leaf 42 (disclosure d42 version 1): the content no longer matches")
			wantProblem(t, "verify --content", verify(t, srv, "", true).Problems, "leaf 42 (disclosure d42 version 1)")
			exec(t, db, "UPDATE test_objects SET body = ? WHERE id = 'd42'", `{"amount_fen":4200,"title":"第42号公开事项"}`)
			if f := fsck(t, db, dir); len(f.Problems) != 0 {
				t.Fatalf("after repair: %q", f.Problems)
			}
		})

		t.Run("edited stored hash fails verify and fsck", func(t *testing.T) {
			idx := xtlog.StoredHashIndex(0, 77)
			var orig []byte
			if err := db.QueryRow(ctx, "SELECT hash FROM tlog_hashes WHERE idx = ?", idx).Scan(&orig); err != nil {
				t.Fatal(err)
			}
			exec(t, db, "UPDATE tlog_hashes SET hash = ? WHERE idx = ?", make([]byte, 32), idx)
			wantProblem(t, "verify", verify(t, srv, "", false).Problems, "hash tile 0/000 differs")
			wantProblem(t, "fsck", fsck(t, db, dir).Problems, fmt.Sprintf("stored hash %d (level 0, node 77) differs", idx))
			exec(t, db, "UPDATE tlog_hashes SET hash = ? WHERE idx = ?", orig, idx)
		})

		t.Run("edited leaf fails verify and fsck", func(t *testing.T) {
			dropAppendOnly(t, db)
			var orig []byte
			if err := db.QueryRow(ctx, "SELECT entry FROM tlog_leaves WHERE idx = 9").Scan(&orig); err != nil {
				t.Fatal(err)
			}
			forged := []byte(strings.Replace(string(orig), `"community":2`, `"community":3`, 1))
			exec(t, db, "UPDATE tlog_leaves SET entry = ? WHERE idx = 9", forged)
			wantProblem(t, "verify", verify(t, srv, "", false).Problems, "the entries hash to root")
			wantProblem(t, "fsck", fsck(t, db, dir).Problems, "stored hash 16 (level 0, node 9) differs")
			exec(t, db, "UPDATE tlog_leaves SET entry = ? WHERE idx = 9", orig)
		})

		t.Run("a restored older database is a fork and refuses writes", func(t *testing.T) {
			publish(t, db, l, 300, 50)
			integrate(t, l)
			publish(t, db, l, 350, 50)
			integrate(t, l)
			if rep := verify(t, srv, state, false); len(rep.Problems) != 0 || rep.Previous.Size != 300 {
				t.Fatalf("grown log: %+v", rep)
			}
			// Put the database back as it was at 350 leaves.
			exec(t, db, "DELETE FROM tlog_leaves WHERE idx >= 350")
			exec(t, db, "DELETE FROM tlog_hashes WHERE idx >= ?", xtlog.StoredHashCount(350))
			exec(t, db, "DELETE FROM tlog_checkpoints WHERE size > 350")
			l.Close()
			restarted := openLog(t, db, dir)
			err := restarted.Refusal()
			if mingbai.ErrorCode(err) != mingbai.EUNAVAILABLE || !strings.Contains(mingbai.ErrorMessage(err), "mingbai fsck") {
				t.Fatalf("restarted log on a rolled-back store: refusal %v", err)
			}
			werr := db.WriteBatched(ctx, func(tx *store.Tx) error {
				_, err := restarted.Append(ctx, tx, envelope(999))
				return err
			})
			if mingbai.ErrorCode(werr) != mingbai.EUNAVAILABLE {
				t.Fatalf("append on a rolled-back store: %v", werr)
			}
			srv2 := httptest.NewServer(restarted.Handler())
			defer srv2.Close()
			wantProblem(t, "verify", verify(t, srv2, state, false).Problems, "FORK")
			wantProblem(t, "fsck", fsck(t, db, dir).Problems, "restored from an older backup")
		})
	})
}

func TestStoredHashEditRefusesWrites(t *testing.T) {
	db := storetest.SQLite(t)
	dir := t.TempDir()
	l := openLog(t, db, dir)
	appendN(t, db, l, 0, 100)
	integrate(t, l)
	l.Close()
	// The frontier of a 100-leaf tree includes the level-6 node of leaves 0..63.
	exec(t, db, "UPDATE tlog_hashes SET hash = ? WHERE idx = ?", make([]byte, 32), xtlog.StoredHashIndex(6, 0))
	if err := openLog(t, db, dir).Refusal(); mingbai.ErrorCode(err) != mingbai.EUNAVAILABLE {
		t.Fatalf("edited stored hash: refusal %v", err)
	}
}

// TestTesseraClient reads the log with transparency-dev's own client:
// checkpoint, tiles, entry bundles, inclusion and consistency proofs.
func TestTesseraClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := openLog(t, db, t.TempDir())
		appendN(t, db, l, 0, 700)
		integrate(t, l)
		srv := httptest.NewServer(l.Handler())
		defer srv.Close()
		u, _ := url.Parse(srv.URL + "/")
		f, err := client.NewHTTPFetcher(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := note.NewVerifier(l.VerifierKey())
		if err != nil {
			t.Fatal(err)
		}
		cp, cpRaw, _, err := client.FetchCheckpoint(ctx, f.ReadCheckpoint, v, origin)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != 700 {
			t.Fatalf("checkpoint size %d", cp.Size)
		}
		pb, err := client.NewProofBuilder(ctx, cp.Size, f.ReadTile)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []uint64{0, 1, 255, 256, 511, 512, 699, uint64(rand.IntN(700))} {
			p, err := pb.InclusionProof(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			leaf := rfc6962.DefaultHasher.HashLeaf(leafEntry(t, int(i)))
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, i, cp.Size, leaf, p, cp.Hash); err != nil {
				t.Fatalf("leaf %d: %v", i, err)
			}
		}
		for b := uint64(0); b < 3; b++ {
			bundle, err := client.GetEntryBundle(ctx, f.ReadEntryBundle, b, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			checkBundle(t, bundle, b)
		}
		tracker, err := client.NewLogStateTracker(ctx, f.ReadTile, cpRaw, v, origin, client.UnilateralConsensus(f.ReadCheckpoint))
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, db, l, 700, 300)
		integrate(t, l)
		if _, _, _, err := tracker.Update(ctx); err != nil {
			t.Fatalf("tessera's consistency check: %v", err)
		}
		if got := tracker.Latest().Size; got != 1000 {
			t.Fatalf("tracker at %d, want 1000", got)
		}
	})
}

func checkBundle(t *testing.T, bundle api.EntryBundle, b uint64) {
	t.Helper()
	for j, e := range bundle.Entries {
		if want := leafEntry(t, int(b*256)+j); string(e) != string(want) {
			t.Fatalf("bundle %d entry %d = %q, want %q", b, j, e, want)
		}
	}
}

// TestVerifyPendingRedaction: a version withheld as redacted whose
// redaction leaf is newer than the checkpoint verified is pending (a
// redaction made between signing and auditing); one whose named leaf is
// inside the verified tree, or that names none, is a problem.
func TestVerifyPendingRedaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		exec(t, db, objectsDDL)
		l := openLog(t, db, t.TempDir())
		var by int64
		l.UseSources(map[string]tlog.ContentSource{"disclosure": func(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
			if e.Object == "d5" {
				return nil, &tlog.RedactedContent{Content: []byte(`{}`), By: by}
			}
			return objectSource(ctx, tx, e)
		}})
		publish(t, db, l, 0, 10)
		integrate(t, l)
		srv := httptest.NewServer(l.Handler())
		defer srv.Close()
		for _, c := range []struct {
			by      int64
			pending bool
		}{{12, true}, {10, true}, {3, false}, {-1, false}} {
			by = c.by
			rep := verify(t, srv, "", true)
			if c.pending && (len(rep.Problems) != 0 || rep.Content.Pending != 1) {
				t.Errorf("redaction leaf %d beyond a tree of 10: %q, pending %d", c.by, rep.Problems, rep.Content.Pending)
			}
			if !c.pending {
				wantProblem(t, fmt.Sprintf("verify with redaction leaf %d", c.by), rep.Problems, "leaf 5: its content is withheld as redacted, but no redaction leaf records")
			}
		}
	})
}
