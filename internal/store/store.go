// Package store opens Mingbai's database, SQLite (embedded, the default) or
// PostgreSQL, applies the embedded migrations of its dialect and runs
// transactions with retries. Feature packages write portable SQL with ?
// placeholders; the few differences between the two databases live in
// dialect.go.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DB is an open database. Writes go through Write, which serialises them on
// SQLite's single writer connection; reads use a pool.
type DB struct {
	Dialect Dialect
	// URL is where the database lives, without any password, for messages.
	URL string

	write *sql.DB
	read  *sql.DB

	batch    batcher // group commit for WriteBatched, see batch.go
	gen      generation
	prepared sync.Map // query text -> *sql.Stmt, see QueryPrepared
}

// Open opens the database at dsn. A dsn starting with postgres:// or
// postgresql:// selects PostgreSQL; anything else is a SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// OpenInDir opens dsn, or when dsn is empty the SQLite file mingbai.db in
// the data directory dir, creating the directory if needed.
func OpenInDir(ctx context.Context, dsn, dir string) (*DB, error) {
	if dsn == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		dsn = filepath.Join(dir, "mingbai.db")
	}
	return Open(ctx, dsn)
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopBatcher()
	db.gen.close()
	db.prepared.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.read.PingContext(ctx)
}

// Tx is a transaction whose queries use ? placeholders on both dialects.
type Tx struct {
	tx      *sql.Tx
	Dialect Dialect
	// shared marks a group-commit transaction (see batch.go): it belongs
	// to no single caller, so no caller's cancellation may interrupt one
	// of its statements.
	shared bool
}

// stmtCtx is the context a statement of tx runs with. In a shared
// transaction a caller's cancellation is ignored mid-statement: it would
// break the transaction of every caller in the batch, and the batcher
// already skips a caller whose context has ended before its turn. That
// also spares the SQLite driver the goroutine it starts to watch each
// cancellable statement, on the one path where statements run one after
// another.
func (tx *Tx) stmtCtx(ctx context.Context) context.Context {
	if tx.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.stmtCtx(ctx), tx.Dialect.Rebind(query), args...)
}

// Query runs a query returning rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.stmtCtx(ctx), tx.Dialect.Rebind(query), args...)
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.stmtCtx(ctx), tx.Dialect.Rebind(query), args...)
}

// InsertID runs an INSERT that ends in "RETURNING id" and returns the id.
// Both SQLite (3.35+) and PostgreSQL support RETURNING.
func (tx *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, query, args...).Scan(&id)
	return id, err
}

// Savepoint runs fn inside a savepoint of tx: if fn fails, only its own
// changes are rolled back and tx stays usable.
func (tx *Tx) Savepoint(ctx context.Context, name string, fn func() error) error {
	ctx = tx.stmtCtx(ctx)
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("savepoint %s: %w", name, err)
	}
	if err := fn(); err != nil {
		if _, rerr := tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint %s: %w", name, rerr))
		}
		if _, rerr := tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint %s: %w", name, rerr))
		}
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("release savepoint %s: %w", name, err)
	}
	return nil
}

const maxAttempts = 8

// Write runs fn in a read-write transaction and commits it. When the
// database reports a conflict that a retry can resolve (SQLite busy,
// PostgreSQL serialization failure or deadlock), the whole of fn runs again,
// so fn must not have effects outside the transaction.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// Read runs fn in a read-only transaction, a consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
			}
		}
		err = db.runOnce(ctx, pool, readOnly, fn)
		if err == nil || !db.Dialect.retryable(err) {
			return err
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", maxAttempts, err)
}

func (db *DB) runOnce(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) (err error) {
	var opts *sql.TxOptions
	if readOnly && db.Dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: sqlTx, Dialect: db.Dialect}); err != nil {
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if readOnly {
		return sqlTx.Rollback()
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// QueryPrepared runs a read query like Query, with the statement
// prepared once and kept for the life of db: for the constant queries that
// render every page, which SQLite would otherwise parse each time. The
// query must be a constant of the program, never built from input, as
// each distinct text stays prepared.
func (db *DB) QueryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowPrepared is QueryRow with the statement kept, as QueryPrepared.
func (db *DB) QueryRowPrepared(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.prepare(ctx, query)
	if err != nil {
		// A failed prepare reaches the caller through Scan, as with QueryRow.
		return db.read.QueryRowContext(ctx, db.Dialect.Rebind(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (db *DB) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.prepared.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	s, err := db.read.PrepareContext(ctx, db.Dialect.Rebind(query))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.prepared.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// Query runs a read query outside any transaction.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.Dialect.Rebind(query), args...)
}

// QueryRow runs a read query returning at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.Dialect.Rebind(query), args...)
}

// generation reads SQLite's data_version on a connection of its own: the
// number changes whenever another connection, in this process or another,
// commits to the file. It is read through the driver directly, as every
// anonymous page view asks for it and database/sql's bookkeeping cost
// more than the pragma.
//
// Once that connection has read, the wal-index it keeps mapped is mapped
// here too, and the number is read from its header with no query at all
// (walIndex); the pragma remains the way when the header is mid-write.
type generation struct {
	mu    sync.Mutex
	conn  *sql.Conn
	stmt  driver.Stmt // prepared on conn's driver connection
	dest  []driver.Value
	index atomic.Pointer[walIndex]
}

// Generation returns a number that changes whenever anything is committed
// to the database, so that a reader can keep what it derived from the
// data while the number stays the same. ok is false where the database
// cannot tell (PostgreSQL): the caller must then check what it needs.
func (db *DB) Generation(ctx context.Context) (gen int64, ok bool) {
	if db.Dialect != SQLite {
		return 0, false
	}
	g := &db.gen
	if w := g.index.Load(); w != nil {
		if gen, ok := w.generation(); ok {
			return gen, true
		}
	}
	// The pragma takes microseconds; watching ctx for cancellation would
	// cost the driver a goroutine per call, more than the query itself.
	ctx = context.Background()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn == nil {
		conn, err := db.read.Conn(ctx)
		if err != nil {
			return 0, false
		}
		g.conn, g.dest = conn, make([]driver.Value, 1)
	}
	err := g.conn.Raw(func(dc any) error {
		if g.stmt == nil {
			st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, "PRAGMA data_version")
			if err != nil {
				return err
			}
			g.stmt = st
		}
		rows, err := g.stmt.(driver.StmtQueryContext).QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := rows.Next(g.dest); err != nil {
			return err
		}
		v, isInt := g.dest[0].(int64)
		if !isInt {
			return fmt.Errorf("data_version is %T", g.dest[0])
		}
		gen = v
		return nil
	})
	if err != nil {
		g.reset()
		return 0, false
	}
	if g.index.Load() == nil {
		// g.conn has read, so the file exists and stays while it is open.
		if w := openWALIndex(db.URL); w != nil {
			g.index.Store(w)
			if fast, ok := w.generation(); ok {
				return fast, true
			}
		}
	}
	return gen, true
}

func (g *generation) reset() {
	// The view is trusted only while g.conn keeps the file in place. It
	// is dropped but not unmapped: a request may be reading it right now,
	// and one page of address space is cheaper than a lock on every read.
	g.index.Store(nil)
	if g.stmt != nil {
		g.conn.Raw(func(any) error { return g.stmt.Close() })
		g.stmt = nil
	}
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
}

func (g *generation) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reset()
}
