package tlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"mingbai"
	"mingbai/internal/store"
)

// FsckOptions says what Fsck checks against.
type FsckOptions struct {
	// Dir is the data directory: its key verifies checkpoint signatures
	// and its checkpoint file catches a database restored from an older
	// backup. Empty skips both.
	Dir string
	// Sources check each object's content against its leaf.
	Sources map[string]ContentSource
	// Checks compare derived public columns with the covered rows they
	// are derived from (see PublicColumn).
	Checks []Check
}

// FsckReport lists every problem Fsck found, by name.
type FsckReport struct {
	Leaves      int64
	Checkpoints int
	Content     struct{ Checked, Redacted, Missing, Unchecked int }
	Problems    []string
}

func (r *FsckReport) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Fsck checks the log from inside the database: the leaves have no gaps,
// each object's content still hashes to what its leaf says, every stored
// hash matches the tree recomputed from the leaves, and every checkpoint
// is signed by the log's key and matches that tree.
func Fsck(ctx context.Context, db *store.DB, opts FsckOptions) (*FsckReport, error) {
	rep := &FsckReport{}
	var verifier note.Verifier
	if opts.Dir != "" {
		k, err := LoadKey(opts.Dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if k != nil {
			verifier = k.Verifier
		}
	}
	mem := &memHashes{}
	red := &redactionState{records: map[int64][]indexedRecord{}, shown: map[int64]shownRedacted{}}
	err := db.Read(ctx, func(tx *store.Tx) error {
		// Leaves, in order, a chunk at a time.
		const chunk = 1 << 14
		var next int64
		for {
			rows, err := tx.Query(ctx, "SELECT idx, entry, kind, community_id, object, version FROM tlog_leaves WHERE idx >= ? ORDER BY idx LIMIT ?", next, chunk)
			if err != nil {
				return fmt.Errorf("read leaves: %w", err)
			}
			var leaves []Leaf
			for rows.Next() {
				var lf Leaf
				if err := rows.Scan(&lf.Index, &lf.Entry, &lf.Kind, &lf.Community, &lf.Object, &lf.Version); err != nil {
					rows.Close()
					return fmt.Errorf("read leaves: %w", err)
				}
				leaves = append(leaves, lf)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read leaves: %w", err)
			}
			if len(leaves) == 0 {
				break
			}
			for _, lf := range leaves {
				if lf.Index != next {
					// The tree has a hole; hashing what follows at the
					// wrong positions would only bury this under noise.
					rep.problem("leaves %d to %d are missing (a gap in the log)", next, lf.Index-1)
					return nil
				}
				hs, err := tlog.StoredHashes(lf.Index, lf.Entry, mem)
				if err != nil {
					return err
				}
				mem.h = append(mem.h, hs...)
				checkLeaf(ctx, tx, rep, lf, opts.Sources, red)
				next++
			}
			rep.Leaves = next
		}
		checkRedactions(ctx, tx, rep, opts.Sources, red)
		for _, check := range opts.Checks {
			err := tx.Savepoint(ctx, "fsck_check", func() error { return check(ctx, tx, rep.problem) })
			if err != nil {
				rep.problem("a derived-column check failed: %v", err)
			}
		}
		return checkTree(ctx, tx, rep, mem, verifier)
	})
	if err != nil {
		return nil, fmt.Errorf("fsck: %w", err)
	}
	if opts.Dir != "" && verifier != nil {
		raw, err := os.ReadFile(CheckpointPath(opts.Dir))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("fsck: %w", err)
		default:
			fc, err := ParseCheckpoint(raw, verifier.Name(), verifier)
			switch {
			case err != nil:
				rep.problem("checkpoint file %s: %v", CheckpointPath(opts.Dir), err)
			case fc.Size > rep.Leaves:
				rep.problem("the database has %d leaves but this log signed a checkpoint of size %d (%s): the database was restored from an older backup or leaves were deleted", rep.Leaves, fc.Size, CheckpointPath(opts.Dir))
			default:
				if h, _ := tlog.TreeHash(fc.Size, mem); h != fc.Root {
					rep.problem("the leaves give root %s at size %d, but this log signed %s (%s): leaves were changed", h, fc.Size, fc.Root, CheckpointPath(opts.Dir))
				}
			}
		}
	}
	return rep, nil
}

func describe(lf Leaf) string {
	if lf.Kind == "" {
		return fmt.Sprintf("leaf %d", lf.Index)
	}
	return fmt.Sprintf("leaf %d (%s %s version %d)", lf.Index, lf.Kind, lf.Object, lf.Version)
}

// redactionState collects, while the leaves are read, the redaction
// records and the versions whose content reads as redacted, which can
// only be matched once every leaf has been seen.
type redactionState struct {
	records map[int64][]indexedRecord // by the redacted leaf's index, oldest first
	shown   map[int64]shownRedacted   // versions whose source reports redacted content
}

type indexedRecord struct {
	index int64
	rec   *RedactionRecord
}

type shownRedacted struct {
	lf  Leaf
	env Envelope
	rc  *RedactedContent
}

func checkLeaf(ctx context.Context, tx *store.Tx, rep *FsckReport, lf Leaf, sources map[string]ContentSource, red *redactionState) {
	if lf.Kind == "" {
		return // a raw entry (bench server)
	}
	e, err := ParseEnvelope(lf.Entry)
	if err != nil {
		rep.problem("%s: %v", describe(lf), err)
		return
	}
	if e.Kind != lf.Kind || e.Object != lf.Object || e.Version != lf.Version || e.Community != lf.Community {
		rep.problem("%s: the row's columns disagree with its envelope (%s %s version %d, community %d)", describe(lf), e.Kind, e.Object, e.Version, e.Community)
	}
	src := sources[e.Kind]
	if src == nil {
		rep.Content.Unchecked++
		return
	}
	// Each source runs in a savepoint so that one failing query cannot
	// end the transaction for the rest.
	var content []byte
	err = tx.Savepoint(ctx, "fsck_content", func() error {
		var err error
		content, err = src(ctx, tx, e)
		return err
	})
	rc, isRC := asRedacted(err)
	switch {
	case isRC:
		rep.Content.Redacted++
		red.shown[lf.Index] = shownRedacted{lf, e, rc}
		if rc.Problem != nil {
			rep.problem("%s: %v", describe(lf), rc.Problem)
		}
	case errors.Is(err, ErrRedacted):
		rep.Content.Redacted++
	case mingbai.ErrorCode(err) == mingbai.ENOTFOUND:
		rep.Content.Missing++
		rep.problem("%s: the object's content is missing", describe(lf))
	case err != nil:
		rep.problem("%s: reading content: %v", describe(lf), err)
	default:
		rep.Content.Checked++
		if got := sha256.Sum256(content); got != e.ContentSHA256 {
			rep.problem("%s: the content no longer matches its leaf: it hashes to %s, the leaf says %s",
				describe(lf), hex.EncodeToString(got[:]), hex.EncodeToString(e.ContentSHA256[:]))
			return
		}
		if IsRedactionKind(e.Kind) {
			rec, err := ParseRedactionRecord(content)
			if err != nil {
				rep.problem("%s: %v", describe(lf), err)
				return
			}
			if rec.Redacts < 0 || rec.Redacts >= lf.Index {
				rep.problem("%s: it redacts leaf %d, which does not come before it", describe(lf), rec.Redacts)
				return
			}
			red.records[rec.Redacts] = append(red.records[rec.Redacts], indexedRecord{lf.Index, rec})
		}
	}
}

// checkRedactions matches redaction records with the versions they
// redact, once all leaves are read: every version shown as redacted has a
// redaction leaf whose record its content satisfies, every redaction leaf
// is followed by a version that is shown redacted, and later redactions
// of a version only mask more.
func checkRedactions(ctx context.Context, tx *store.Tx, rep *FsckReport, sources map[string]ContentSource, red *redactionState) {
	for _, target := range slices.Sorted(maps.Keys(red.records)) {
		recs := red.records[target]
		for i := 1; i < len(recs); i++ {
			for _, p := range CheckRedactionChain(recs[i].rec, recs[i].index, recs[i-1].rec, recs[i-1].index) {
				rep.problem("leaf %d: %s", target, p)
			}
		}
		if _, ok := red.shown[target]; ok {
			continue
		}
		// The version was redacted, but its source did not say so: the
		// masked text was put back or the redaction undone in SQL.
		lf := Leaf{Index: target}
		var entry []byte
		if err := tx.QueryRow(ctx, "SELECT entry, kind, community_id, object, version FROM tlog_leaves WHERE idx = ?", target).
			Scan(&entry, &lf.Kind, &lf.Community, &lf.Object, &lf.Version); err != nil {
			rep.problem("leaf %d: redacted by leaf %d, but it cannot be read: %v", target, recs[len(recs)-1].index, err)
			continue
		}
		if sources[lf.Kind] == nil {
			continue // no checker for its kind; counted as unchecked already
		}
		rep.problem("%s: redaction leaf %d masked it, but its content is shown unredacted", describe(lf), recs[len(recs)-1].index)
	}
	for _, idx := range slices.Sorted(maps.Keys(red.shown)) {
		sr := red.shown[idx]
		recs := red.records[idx]
		if len(recs) == 0 {
			rep.problem("%s: its content is marked redacted, but no redaction leaf records a redaction of it", describe(sr.lf))
			continue
		}
		newest := recs[len(recs)-1]
		if sr.rc.By != newest.index {
			rep.problem("%s: its row names redaction leaf %d, but the newest redaction leaf of it is %d", describe(sr.lf), sr.rc.By, newest.index)
		}
		for _, p := range CheckRedacted(newest.rec, newest.index, sr.env, idx, sr.rc.Content) {
			rep.problem("%s: %s", describe(sr.lf), p)
		}
	}
}

// checkTree compares the stored hashes and checkpoints with the tree
// recomputed from the leaves.
func checkTree(ctx context.Context, tx *store.Tx, rep *FsckReport, mem *memHashes, v note.Verifier) error {
	rows, err := tx.Query(ctx, "SELECT idx, hash FROM tlog_hashes ORDER BY idx")
	if err != nil {
		return fmt.Errorf("read stored hashes: %w", err)
	}
	var next int64
	var raw []byte
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &raw); err != nil {
			rows.Close()
			return fmt.Errorf("read stored hashes: %w", err)
		}
		for ; next < idx && next < int64(len(mem.h)); next++ {
			rep.problem("stored hash %d is missing", next)
		}
		next = idx + 1
		switch {
		case idx >= int64(len(mem.h)):
			rep.problem("stored hash %d has no leaf under it", idx)
		case len(raw) != tlog.HashSize || tlog.Hash(raw) != mem.h[idx]:
			level, n := tlog.SplitStoredHashIndex(idx)
			rep.problem("stored hash %d (level %d, node %d) differs from the hash of the leaves", idx, level, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read stored hashes: %w", err)
	}

	rows, err = tx.Query(ctx, "SELECT size, root, note FROM tlog_checkpoints ORDER BY size")
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	var maxSize int64
	for rows.Next() {
		var size int64
		var text string
		if err := rows.Scan(&size, &raw, &text); err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		rep.Checkpoints++
		maxSize = size
		if size > rep.Leaves {
			rep.problem("checkpoint %d covers leaves the database no longer has", size)
			continue
		}
		h, _ := tlog.TreeHash(size, mem)
		if len(raw) != tlog.HashSize || tlog.Hash(raw) != h {
			rep.problem("checkpoint %d: its root column differs from the root of the leaves", size)
		}
		if v != nil {
			c, err := ParseCheckpoint([]byte(text), v.Name(), v)
			switch {
			case err != nil:
				rep.problem("checkpoint %d: %v", size, err)
			case c.Size != size || c.Root != h:
				rep.problem("checkpoint %d: the signed note says size %d root %s, the leaves give root %s", size, c.Size, c.Root, h)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	if want := tlog.StoredHashCount(maxSize); next < want {
		rep.problem("stored hashes %d to %d are missing", next, want-1)
	}
	return nil
}
