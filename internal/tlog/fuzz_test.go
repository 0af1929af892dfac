package tlog

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Fuzz targets for what `mingbai verify` and the log's HTTP handlers read
// from outside: tile paths, checkpoints, proofs, entry bundles, leaves.

const fuzzOrigin = "fuzz.mingbai.example/log"

// fuzzKey is a fixed signing key, so that the signed seeds (and corpus
// files made from them) verify on every run.
func fuzzKey(tb testing.TB) (note.Signer, note.Verifier) {
	s, v, _ := fuzzKeyText(tb)
	return s, v
}

func fuzzKeyText(tb testing.TB) (note.Signer, note.Verifier, string) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(make([]byte, 64)), fuzzOrigin)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v, vkey
}

// fuzzTree is a small in-memory log of n leaves with its signed
// checkpoint.
type fuzzTree struct {
	entries [][]byte
	hashes  []tlog.Hash
	cp      Checkpoint
}

func (t *fuzzTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

func newFuzzTree(tb testing.TB, n int) *fuzzTree {
	tb.Helper()
	s, _ := fuzzKey(tb)
	t := &fuzzTree{}
	for i := range n {
		e := Envelope{Kind: "disclosure", Community: 7, Object: fmt.Sprint(i + 1), Version: 1,
			Time: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), ContentSHA256: [32]byte{byte(i + 1)}}
		leaf, err := e.MarshalLeaf()
		if err != nil {
			tb.Fatal(err)
		}
		hs, err := tlog.StoredHashes(int64(i), leaf, t)
		if err != nil {
			tb.Fatal(err)
		}
		t.entries = append(t.entries, leaf)
		t.hashes = append(t.hashes, hs...)
	}
	root, err := tlog.TreeHash(int64(n), t)
	if err != nil {
		tb.Fatal(err)
	}
	body := log.Checkpoint{Origin: fuzzOrigin, Size: uint64(n), Hash: root[:]}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, s)
	if err != nil {
		tb.Fatal(err)
	}
	t.cp = Checkpoint{Size: int64(n), Root: root, Note: signed}
	return t
}

func (t *fuzzTree) proof(tb testing.TB, i int64) []byte {
	tb.Helper()
	hs, err := tlog.ProveRecord(t.cp.Size, i, t)
	if err != nil {
		tb.Fatal(err)
	}
	return (&Proof{Index: i, Entry: t.entries[i], Hashes: hs, Checkpoint: t.cp}).Text()
}

func FuzzParseTileIndex(f *testing.F) {
	for _, s := range []string{"000", "067", "x001/x234/067", "067.p/5", "x001/000.p/255", "000.p/256", "000.p/05", "x000/001",
		"1", "0067", "x999/x999/x999/x999/x999/x999/999", "x009/x223/x372/x036/x854/x775/807", "x036/x028/x797/x018/x963/x968",
		"../../etc", "٠٦٧", "067.p/", ".p/1", "x001//067"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		n, w, ok := parseTileIndex(path)
		if !ok {
			return
		}
		// One URL per tile: the path is the canonical encoding of what
		// it parsed to, and the tile's hashes can be counted in an int64.
		if n < 0 || w < 1 || w > tileWidth {
			t.Fatalf("parseTileIndex(%q) = %d, %d", path, n, w)
		}
		if n > maxTileIndex {
			t.Fatalf("parseTileIndex(%q) = %d: its hash indexes overflow", path, n)
		}
		if got := TilePath(0, n, w); got != "0/"+path {
			t.Fatalf("parseTileIndex(%q) = %d, %d, whose path is %q", path, n, w, got)
		}
	})
}

func FuzzTilePathRoundTrip(f *testing.F) {
	f.Add(int64(0), 256)
	f.Add(int64(1234067), 5)
	f.Add(int64(1)<<54, 255)
	f.Fuzz(func(t *testing.T, n int64, w int) {
		if n < 0 || n > maxTileIndex || w < 1 || w > tileWidth {
			return
		}
		p := TilePath(-1, n, w)
		gn, gw, ok := parseTileIndex(strings.TrimPrefix(p, "entries/"))
		if !ok || gn != n || gw != w {
			t.Fatalf("TilePath(%d, %d) = %q reads back as %d, %d, %v", n, w, p, gn, gw, ok)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	tr := newFuzzTree(f, 5)
	f.Add(tr.cp.Note)
	f.Add(newFuzzTree(f, 0).cp.Note)
	f.Add(bytes.Replace(tr.cp.Note, []byte("\n5\n"), []byte("\n6\n"), 1))
	f.Add([]byte(fuzzOrigin + "\n18446744073709551615\nAAAA\n\n— " + fuzzOrigin + " AAAA\n"))
	f.Add([]byte("\n\n\n"))
	_, v := fuzzKey(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		cp, err := ParseCheckpoint(raw, fuzzOrigin, v)
		if err != nil {
			return
		}
		// Only a note the key signed gets through, and what it says is
		// what the signed text says.
		n, err := note.Open(raw, note.VerifierList(v))
		if err != nil {
			t.Fatalf("ParseCheckpoint accepted %q, which does not open: %v", raw, err)
		}
		var c log.Checkpoint
		if _, err := c.Unmarshal([]byte(n.Text)); err != nil || int64(c.Size) != cp.Size || !bytes.Equal(c.Hash, cp.Root[:]) {
			t.Fatalf("ParseCheckpoint(%q) = %d %x, but the note says %q", raw, cp.Size, cp.Root, n.Text)
		}
		if cp.Size < 0 || !bytes.Equal(cp.Note, raw) {
			t.Fatalf("ParseCheckpoint(%q): size %d", raw, cp.Size)
		}
	})
}

func FuzzParseProof(f *testing.F) {
	tr := newFuzzTree(f, 7)
	for _, i := range []int64{0, 3, 6} {
		f.Add(tr.proof(f, i))
	}
	good := tr.proof(f, 3)
	f.Add(bytes.Replace(good, []byte("index 3"), []byte("index 4"), 1))
	f.Add(bytes.Replace(good, []byte("index 3"), []byte("index 03"), 1))
	f.Add(bytes.Replace(good, []byte("index 3"), []byte("index -1"), 1))
	f.Add(bytes.Replace(good, []byte("\nindex"), []byte("\r\nindex"), 1))
	f.Add([]byte(proofHeader + "\nextra \nindex 0\n\n"))
	f.Add([]byte(proofHeader + "\n\n"))
	_, v := fuzzKey(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := ParseProof(text, fuzzOrigin, v)
		if err != nil {
			return
		}
		// An accepted proof proves its leaf, and has one text: the
		// proof of the same leaf always reads the same.
		if p.Index < 0 || p.Index >= p.Checkpoint.Size {
			t.Fatalf("ParseProof accepted index %d of a tree of %d", p.Index, p.Checkpoint.Size)
		}
		if err := tlog.CheckRecord(p.Hashes, p.Checkpoint.Size, p.Checkpoint.Root, p.Index, tlog.RecordHash(p.Entry)); err != nil {
			t.Fatalf("ParseProof accepted a proof that does not check: %v", err)
		}
		if !bytes.Equal(p.Text(), text) {
			t.Fatalf("ParseProof accepted %q, whose canonical text is %q", text, p.Text())
		}
	})
}

func FuzzSplitEntryBundle(f *testing.F) {
	tr := newFuzzTree(f, 3)
	var bundle []byte
	for _, e := range tr.entries {
		bundle = binary.BigEndian.AppendUint16(bundle, uint16(len(e)))
		bundle = append(bundle, e...)
	}
	f.Add(bundle, 3)
	f.Add(bundle, 2)
	f.Add(bundle[:len(bundle)-1], 3)
	f.Add([]byte{0xff, 0xff, 1}, 1)
	f.Add([]byte{0, 0, 0, 0}, 2)
	f.Fuzz(func(t *testing.T, data []byte, w int) {
		if w < 1 || w > tileWidth {
			return
		}
		es, err := splitEntryBundle(0, data, w)
		if err != nil {
			return
		}
		// Exactly w entries that, written back, are the bundle.
		if len(es) != w {
			t.Fatalf("split %d entries, want %d", len(es), w)
		}
		var again []byte
		for _, e := range es {
			again = binary.BigEndian.AppendUint16(again, uint16(len(e)))
			again = append(again, e...)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("bundle %x split into entries that write back as %x", data, again)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	tr := newFuzzTree(f, 2)
	for _, e := range tr.entries {
		f.Add(e)
	}
	c := int64(1)
	leaf, err := (&Envelope{Kind: "answer", Object: "x\u2028<&>", Version: 2, Time: time.Unix(0, 0), ContentSHA256: [32]byte{9}, Corrects: &c}).MarshalLeaf()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(leaf)
	f.Add([]byte(`{"community":1,"content_sha256":"00","kind":"k","object":"1","time":"2026-01-01T00:00:00Z","version":1}`))
	f.Add([]byte(`{"a":1e400}`))
	f.Add([]byte(`{"community":-0}`))
	f.Fuzz(func(t *testing.T, leaf []byte) {
		e, err := ParseEnvelope(leaf)
		if err != nil {
			return
		}
		// A leaf has one meaning: it is exactly its envelope's form.
		again, err := e.MarshalLeaf()
		if err != nil || !bytes.Equal(again, leaf) {
			t.Fatalf("ParseEnvelope(%q) = %+v, which marshals as %q, %v", leaf, e, again, err)
		}
		if !IsCanonical(leaf) {
			t.Fatalf("ParseEnvelope accepted non-canonical %q", leaf)
		}
	})
}

// TestVerifyHugeCheckpoint: a log that signs a checkpoint of 2^61 entries
// used to crash `mingbai verify` (makeslice: len out of range) before any
// entry was fetched. Now it is a problem in the report.
func TestVerifyHugeCheckpoint(t *testing.T) {
	s, _, vkey := fuzzKeyText(t)
	body := log.Checkpoint{Origin: fuzzOrigin, Size: 1 << 61, Hash: make([]byte, 32)}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/checkpoint" {
			w.Write(signed)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	rep, err := Verify(context.Background(), VerifyOptions{URL: srv.URL, Key: vkey, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "2305843009213693952 entries") {
		t.Fatalf("problems %q", rep.Problems)
	}
}
