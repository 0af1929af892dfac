// Package tlog is Mingbai's transparency log: every published version of
// every public object appends one leaf, in the same database transaction
// that publishes it, to an append-only RFC 6962 Merkle tree whose signed
// checkpoints anyone can check. Nobody, not even a database administrator,
// can then change or remove a published fact without it showing.
//
// The Merkle math (stored hashes, tiles, proofs) is golang.org/x/mod/sumdb/tlog;
// checkpoints are C2SP tlog-checkpoint signed notes (golang.org/x/mod/sumdb/note,
// Ed25519); the HTTP layout is C2SP tlog-tiles, so standard verifiers can
// read the log. docs/log.md describes the leaves for outside auditors.
//
// Appending has two steps, as in Tessera: Append sequences a leaf (gives it
// its index) inside the caller's transaction, so the leaf commits with the
// content or not at all; a background integrator then computes the stored
// hashes of the new leaves and signs a checkpoint, within a second.
package tlog

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/transparency-dev/formats/log"

	"mingbai"
	"mingbai/internal/store"
)

// Checkpoint is a signed tree head.
type Checkpoint struct {
	Size     int64
	Root     tlog.Hash
	Note     []byte    // the whole signed note, as served at /checkpoint
	SignedAt time.Time // when this server signed it (not part of the note)
}

// Log is the deployment's transparency log.
type Log struct {
	db     *store.DB
	dir    string
	origin string
	clock  mingbai.Clock
	key    *Key
	logger *slog.Logger

	hashes hashCache  // stored hashes of levels ≥ cacheLevel
	chunks tileChunks // stored hashes of full level-0 tiles, for proofs
	latest atomic.Pointer[Checkpoint]
	// refusal, when set, is why the log refuses writes: its stored tree
	// disagrees with a checkpoint it signed before.
	refusal atomic.Pointer[mingbai.Error]

	mu      sync.RWMutex
	sources map[string]ContentSource

	appendStmt *store.Stmt // appendSQL, prepared once

	integrateMu sync.Mutex // one integration at a time in this process
	wake        chan struct{}
	quit        chan struct{}
	done        chan struct{}
	closeOnce   sync.Once
}

// Options tune a Log. The zero value is what serve uses.
type Options struct {
	// Logger receives integration errors; slog.Default() when nil.
	Logger *slog.Logger
	// Interval is how often the integrator looks for new leaves even
	// without being woken (leaves appended by another process); 250 ms
	// when zero. Negative: never; the caller runs IntegratePending
	// periodically instead (serve's chores loop does).
	Interval time.Duration
	// NoIntegrator leaves integration to explicit Integrate calls (tests,
	// fsck, bulk loads).
	NoIntegrator bool
}

// Open opens the log kept in db, with its key (made on first use) and
// newest checkpoint in data directory dir. origin is the deployment's
// public name, the first line of every checkpoint. If the stored tree
// disagrees with the newest checkpoint, Open still succeeds so that the
// log can be read, but Append refuses: see Refusal.
func Open(ctx context.Context, db *store.DB, dir, origin string, clock mingbai.Clock) (*Log, error) {
	return OpenWith(ctx, db, dir, origin, clock, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, db *store.DB, dir, origin string, clock mingbai.Clock, opts Options) (*Log, error) {
	key, err := LoadOrCreateKey(dir, origin)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = mingbai.SystemClock
	}
	l := &Log{
		db: db, dir: dir, origin: origin, clock: clock, key: key,
		logger:  opts.Logger,
		sources: map[string]ContentSource{},
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	if n := removeStaleTemps(dir, clock().Add(-StaleTempAge)); n > 0 {
		l.logger.Info("removed temporary files a crash left in the data directory", "count", n)
	}
	if err := l.check(ctx); err != nil {
		return nil, err
	}
	if l.appendStmt, err = db.PrepareWrite(ctx, appendSQL); err != nil {
		return nil, fmt.Errorf("transparency log: %w", err)
	}
	if opts.NoIntegrator || l.refusal.Load() != nil {
		close(l.done)
		return l, nil
	}
	if l.latest.Load() == nil {
		// A new log: sign the empty tree, then load the newest checkpoint
		// as any start does (another node may have signed a newer one).
		err := l.signEmpty(ctx)
		if err == nil {
			err = l.check(ctx)
		}
		if err != nil {
			l.appendStmt.Close()
			return nil, err
		}
	}
	interval := opts.Interval
	if interval == 0 {
		interval = 250 * time.Millisecond
	}
	go l.integrator(interval)
	return l, nil
}

// Close stops the integrator after integrating what is already committed.
func (l *Log) Close() error {
	l.closeOnce.Do(func() { close(l.quit) })
	<-l.done
	return l.appendStmt.Close()
}

// Origin is the log's name, the first line of its checkpoints.
func (l *Log) Origin() string { return l.origin }

// VerifierKey is the public key auditors pin, in signed-note vkey form.
func (l *Log) VerifierKey() string { return l.key.VKey }

// Verifier checks signatures of this log's checkpoints.
func (l *Log) Verifier() note.Verifier { return l.key.Verifier }

// Checkpoint returns the newest signed checkpoint: the empty tree's (Size
// 0) from the first start of a log with an integrator, and a zero
// Checkpoint with no Note only before that, or when the log was opened
// without an integrator on a database that has no checkpoint yet.
func (l *Log) Checkpoint() Checkpoint {
	if c := l.latest.Load(); c != nil {
		return *c
	}
	return Checkpoint{}
}

// Refusal returns why the log refuses writes, or nil when it accepts them.
func (l *Log) Refusal() error {
	if e := l.refusal.Load(); e != nil {
		return e
	}
	return nil
}

func (l *Log) refuse(reason, detail string) {
	e := mingbai.Errorf(mingbai.EUNAVAILABLE,
		"公开日志与最近签名的树头不一致（%s），为免签出互相矛盾的记录，系统已暂停一切发布。请管理员运行 mingbai fsck 查明原因。", reason)
	if l.refusal.CompareAndSwap(nil, e) {
		l.logger.Error("transparency log refuses writes", "reason", detail)
	}
}

// Append adds the leaf of envelope e in the caller's transaction and
// returns its index. The leaf commits with tx or not at all. Features call
// it from the function they pass to db.WriteBatched, so that concurrent
// publications share commits.
func (l *Log) Append(ctx context.Context, tx *store.Tx, e Envelope) (int64, error) {
	leaf, err := e.MarshalLeaf()
	if err != nil {
		return -1, err
	}
	return l.insert(ctx, tx, leaf, e.Kind, e.Community, e.Object, e.Version)
}

// AppendEntry adds raw entry bytes as a leaf. It exists for the log-only
// bench server, whose clients send arbitrary entries; features use Append.
func (l *Log) AppendEntry(ctx context.Context, tx *store.Tx, entry []byte) (int64, error) {
	if len(entry) > MaxEntrySize {
		return -1, mingbai.Errorf(mingbai.EINVALID, "记录过长（%d 字节，最多 %d 字节）", len(entry), MaxEntrySize)
	}
	return l.insert(ctx, tx, entry, "", 0, "", 0)
}

// appendSQL sequences a leaf: the new index is one more than the largest.
// On SQLite the single writer makes that a total order; on PostgreSQL a
// trigger (migration 0003) recomputes idx under a transaction lock.
//
// MAX stays alone in its subquery: SQLite answers a bare MAX of the primary
// key with one index seek, but scans the whole table for any other shape.
const appendSQL = `INSERT INTO tlog_leaves (` + LeafColumns + `)
VALUES (COALESCE((SELECT MAX(idx) FROM tlog_leaves), -1) + 1, ?, ?, ?, ?, ?) RETURNING idx`

// LeafColumns are the columns of tlog_leaves in the order of LeafRow: the
// log's own appends and bulk loaders (mingbai gen) write leaves through
// them, so the row's layout is written once.
const LeafColumns = "idx, entry, kind, community_id, object, version"

// LeafWidth is the number of LeafColumns.
const LeafWidth = 6

// LeafRow returns the values of the leaf at idx that holds e, for a bulk
// loader that numbers its leaves itself.
func LeafRow(idx int64, e Envelope) ([]any, error) {
	leaf, err := e.MarshalLeaf()
	if err != nil {
		return nil, err
	}
	return []any{idx, leaf, e.Kind, e.Community, e.Object, e.Version}, nil
}

// countSQL counts the leaves in the same seek-friendly shape.
const countSQL = "SELECT COALESCE((SELECT MAX(idx) FROM tlog_leaves), -1) + 1"

func (l *Log) insert(ctx context.Context, tx *store.Tx, entry []byte, kind string, community int64, object string, version int64) (int64, error) {
	if err := l.Refusal(); err != nil {
		return -1, err
	}
	var idx int64
	if pending := tx.Deferred(leafRows); len(pending) > 0 {
		// The leaves before this one in the batch hold the sequencing lock
		// (on SQLite: the single writer), so the next index is known.
		idx = pending[len(pending)-1].(*leafRow).idx + 1
		row := &leafRow{idx: idx, entry: entry, kind: kind, community: community, object: object, version: version}
		if err := tx.Defer(ctx, leafRows, row); err != nil {
			return -1, fmt.Errorf("append leaf: %w", err)
		}
	} else {
		// The first leaf of a transaction is written at once: appendSQL
		// takes the sequencing lock and gives the index the rest follow.
		if err := tx.QueryRowStmt(ctx, l.appendStmt, entry, kind, community, object, version).Scan(&idx); err != nil {
			return -1, fmt.Errorf("append leaf: %w", err)
		}
		if err := tx.Defer(ctx, leafRows, &leafRow{idx: idx, written: true}); err != nil {
			return -1, fmt.Errorf("append leaf: %w", err)
		}
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return idx, nil
}

// Group commit and leaves.
//
// In a batch of WriteBatched, only the first leaf costs a statement of its
// own. It takes the sequencing lock (PostgreSQL's trigger; SQLite's single
// writer) until the batch commits, so every later leaf of the batch gets
// the next index without asking the database, and all of them are written
// with a few multi-row INSERTs just before the commit (store.Deferred). On
// PostgreSQL the trigger computes each index again as it inserts, and the
// flush checks that every leaf landed at the index its caller was given;
// if not, the batch fails and its callers run one by one.
//
// Leaves deferred this way are not in tlog_leaves until the flush, so SQL
// run by callers of the same batch does not see them.

// leafRow is a leaf waiting in a batch to be written.
type leafRow struct {
	idx       int64
	entry     []byte
	kind      string
	community int64
	object    string
	version   int64
	written   bool // the batch's first leaf, already inserted
}

// leafRows writes a batch's deferred leaves.
var leafRows = &store.Deferred{Flush: flushLeaves}

func flushLeaves(ctx context.Context, tx *store.Tx, rows []any) error {
	args := make([]any, 0, LeafWidth*len(rows))
	want := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		lr := r.(*leafRow)
		if lr.written {
			continue
		}
		args = append(args, lr.idx, lr.entry, lr.kind, lr.community, lr.object, lr.version)
		want[lr.idx] = lr.entry
	}
	if len(args) == 0 {
		return nil
	}
	got := 0
	var (
		idx   int64
		entry []byte
	)
	err := tx.InsertRows(ctx, "INSERT INTO tlog_leaves ("+LeafColumns+")", " RETURNING idx, entry", LeafWidth, args,
		func(rows *sql.Rows) error {
			if err := rows.Scan(&idx, &entry); err != nil {
				return err
			}
			if w, ok := want[idx]; !ok || !bytes.Equal(w, entry) {
				return fmt.Errorf("leaf %d was not written at the index its caller was given", idx)
			}
			got++
			return nil
		})
	if err != nil {
		return fmt.Errorf("append leaves: %w", err)
	}
	if got != len(want) {
		return fmt.Errorf("append leaves: %d of %d leaves written", got, len(want))
	}
	return nil
}

// integrator signs a checkpoint shortly after new leaves commit.
func (l *Log) integrator(interval time.Duration) {
	defer close(l.done)
	var tickc <-chan time.Time // nil, never ready, without a ticker
	if interval > 0 {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		tickc = tick.C
	}
	for {
		select {
		case <-l.quit:
			l.integrateAll()
			return
		case <-l.wake:
			// The leaf that woke us commits with its batch a moment later;
			// a short pause lets one integration cover the whole batch.
			select {
			case <-time.After(20 * time.Millisecond):
			case <-l.quit:
			}
		case <-tickc:
		}
		l.integrateAll()
	}
}

// IntegratePending integrates every committed leaf not yet in a
// checkpoint, including leaves other processes appended, and signs. A log
// that refuses writes does nothing (the refusal was logged when found).
func (l *Log) IntegratePending(ctx context.Context) error {
	for l.refusal.Load() == nil {
		more, err := l.Integrate(ctx)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return nil
}

func (l *Log) integrateAll() {
	for l.refusal.Load() == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		more, err := l.Integrate(ctx)
		cancel()
		if err != nil {
			l.logger.Error("integrate transparency log", "err", err)
			return
		}
		if !more {
			return
		}
	}
}

// maxIntegrate bounds the leaves one integration transaction takes, so
// that it holds the writer briefly even when catching up.
const maxIntegrate = 1 << 15

// errInconsistent marks a stored tree that disagrees with a signed
// checkpoint.
var errInconsistent = errors.New("stored tree disagrees with a signed checkpoint")

// Integrate computes the stored hashes of leaves not yet in a checkpoint
// and signs a new checkpoint covering them. It reports whether more leaves
// remain. The integrator calls it; tests and bulk loads may call it too.
func (l *Log) Integrate(ctx context.Context) (more bool, err error) {
	if err := l.Refusal(); err != nil {
		return false, err
	}
	l.integrateMu.Lock()
	defer l.integrateMu.Unlock()
	var (
		cp        *Checkpoint
		newHashes map[int64]tlog.Hash
		from      int64 // the tree size this integration starts from
	)
	err = l.db.Write(ctx, func(tx *store.Tx) error {
		cp, newHashes, more = nil, nil, false
		old, err := latestCheckpoint(ctx, tx)
		if err != nil {
			return err
		}
		if prev := l.latest.Load(); prev != nil && (old.Size != prev.Size || old.Root != prev.Root) {
			// Another process signed meanwhile (several app nodes on one
			// PostgreSQL): build on its checkpoint if it is consistent
			// with ours, which the check below establishes.
			if old.Size < prev.Size {
				return fmt.Errorf("%w: the newest checkpoint in the database (size %d) is older than one this log signed (size %d)", errInconsistent, old.Size, prev.Size)
			}
		}
		var n int64
		if err := tx.QueryRow(ctx, countSQL).Scan(&n); err != nil {
			return fmt.Errorf("count leaves: %w", err)
		}
		if n < old.Size {
			return fmt.Errorf("%w: %d leaves but checkpoint of size %d", errInconsistent, n, old.Size)
		}
		if n == old.Size {
			return nil
		}
		from = old.Size
		end := min(n, old.Size+maxIntegrate)
		more = end < n
		newHashes = make(map[int64]tlog.Hash, 2*(end-old.Size))
		r := l.reader(ctx, tx, newHashes)
		// The new leaves' hashes build on the frontier of the old tree;
		// check that frontier against the signed root first, so that an
		// edited stored hash can never enter a new checkpoint.
		if old.Size > 0 {
			h, err := tlog.TreeHash(old.Size, r)
			if err != nil {
				return fmt.Errorf("old tree hash: %w", err)
			}
			if h != old.Root {
				return fmt.Errorf("%w: stored hashes give root %s at size %d, checkpoint says %s", errInconsistent, h, old.Size, old.Root)
			}
		}
		// Read the leaves first: PostgreSQL cannot run the hash reader's
		// queries on the connection while these rows are open.
		entries, err := readEntries(ctx, tx, old.Size, end)
		if err != nil {
			return err
		}
		for i, entry := range entries {
			idx := old.Size + int64(i)
			hs, err := tlog.StoredHashes(idx, entry, r)
			if err != nil {
				return fmt.Errorf("stored hashes of leaf %d: %w", idx, err)
			}
			base := tlog.StoredHashCount(idx)
			for i, h := range hs {
				newHashes[base+int64(i)] = h
			}
		}
		if err := insertHashes(ctx, tx, tlog.StoredHashCount(old.Size), tlog.StoredHashCount(end), newHashes); err != nil {
			return err
		}
		root, err := tlog.TreeHash(end, r)
		if err != nil {
			return fmt.Errorf("tree hash: %w", err)
		}
		cp, err = l.sign(end, root)
		if err != nil {
			return err
		}
		cp.SignedAt = l.clock().UTC()
		_, err = tx.Exec(ctx, "INSERT INTO tlog_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
			cp.Size, cp.Root[:], string(cp.Note), cp.SignedAt)
		if err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, errInconsistent) {
			l.refuse("存储的哈希树与已签名的树头对不上", err.Error())
		}
		return false, fmt.Errorf("integrate: %w", err)
	}
	if cp == nil {
		return more, nil
	}
	l.hashes.addAll(newHashes)
	l.chunks.addFrom(from, cp.Size, newHashes)
	// The checkpoint is committed; keeping a copy outside the database is
	// what lets a later start notice a database restored from an older
	// backup. A crash before this line leaves the file one checkpoint
	// behind, which the start check accepts.
	if err := writeFileSync(CheckpointPath(l.dir), cp.Note, 0o644, false); err != nil {
		return more, fmt.Errorf("save checkpoint file: %w", err)
	}
	l.latest.Store(cp)
	return more, nil
}

// signEmpty signs the checkpoint of the empty tree (size 0, root the
// SHA-256 of nothing, per RFC 6962) when the database has no checkpoint
// yet. Other tlog-tiles logs do the same at their first start: without it
// /checkpoint answers 404 until the first publication, and C2SP clients
// (witnesses, the Tessera hammer, mingbai verify) cannot start on a new
// deployment. The empty tree is a prefix of every tree, so the checkpoint
// is consistent with whatever is integrated later, including leaves that
// are already waiting.
func (l *Log) signEmpty(ctx context.Context) error {
	root, err := tlog.TreeHash(0, nil)
	if err != nil {
		return fmt.Errorf("empty tree hash: %w", err)
	}
	cp, err := l.sign(0, root)
	if err != nil {
		return err
	}
	// Another node starting on the same PostgreSQL may sign the same note
	// at the same moment: Ed25519 signatures are deterministic, so either
	// row is this one.
	err = l.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tlog_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING",
			cp.Size, cp.Root[:], string(cp.Note), l.clock().UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("transparency log: save the empty tree's checkpoint: %w", err)
	}
	// The empty tree is a prefix of any tree, so this file never makes a
	// later start doubt a checkpoint another node signed meanwhile.
	if err := writeFileSync(CheckpointPath(l.dir), cp.Note, 0o644, false); err != nil {
		return fmt.Errorf("save checkpoint file: %w", err)
	}
	return nil
}

// readEntries reads leaves [from, to), failing on a gap.
func readEntries(ctx context.Context, q querier, from, to int64) ([][]byte, error) {
	rows, err := q.Query(ctx, "SELECT idx, entry FROM tlog_leaves WHERE idx >= ? AND idx < ? ORDER BY idx", from, to)
	if err != nil {
		return nil, fmt.Errorf("read leaves: %w", err)
	}
	defer rows.Close()
	entries := make([][]byte, 0, to-from)
	for rows.Next() {
		var idx int64
		var entry []byte
		if err := rows.Scan(&idx, &entry); err != nil {
			return nil, fmt.Errorf("read leaves: %w", err)
		}
		if want := from + int64(len(entries)); idx != want {
			return nil, fmt.Errorf("%w: leaf %d is missing", errInconsistent, want)
		}
		entries = append(entries, entry)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read leaves: %w", err)
	}
	if want := from + int64(len(entries)); want != to {
		return nil, fmt.Errorf("%w: leaf %d is missing", errInconsistent, want)
	}
	return entries, nil
}

// sign makes the C2SP checkpoint for a tree.
func (l *Log) sign(size int64, root tlog.Hash) (*Checkpoint, error) {
	body := log.Checkpoint{Origin: l.origin, Size: uint64(size), Hash: root[:]}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, l.key.Signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return &Checkpoint{Size: size, Root: root, Note: signed}, nil
}

// ParseCheckpoint checks the signature of a checkpoint note with v and
// reads it; origin must match.
func ParseCheckpoint(raw []byte, origin string, v note.Verifier) (Checkpoint, error) {
	c, _, _, err := log.ParseCheckpoint(raw, origin, v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	if len(c.Hash) != tlog.HashSize || c.Size > 1<<62 {
		return Checkpoint{}, errors.New("checkpoint: bad root hash or size")
	}
	var root tlog.Hash
	copy(root[:], c.Hash)
	return Checkpoint{Size: int64(c.Size), Root: root, Note: raw}, nil
}

// latestCheckpoint reads the newest checkpoint row (size 0 when none).
func latestCheckpoint(ctx context.Context, tx *store.Tx) (Checkpoint, error) {
	var (
		c    Checkpoint
		root []byte
		text string
	)
	err := tx.QueryRow(ctx, "SELECT size, root, note, signed_at FROM tlog_checkpoints ORDER BY size DESC LIMIT 1").Scan(&c.Size, &root, &text, &c.SignedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read newest checkpoint: %w", err)
	}
	if len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint %d has a root of %d bytes", errInconsistent, c.Size, len(root))
	}
	copy(c.Root[:], root)
	c.Note = []byte(text)
	return c, nil
}

// insertHashes writes the stored hashes with indexes [from, to).
func insertHashes(ctx context.Context, tx *store.Tx, from, to int64, hs map[int64]tlog.Hash) error {
	const perStatement = 256
	var (
		q    bytes.Buffer
		args []any
	)
	for start := from; start < to; start += perStatement {
		end := min(to, start+perStatement)
		q.Reset()
		args = args[:0]
		q.WriteString("INSERT INTO tlog_hashes (idx, hash) VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?)")
			h, ok := hs[i]
			if !ok {
				return fmt.Errorf("stored hash %d was not computed", i)
			}
			args = append(args, i, h[:])
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("save stored hashes: %w", err)
		}
	}
	return nil
}

// check compares the stored tree with the newest checkpoint in the
// database and with the one in the data directory, and refuses writes if
// they disagree. It fails only when it cannot read them.
func (l *Log) check(ctx context.Context) error {
	var dbCP Checkpoint
	var n int64
	var problem, detail string
	err := l.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if dbCP, err = latestCheckpoint(ctx, tx); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, countSQL).Scan(&n); err != nil {
			return fmt.Errorf("count leaves: %w", err)
		}
		r := l.reader(ctx, tx, nil)
		if dbCP.Note != nil { // size 0 too: the empty tree's checkpoint is signed as well
			parsed, err := ParseCheckpoint(dbCP.Note, l.origin, l.key.Verifier)
			if err != nil || parsed.Size != dbCP.Size || parsed.Root != dbCP.Root {
				problem, detail = "数据库中的树头签名无效", fmt.Sprintf("checkpoint row %d does not carry a valid signature of this log: %v", dbCP.Size, err)
				return nil
			}
			if n < dbCP.Size {
				problem, detail = "已签名的叶子被删除", fmt.Sprintf("%d leaves but the newest checkpoint has %d", n, dbCP.Size)
				return nil
			}
			h, err := tlog.TreeHash(dbCP.Size, r)
			if err != nil || h != dbCP.Root {
				problem, detail = "存储的哈希被改动", fmt.Sprintf("stored hashes give root %v at size %d (err %v), checkpoint says %v", h, dbCP.Size, err, dbCP.Root)
				return nil
			}
		}
		raw, err := os.ReadFile(CheckpointPath(l.dir))
		if errors.Is(err, fs.ErrNotExist) {
			return nil // first start of this node
		}
		if err != nil {
			return fmt.Errorf("read checkpoint file: %w", err)
		}
		fileCP, err := ParseCheckpoint(raw, l.origin, l.key.Verifier)
		if err != nil {
			problem, detail = "数据目录中的树头无法验证", fmt.Sprintf("%s: %v", CheckpointPath(l.dir), err)
			return nil
		}
		if fileCP.Size > dbCP.Size {
			problem, detail = "数据库回到了更早的状态，可能恢复了旧备份", fmt.Sprintf("the database's newest checkpoint has size %d, but this log signed size %d (%s)", dbCP.Size, fileCP.Size, CheckpointPath(l.dir))
			return nil
		}
		h, err := tlog.TreeHash(fileCP.Size, r)
		if err != nil || h != fileCP.Root {
			problem, detail = "数据库中的记录与已签名的树头不符", fmt.Sprintf("stored hashes give root %v at size %d (err %v), signed checkpoint says %v", h, fileCP.Size, err, fileCP.Root)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check transparency log: %w", err)
	}
	if problem != "" {
		l.refuse(problem, detail)
	}
	if dbCP.Note != nil {
		l.latest.Store(&dbCP)
	}
	return nil
}
