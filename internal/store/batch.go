package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit.
//
// A durable commit costs one fsync, which on a small machine is worth
// thousands of row inserts. WriteBatched lets concurrent callers share it:
// callers that arrive while a batch is committing wait together, and the
// next batch runs all of their work in one transaction with one commit.
// A caller whose function fails is rolled back alone and the others still
// commit (see runBatch for how, with savepoints only when they are needed).
//
// Batching is natural, not timed: under light load a batch holds one caller
// and costs what Write costs; under heavy load batches grow up to
// maxBatchSize and the cost of the commit is shared.

// maxBatchSize bounds how many callers share one transaction, so that one
// batch cannot hold the writer for long.
const maxBatchSize = 2048

// batchRequest is one caller's work waiting for a batch.
type batchRequest struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error // buffered: the batcher never blocks on a caller

	panicked any // what fn panicked with, re-raised in the caller
}

// batcher runs batches one at a time on the writer pool. It starts on the
// first WriteBatched call and stops in Close.
type batcher struct {
	start sync.Once
	mu    sync.Mutex
	queue []*batchRequest
	wake  chan struct{} // a request was queued
	quit  chan struct{} // closed by Close
	done  chan struct{} // closed when the loop has ended
	open  bool

	batches atomic.Int64 // committed batches
	callers atomic.Int64 // callers whose work those batches committed
}

// BatchStats reports how many group commits WriteBatched has made and how
// many callers' work they carried, for benchmarks and monitoring.
func (db *DB) BatchStats() (batches, callers int64) {
	return db.batch.batches.Load(), db.batch.callers.Load()
}

// WriteBatched runs fn in a read-write transaction shared with other
// concurrent callers and returns once that transaction's commit is durable
// (or fn failed). An error from fn rolls back fn's changes only and is
// returned to this caller alone. As with Write, fn
// may run more than once (when a batch must be retried) and must not have
// effects outside the transaction.
func (db *DB) WriteBatched(ctx context.Context, fn func(tx *Tx) error) error {
	b := &db.batch
	b.start.Do(func() {
		b.wake = make(chan struct{}, 1)
		b.quit = make(chan struct{})
		b.done = make(chan struct{})
		b.open = true
		go db.batchLoop()
	})
	req := &batchRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	if !b.open {
		b.mu.Unlock()
		return errors.New("write batched: database is closed")
	}
	b.queue = append(b.queue, req)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	// Once queued the request is owned by the batcher: waiting for its
	// answer even after ctx ends tells the caller truthfully whether its
	// work was committed.
	err := <-req.done
	if req.panicked != nil {
		panic(req.panicked)
	}
	return err
}

// stopBatcher ends the batch loop after the batch in flight, failing any
// request still queued. Close calls it.
func (db *DB) stopBatcher() {
	b := &db.batch
	b.mu.Lock()
	started := b.open
	b.open = false
	queued := b.queue
	b.queue = nil
	b.mu.Unlock()
	for _, r := range queued {
		r.done <- errors.New("write batched: database is closed")
	}
	if started {
		close(b.quit)
		<-b.done
	}
}

// collectWait bounds how long a batch waits to collect callers.
const collectWait = 2 * time.Millisecond

// collect waits briefly, after a batch of last callers, until about half
// as many are queued again. Under steady load the callers a batch has just
// answered come back within a moment; starting the next batch with the
// first few of them would spend a whole commit (an fsync) on those few
// and leave the rest to queue behind it. Under light load (last ≤ 1)
// nobody waits.
func (db *DB) collect(last int) {
	if last <= 1 {
		return
	}
	b := &db.batch
	deadline := time.Now().Add(collectWait)
	for {
		b.mu.Lock()
		n := len(b.queue)
		b.mu.Unlock()
		if n >= last/2 || time.Now().After(deadline) {
			return
		}
		time.Sleep(collectWait / 10)
	}
}

func (db *DB) batchLoop() {
	b := &db.batch
	defer close(b.done)
	for {
		select {
		case <-b.quit:
			return
		case <-b.wake:
		}
		last := 0 // callers in the previous batch
		for {
			db.collect(last)
			b.mu.Lock()
			n := min(len(b.queue), maxBatchSize)
			reqs := b.queue[:n:n]
			b.queue = b.queue[n:]
			if len(b.queue) == 0 {
				b.queue = nil
			}
			b.mu.Unlock()
			if n == 0 {
				break
			}
			db.runBatch(reqs)
			last = n
		}
	}
}

// errCallerFailed ends an optimistic batch attempt: one caller's fn failed
// and the transaction, which holds that caller's partial work, was rolled
// back. It is answered; the others run again.
var errCallerFailed = errors.New("a caller failed in an optimistic batch")

// optimisticFailures is how many failing callers a batch tolerates running
// optimistically before it gives every caller its own savepoint.
const optimisticFailures = 2

// runBatch runs reqs in as few transactions as it can and answers each.
//
// A batch first runs optimistically, without savepoints: PostgreSQL slows
// down sharply once a transaction holds more than 64 subtransactions
// (every snapshot must then consult pg_subtrans), and even SQLite pays
// two statements per caller for them. If a caller fails, the transaction
// is rolled back, that caller gets its error, and the others run again;
// after a couple of failures the batch runs with one savepoint per caller,
// so that each further failure is rolled back alone.
func (db *DB) runBatch(reqs []*batchRequest) {
	var err error
	failures := 0
	for attempt := 0; len(reqs) > 0; attempt++ {
		var retry []*batchRequest
		retry, err = db.runBatchOnce(reqs, failures >= optimisticFailures)
		if err == nil {
			return
		}
		if errors.Is(err, errCallerFailed) {
			failures++
			attempt--
			reqs = retry
			continue
		}
		if errors.Is(err, errFlushFailed) && !db.Dialect.retryable(err) {
			// Deferred rows of the whole batch failed to write: no
			// caller can be blamed yet, so each runs alone, where its
			// rows are written at once and a failure is its own.
			reqs = retry
			break
		}
		if attempt >= maxAttempts || !db.Dialect.retryable(err) && len(retry) == len(reqs) {
			break
		}
		reqs = retry
	}
	// The batch as a whole keeps failing for a reason no single caller
	// owns: give each remaining caller its own transaction, so that the
	// failure lands on whoever causes it.
	for _, r := range reqs {
		r.done <- db.Write(r.ctx, func(tx *Tx) error { return callFn(tx, r) })
	}
}

// runBatchOnce runs reqs in one transaction, each caller in its own
// savepoint when withSavepoints is set. Callers whose fn failed in a
// savepoint are answered at once. If the transaction itself fails, or a
// caller fails without a savepoint, the callers not yet answered are
// returned with the error, to be run again; otherwise every caller is
// answered after the commit.
func (db *DB) runBatchOnce(reqs []*batchRequest, withSavepoints bool) (retry []*batchRequest, err error) {
	// The transaction belongs to no single caller, so no caller's
	// cancellation may end it; each fn still uses its own context.
	ctx := context.Background()
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return reqs, fmt.Errorf("begin batch: %w", err)
	}
	tx := &Tx{tx: sqlTx, Dialect: db.Dialect, shared: true}
	dt := &txDeferred{}
	batchDeferred.Store(tx, dt)
	defer batchDeferred.Delete(tx)
	var sp *savepoints
	if withSavepoints {
		if sp, err = prepareSavepoints(ctx, sqlTx); err != nil {
			_ = sqlTx.Rollback()
			return reqs, err
		}
	}
	ok := reqs[:0:0]
	for i, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		if sp == nil {
			if ferr := callFn(tx, r); ferr != nil {
				_ = sqlTx.Rollback()
				r.done <- ferr
				return append(ok, reqs[i+1:]...), errCallerFailed
			}
			ok = append(ok, r)
			continue
		}
		mark := dt.mark()
		ferr, serr := sp.run(ctx, tx, r)
		if ferr != nil {
			dt.undo(mark) // the caller's rows go with its savepoint
		}
		if serr != nil {
			// The transaction is unusable (say, a connection lost while
			// a caller's context was cancelled mid-statement). The caller
			// in whose savepoint it broke gets its own error; the rest
			// are run again.
			_ = sqlTx.Rollback()
			if ferr != nil {
				r.done <- errors.Join(ferr, serr)
				return append(ok, reqs[i+1:]...), serr
			}
			return append(ok, reqs[i:]...), serr
		}
		if ferr != nil {
			r.done <- ferr
			continue
		}
		ok = append(ok, r)
	}
	if len(ok) == 0 {
		return nil, sqlTx.Rollback()
	}
	if err := dt.flush(ctx, tx); err != nil {
		_ = sqlTx.Rollback()
		return ok, err
	}
	if err := sqlTx.Commit(); err != nil {
		return ok, fmt.Errorf("commit batch: %w", err)
	}
	db.batch.batches.Add(1)
	db.batch.callers.Add(int64(len(ok)))
	for _, r := range ok {
		r.done <- nil
	}
	return nil, nil
}

// savepoints are the three savepoint statements, prepared once per batch:
// a batch runs them for every caller, and parsing them each time costs
// more than running them.
type savepoints struct{ begin, rollback, release *sql.Stmt }

func prepareSavepoints(ctx context.Context, tx *sql.Tx) (*savepoints, error) {
	var sp savepoints
	var err error
	if sp.begin, err = tx.PrepareContext(ctx, "SAVEPOINT batch_caller"); err != nil {
		return nil, fmt.Errorf("prepare savepoint: %w", err)
	}
	if sp.rollback, err = tx.PrepareContext(ctx, "ROLLBACK TO SAVEPOINT batch_caller"); err != nil {
		return nil, fmt.Errorf("prepare savepoint: %w", err)
	}
	if sp.release, err = tx.PrepareContext(ctx, "RELEASE SAVEPOINT batch_caller"); err != nil {
		return nil, fmt.Errorf("prepare savepoint: %w", err)
	}
	return &sp, nil
}

// run runs r's fn in a savepoint of tx. ferr is fn's own error (its
// changes are then rolled back); serr is an error of the savepoint
// machinery, after which tx must not be used.
func (sp *savepoints) run(ctx context.Context, tx *Tx, r *batchRequest) (ferr, serr error) {
	if _, err := sp.begin.ExecContext(ctx); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	ferr = callFn(tx, r)
	if ferr != nil {
		if _, err := sp.rollback.ExecContext(ctx); err != nil {
			return ferr, fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := sp.release.ExecContext(ctx); err != nil {
		return ferr, fmt.Errorf("release savepoint: %w", err)
	}
	return ferr, nil
}

// Stmt is a statement of a hot write path, prepared once per connection
// and reused by every transaction, so that SQLite does not parse it again
// for each of the thousands of callers a batch can carry.
type Stmt struct{ s *sql.Stmt }

// PrepareWrite prepares query (with ? placeholders) for use in write
// transactions with Tx.ExecStmt and Tx.QueryRowStmt.
func (db *DB) PrepareWrite(ctx context.Context, query string) (*Stmt, error) {
	s, err := db.write.PrepareContext(ctx, db.Dialect.Rebind(query))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return &Stmt{s: s}, nil
}

// Close releases the statement.
func (s *Stmt) Close() error { return s.s.Close() }

// ExecStmt runs a prepared statement in tx.
func (tx *Tx) ExecStmt(ctx context.Context, s *Stmt, args ...any) (sql.Result, error) {
	ctx = tx.stmtCtx(ctx)
	return tx.tx.StmtContext(ctx, s.s).ExecContext(ctx, args...)
}

// QueryRowStmt runs a prepared query returning at most one row in tx.
func (tx *Tx) QueryRowStmt(ctx context.Context, s *Stmt, args ...any) *sql.Row {
	ctx = tx.stmtCtx(ctx)
	return tx.tx.StmtContext(ctx, s.s).QueryRowContext(ctx, args...)
}

// callFn turns a panic in one caller's fn into a failure of that caller
// alone, re-raised in its own goroutine, so that it cannot take down the
// batcher and every other caller with it.
func callFn(tx *Tx, r *batchRequest) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
			err = fmt.Errorf("write batched: panic in caller: %v", p)
		}
	}()
	return r.fn(tx)
}

// Deferred writes.
//
// Even with one commit per batch, each caller's statements cost a round
// trip to PostgreSQL (and a trip through database/sql on SQLite), one
// after the other on the batch's connection. Work that every caller does
// in the same shape, such as appending a leaf, can instead be deferred: each
// caller adds its row, and the batch writes all rows with a few multi-row
// statements just before it commits. The rows still commit in the same
// transaction as everything else their caller did, or not at all.

// Deferred is one kind of deferred write, such as "insert a leaf". Make one
// per kind and keep it for the life of the program.
type Deferred struct {
	// Flush writes rows, in the order they were added, in tx. An error
	// fails the whole batch, whose callers then run one by one.
	Flush func(ctx context.Context, tx *Tx, rows []any) error
}

// batchDeferred maps each batch transaction in flight to its deferred
// rows. Tx carries no room for them, and only batches defer.
var batchDeferred sync.Map // *Tx → *txDeferred

// txDeferred holds a batch transaction's deferred rows by kind.
type txDeferred struct {
	order []*Deferred // kinds in the order of first use, the flush order
	rows  map[*Deferred][]any
}

// deferMark is how many rows of each kind a transaction held when a
// caller began.
type deferMark map[*Deferred]int

func (dt *txDeferred) mark() deferMark {
	m := make(deferMark, len(dt.order))
	for _, d := range dt.order {
		m[d] = len(dt.rows[d])
	}
	return m
}

func (dt *txDeferred) undo(m deferMark) {
	for _, d := range dt.order {
		dt.rows[d] = dt.rows[d][:m[d]]
	}
}

// errFlushFailed marks a failure to write a batch's deferred rows.
var errFlushFailed = errors.New("write deferred rows")

func (dt *txDeferred) flush(ctx context.Context, tx *Tx) error {
	for _, d := range dt.order {
		if rows := dt.rows[d]; len(rows) > 0 {
			if err := d.Flush(ctx, tx, rows); err != nil {
				return fmt.Errorf("%w: %w", errFlushFailed, err)
			}
		}
	}
	return nil
}

// Defer adds row to the rows of kind d in tx. In a transaction of
// WriteBatched, d.Flush writes them all after the last caller's function
// has run and before the commit; a caller whose function fails takes its
// rows back with it. Elsewhere (Write) d.Flush runs at once with row alone.
//
// Deferred rows are not in the database until the flush: SQL run by the
// callers of the batch does not see them.
func (tx *Tx) Defer(ctx context.Context, d *Deferred, row any) error {
	v, ok := batchDeferred.Load(tx)
	if !ok {
		return d.Flush(ctx, tx, []any{row})
	}
	dt := v.(*txDeferred)
	if dt.rows == nil {
		dt.rows = map[*Deferred][]any{}
	}
	if _, seen := dt.rows[d]; !seen {
		dt.order = append(dt.order, d)
	}
	dt.rows[d] = append(dt.rows[d], row)
	return nil
}

// Deferred returns the rows of kind d waiting in tx to be flushed, oldest
// first; none outside a batch. The slice must not be changed.
func (tx *Tx) Deferred(d *Deferred) []any {
	v, ok := batchDeferred.Load(tx)
	if !ok {
		return nil
	}
	return v.(*txDeferred).rows[d]
}

// maxRowsPerStatement bounds a multi-row statement of InsertRows.
const maxRowsPerStatement = 512

// InsertRows runs head + " VALUES (?, …), (?, …) …" + tail for rows of
// width values each, taken in order from args. It splits the rows into
// statements of 512, 256, … 1 rows, so that the few statement shapes
// stay in the drivers' statement caches. With scan set, the statement
// returns rows (tail holds a RETURNING clause) and scan reads each.
func (tx *Tx) InsertRows(ctx context.Context, head, tail string, width int, args []any, scan func(*sql.Rows) error) error {
	if width < 1 || len(args)%width != 0 {
		return fmt.Errorf("insert rows: %d values do not make rows of %d", len(args), width)
	}
	var row strings.Builder
	row.WriteString("(?")
	row.WriteString(strings.Repeat(", ?", width-1))
	row.WriteString(")")
	for len(args) > 0 {
		n := maxRowsPerStatement
		for n > len(args)/width {
			n /= 2
		}
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row.String())
		}
		q.WriteString(tail)
		chunk := args[:n*width]
		args = args[n*width:]
		if scan == nil {
			if _, err := tx.Exec(ctx, q.String(), chunk...); err != nil {
				return err
			}
			continue
		}
		if err := tx.queryEach(ctx, q.String(), chunk, scan); err != nil {
			return err
		}
	}
	return nil
}

// QueryIn runs prefix + "(?, …)" over ids, in statements of 512, 256, … 1
// ids as InsertRows splits rows (databases bound a statement's
// parameters), and calls scan for every row.
func (tx *Tx) QueryIn(ctx context.Context, prefix string, ids []int64, scan func(*sql.Rows) error) error {
	for len(ids) > 0 {
		n := maxRowsPerStatement
		for n > len(ids) {
			n /= 2
		}
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		if err := tx.queryEach(ctx, prefix+"(?"+strings.Repeat(", ?", n-1)+")", args, scan); err != nil {
			return err
		}
	}
	return nil
}

// queryEach runs query and calls scan for every row.
func (tx *Tx) queryEach(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := scan(rows); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}
