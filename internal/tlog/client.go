package tlog

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The auditor's side: Verify mirrors a log over HTTP from nothing and
// checks everything a log can be caught at. It uses only what the log
// serves publicly, so anyone can run it.

// maxVerifyLeaves bounds the log size Verify takes on: it keeps every leaf
// hash and the tree's stored hashes in memory, some 25 GB at this size,
// far beyond what any district's log will reach.
const maxVerifyLeaves = 1 << 28

// VerifyOptions says what to verify and where to keep what was seen.
type VerifyOptions struct {
	// URL is where the log is served (https://example.org/log/) or the
	// site that serves it under log/ (https://example.org): see FindLog.
	URL string
	// Key is the verifier key to require. Empty means the one kept in
	// StateDir, or on a first run the one the log serves (trust on first
	// use), which is then kept.
	Key string
	// StateDir keeps the pinned key and the newest checkpoint seen, so
	// the next run can prove the log only grew.
	StateDir string
	Content  bool // also fetch every object's content and check its hash
	Client   *http.Client
	Workers  int // parallel fetches; 8 when zero
}

// VerifyReport is the outcome. Problems lists everything that failed, by
// name; an empty list means the log verified.
type VerifyReport struct {
	URL        string // where the log was found: FindLog of VerifyOptions.URL
	Origin     string
	Checkpoint Checkpoint
	Previous   *Checkpoint // the checkpoint seen on the last run, if any
	Tiles      int
	// Pending counts redacted leaves whose redaction leaf is newer than
	// the verified tree; the next run checks them.
	Content  struct{ Checked, Redacted, Unavailable, Pending int }
	Problems []string
}

func (r *VerifyReport) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Verify runs the auditor. An error means it could not run (network,
// state directory); a log that fails its checks gives a report with
// Problems.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyReport, error) {
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	logURL, err := FindLog(ctx, opts.Client, opts.URL)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(logURL)
	if err != nil {
		return nil, fmt.Errorf("log URL: %w", err)
	}
	f := &fetcher{base: base, client: opts.Client}
	rep := &VerifyReport{URL: logURL}

	// The key: given, kept from before, or served (first use).
	stateKey, stateCP, err := readState(opts.StateDir)
	if err != nil {
		return nil, err
	}
	vkey := opts.Key
	switch {
	case vkey != "" && stateKey != "" && vkey != stateKey:
		return nil, fmt.Errorf("the key given differs from the one pinned in %s: remove that directory to start over with a new log", opts.StateDir)
	case vkey == "":
		vkey = stateKey
	}
	if vkey == "" {
		raw, err := f.get(ctx, "vkey")
		if err != nil {
			return nil, err
		}
		vkey = strings.TrimSpace(string(raw))
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	rep.Origin = v.Name()

	raw, err := f.get(ctx, "checkpoint")
	if err != nil {
		return nil, err
	}
	cp, err := ParseCheckpoint(raw, v.Name(), v)
	if err != nil {
		rep.problem("the checkpoint's signature does not verify with the pinned key: %v", err)
		return rep, nil
	}
	rep.Checkpoint = cp
	if cp.Size > maxVerifyLeaves {
		// A checkpoint is signed by the log under audit: a huge size must
		// be reported, not crash the verifier allocating for it.
		rep.problem("the checkpoint claims %d entries, more than the %d this verifier can hold in memory: nothing was checked", cp.Size, int64(maxVerifyLeaves))
		return rep, nil
	}

	// Every entry, recomputing the tree from nothing.
	leafHashes, entries, err := f.entries(ctx, cp.Size, opts.Workers, opts.Content)
	if err != nil {
		var pe bundleError
		if !errors.As(err, &pe) {
			return nil, err
		}
		rep.problem("%v", err)
		return rep, nil
	}
	mem := &memHashes{}
	for i, h := range leafHashes {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), h, mem)
		if err != nil {
			return nil, err
		}
		mem.h = append(mem.h, hs...)
	}
	root, err := tlog.TreeHash(cp.Size, mem)
	if err != nil {
		return nil, err
	}
	if root != cp.Root {
		rep.problem("the entries hash to root %s, but the signed checkpoint of size %d says %s", root, cp.Size, cp.Root)
	}

	// What the log served before must be a prefix of what it serves now.
	if stateCP != nil {
		prev, err := ParseCheckpoint(stateCP, v.Name(), v)
		if err != nil {
			return nil, fmt.Errorf("checkpoint kept in %s: %w", opts.StateDir, err)
		}
		rep.Previous = &prev
		switch {
		case prev.Size > cp.Size:
			rep.problem("FORK: the log now has %d leaves, but it signed a checkpoint of size %d before (kept in %s): it was rolled back", cp.Size, prev.Size, opts.StateDir)
		default:
			old, err := tlog.TreeHash(prev.Size, mem)
			if err != nil {
				return nil, err
			}
			if old != prev.Root {
				rep.problem("FORK: the first %d entries now hash to %s, but the log signed %s for them before: history was rewritten", prev.Size, old, prev.Root)
			} else if prev.Size < cp.Size {
				// Also check the log's own consistency proof, with the
				// transparency-dev verifier (from the empty tree's
				// checkpoint too: the proof must then be empty).
				if err := f.checkConsistency(ctx, prev, cp); err != nil {
					rep.problem("the log's consistency proof from %d to %d does not verify: %v", prev.Size, cp.Size, err)
				}
			}
		}
	}

	// Every hash tile must match the recomputed tree.
	tiles := tlog.NewTiles(TileHeight, 0, cp.Size)
	rep.Tiles = len(tiles)
	bad := parallel(ctx, opts.Workers, len(tiles), func(i int) string {
		t := tiles[i]
		got, err := f.get(ctx, "tile/"+TilePath(t.L, t.N, t.W))
		if err != nil {
			return err.Error()
		}
		want, err := tlog.ReadTileData(t, mem)
		if err != nil {
			return err.Error()
		}
		if !bytes.Equal(got, want) {
			return fmt.Sprintf("hash tile %s differs from the tree recomputed from the entries (a stored hash was changed)", TilePath(t.L, t.N, t.W))
		}
		return ""
	})
	rep.Problems = append(rep.Problems, bad...)

	// A few inclusion proofs, checked with the transparency-dev verifier.
	if cp.Size > 0 {
		for range 3 {
			i := rand.Int64N(cp.Size)
			if err := f.checkInclusion(ctx, i, leafHashes[i], cp, v); err != nil {
				rep.problem("inclusion proof of leaf %d: %v", i, err)
			}
		}
	}

	if opts.Content {
		f.checkContent(ctx, rep, entries, opts.Workers)
	}

	if len(rep.Problems) == 0 {
		if err := writeState(opts.StateDir, vkey, cp.Note); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// FindLog returns the URL, ending in a slash, under which the log at or
// below raw serves its C2SP paths. People type what they see: the site's
// address (https://example.org), the log page (…/log), the log itself
// (…/log/) or its checkpoint (…/log/checkpoint). So raw itself is tried
// first, then log/ under it; the first whose checkpoint path answers with
// something shaped like a checkpoint is the log. Its signature is checked
// later, by Verify, against the pinned key.
func FindLog(ctx context.Context, client *http.Client, raw string) (string, error) {
	if client == nil {
		client = http.DefaultClient
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("log URL %q: not an http(s) URL", raw)
	}
	u.RawQuery, u.Fragment = "", ""
	if p, ok := strings.CutSuffix(u.Path, "/checkpoint"); ok {
		u.Path = p + "/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	candidates := []*url.URL{u, u.ResolveReference(&url.URL{Path: "log/"})}
	var tried []string
	for _, c := range candidates {
		f := &fetcher{base: c, client: client}
		body, err := f.get(ctx, "checkpoint")
		var se *httpStatusError
		switch {
		case err == nil && looksLikeCheckpoint(body):
			return c.String(), nil
		case err != nil && !errors.As(err, &se):
			return "", err // the network, not the path
		}
		tried = append(tried, c.String()+"checkpoint")
	}
	return "", fmt.Errorf("no transparency log at %s: %s answered no checkpoint", raw, strings.Join(tried, " and "))
}

// looksLikeCheckpoint reports whether b has the shape of a C2SP
// checkpoint: an origin line, a decimal tree size, a base64 SHA-256 root.
func looksLikeCheckpoint(b []byte) bool {
	lines := strings.SplitN(string(b), "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return false
	}
	for _, c := range lines[1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	return lines[1] != "" && err == nil && len(root) == tlog.HashSize
}

type memHashes struct{ h []tlog.Hash }

func (m *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.h)) {
			return nil, fmt.Errorf("stored hash %d not computed", x)
		}
		out[i] = m.h[x]
	}
	return out, nil
}

type fetcher struct {
	base   *url.URL
	client *http.Client
}

func (f *fetcher) get(ctx context.Context, path string) ([]byte, error) {
	u := f.base.ResolveReference(&url.URL{Path: path})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, &httpStatusError{url: u.String(), status: resp.StatusCode}
	}
	return body, nil
}

// redactionLeaf asks the server which leaf records the redaction of the
// version at idx (RedactionLeafHeader on its redacted content).
func (f *fetcher) redactionLeaf(ctx context.Context, idx int64) (int64, error) {
	u := f.base.ResolveReference(&url.URL{Path: fmt.Sprintf("content/%d/redacted", idx)})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, &httpStatusError{url: u.String(), status: resp.StatusCode}
	}
	return strconv.ParseInt(resp.Header.Get(RedactionLeafHeader), 10, 64)
}

type httpStatusError struct {
	url    string
	status int
}

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.url, e.status, http.StatusText(e.status))
}

type bundleError struct{ msg string }

func (e bundleError) Error() string { return e.msg }

// entries fetches every entry bundle and returns the leaf hashes (and the
// entries themselves when keep is set).
func (f *fetcher) entries(ctx context.Context, size int64, workers int, keep bool) ([]tlog.Hash, [][]byte, error) {
	hashes := make([]tlog.Hash, size)
	var entries [][]byte
	if keep {
		entries = make([][]byte, size)
	}
	nb := int((size + tileWidth - 1) / tileWidth)
	var firstErr error
	var mu sync.Mutex
	parallel(ctx, workers, nb, func(b int) string {
		start := int64(b) * tileWidth
		w := int(min(tileWidth, size-start))
		data, err := f.get(ctx, "tile/"+TilePath(-1, int64(b), w))
		if err == nil {
			var es [][]byte
			if es, err = splitEntryBundle(b, data, w); err == nil {
				for i, e := range es {
					hashes[start+int64(i)] = tlog.RecordHash(e)
					if keep {
						entries[start+int64(i)] = e
					}
				}
			}
		}
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}
		return ""
	})
	return hashes, entries, firstErr
}

// splitEntryBundle splits entry bundle b, as a server sent it, into its w
// entries: each a big-endian 16-bit length and that many bytes, nothing
// after the last.
func splitEntryBundle(b int, data []byte, w int) ([][]byte, error) {
	es := make([][]byte, 0, w)
	for i := range w {
		if len(data) < 2 || len(data) < 2+int(binary.BigEndian.Uint16(data)) {
			return nil, bundleError{fmt.Sprintf("entry bundle %d is truncated at entry %d", b, i)}
		}
		n := int(binary.BigEndian.Uint16(data))
		es = append(es, data[2:2+n])
		data = data[2+n:]
	}
	if len(data) != 0 {
		return nil, bundleError{fmt.Sprintf("entry bundle %d has %d bytes after its %d entries", b, len(data), w)}
	}
	return es, nil
}

func (f *fetcher) checkInclusion(ctx context.Context, i int64, leafHash tlog.Hash, cp Checkpoint, v note.Verifier) error {
	text, err := f.get(ctx, fmt.Sprintf("proof/%d", i))
	if err != nil {
		return err
	}
	p, err := ParseProof(text, v.Name(), v)
	if err != nil {
		return err
	}
	if tlog.RecordHash(p.Entry) != leafHash {
		return errors.New("the proof's entry differs from the entry bundle")
	}
	// The proof may be for a newer checkpoint than ours; check it against
	// its own checkpoint with the independent verifier.
	return proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(p.Checkpoint.Size), leafHash[:], hashesBytes(p.Hashes), p.Checkpoint.Root[:])
}

func (f *fetcher) checkConsistency(ctx context.Context, old, cp Checkpoint) error {
	text, err := f.get(ctx, fmt.Sprintf("consistency/%d/%d", old.Size, cp.Size))
	if err != nil {
		return err
	}
	var hs [][]byte
	for _, line := range strings.Fields(string(text)) {
		h, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			return fmt.Errorf("bad proof line %q", line)
		}
		hs = append(hs, h)
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old.Size), uint64(cp.Size), hs, old.Root[:], cp.Root[:])
}

func (f *fetcher) checkContent(ctx context.Context, rep *VerifyReport, entries [][]byte, workers int) {
	var mu sync.Mutex
	gone := map[int64]Envelope{}           // leaves answered 410: redacted
	shown := map[int64]bool{}              // leaves whose original content is served
	records := map[int64][]indexedRecord{} // redaction records by the leaf they redact
	bad := parallel(ctx, workers, len(entries), func(i int) string {
		e, err := ParseEnvelope(entries[i])
		if err != nil {
			return "" // not an object's leaf
		}
		content, err := f.get(ctx, fmt.Sprintf("content/%d", i))
		var se *httpStatusError
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.As(err, &se) && se.status == http.StatusGone:
			rep.Content.Redacted++
			gone[int64(i)] = e
			return ""
		case errors.As(err, &se) && se.status == http.StatusNotFound:
			rep.Content.Unavailable++
			return ""
		case err != nil:
			return fmt.Sprintf("content of leaf %d: %v", i, err)
		}
		rep.Content.Checked++
		if got := sha256.Sum256(content); got != e.ContentSHA256 {
			return fmt.Sprintf("leaf %d (%s %s version %d): the content served now hashes to %s, the leaf says %s",
				i, e.Kind, e.Object, e.Version, hex.EncodeToString(got[:]), hex.EncodeToString(e.ContentSHA256[:]))
		}
		shown[int64(i)] = true
		if IsRedactionKind(e.Kind) {
			rec, err := ParseRedactionRecord(content)
			if err != nil {
				return fmt.Sprintf("leaf %d (%s %s version %d): %v", i, e.Kind, e.Object, e.Version, err)
			}
			if rec.Redacts < 0 || rec.Redacts >= int64(i) {
				return fmt.Sprintf("leaf %d (%s %s version %d): it redacts leaf %d, which does not come before it", i, e.Kind, e.Object, e.Version, rec.Redacts)
			}
			records[rec.Redacts] = append(records[rec.Redacts], indexedRecord{int64(i), rec})
		}
		return ""
	})
	rep.Problems = append(rep.Problems, bad...)
	// A redacted version must read as its newest redaction leaf says; a
	// version a redaction leaf masked must not be served unmasked.
	for _, target := range slices.Sorted(maps.Keys(records)) {
		recs := records[target]
		slices.SortFunc(recs, func(a, b indexedRecord) int { return cmp.Compare(a.index, b.index) })
		for i := 1; i < len(recs); i++ {
			for _, p := range CheckRedactionChain(recs[i].rec, recs[i].index, recs[i-1].rec, recs[i-1].index) {
				rep.Problems = append(rep.Problems, fmt.Sprintf("leaf %d: %s", target, p))
			}
		}
		if shown[target] {
			rep.Problems = append(rep.Problems, fmt.Sprintf("leaf %d: redaction leaf %d masked it, but its original content is served", target, recs[len(recs)-1].index))
		}
	}
	for _, idx := range slices.Sorted(maps.Keys(gone)) {
		recs := records[idx]
		if len(recs) == 0 {
			// A redaction made after the checkpoint this run verified has
			// its leaf beyond that tree: pending until the next run, which
			// checks it. A leaf the server names inside the tree, or none,
			// is no record at all.
			by, err := f.redactionLeaf(ctx, idx)
			if err == nil && by >= int64(len(entries)) {
				rep.Content.Pending++
				continue
			}
			rep.Problems = append(rep.Problems, fmt.Sprintf("leaf %d: its content is withheld as redacted, but no redaction leaf records a redaction of it", idx))
			continue
		}
		content, err := f.get(ctx, fmt.Sprintf("content/%d/redacted", idx))
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("redacted content of leaf %d: %v", idx, err))
			continue
		}
		newest := recs[len(recs)-1]
		for _, p := range CheckRedacted(newest.rec, newest.index, gone[idx], idx, content) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("leaf %d: %s", idx, p))
		}
	}
}

// parallel runs fn(0..n-1) on workers goroutines and collects the
// non-empty strings it returns, in index order.
func parallel(ctx context.Context, workers, n int, fn func(i int) string) []string {
	out := make([]string, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				out[i] = fn(i)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	var msgs []string
	for _, s := range out {
		if s != "" {
			msgs = append(msgs, s)
		}
	}
	return msgs
}

func hashesBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// The state directory holds "vkey" and "checkpoint".
func readState(dir string) (vkey string, cp []byte, err error) {
	if dir == "" {
		return "", nil, nil
	}
	k, err := os.ReadFile(filepath.Join(dir, "vkey"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("verifier state: %w", err)
	}
	cp, err = os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("verifier state: %w", err)
	}
	return strings.TrimSpace(string(k)), cp, nil
}

func writeState(dir, vkey string, cp []byte) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("verifier state: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, "vkey"), []byte(vkey+"\n"), 0o644, false); err != nil {
		return fmt.Errorf("verifier state: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, "checkpoint"), cp, 0o644, false); err != nil {
		return fmt.Errorf("verifier state: %w", err)
	}
	return nil
}
