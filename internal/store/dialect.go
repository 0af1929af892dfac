package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is the kind of database. Every difference between SQLite and
// PostgreSQL that Go code must know lives in this file.
type Dialect int

// The dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Rebind turns ? placeholders into $1, $2… for PostgreSQL. A ? inside a
// quoted string literal is left alone.
func (d Dialect) Rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// retryable reports whether a transaction that failed with err may succeed
// if run again from the start.
func (d Dialect) retryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// so callers can turn it into a Chinese "already exists" message.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// busy_timeout comes first so that the pragmas after it wait instead of
	// failing while another process holds the lock.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_time_format=sqlite"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, URL: path, write: write, read: read}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(dsn), err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(16)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", redact(dsn), err)
	}
	return &DB{Dialect: Postgres, URL: redact(dsn), write: pool, read: pool}, nil
}

// redact removes the password from a database URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// lockMigrations keeps two processes from migrating the same database at
// once. SQLite's writer lock already does this for its single file.
func (d Dialect) lockMigrations(ctx context.Context, tx *Tx) error {
	if d != Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7336253)")
	return err
}

// ---- Full-text search over zh tokens ----
//
// TokenSearch is the one place where the two databases search differently.
// A searchable table keeps, per row, the zh.Tokens of its text joined by
// spaces in a column named tokens; SQLite indexes it in an FTS5 table
// (external content, rowid = the key), PostgreSQL in a generated tsvector
// column tsv (array_to_tsvector of the same tokens) with a GIN index. Both
// match a row when it holds every query token.

// TokenSearch is the SQL a search needs: From joins the index to alias
// with its FromArgs, Where is the condition with its WhereArgs, Rank
// orders best first (ascending) with its RankArgs.
type TokenSearch struct {
	From, Where, Rank             string
	FromArgs, WhereArgs, RankArgs []any
}

// SearchTokens returns how to search alias (a table with a tokens column
// and, on PostgreSQL, a tsv column) for rows holding every query token.
// ftsTable is the SQLite FTS5 table over alias, key the rowid column.
// Tokens must be zh.QueryTokens (letters and digits only), at least one.
// A scope other than 0 limits the search to the community of that id
// inside the SQLite index: its ctokens column holds every token again
// behind its community (scopedToken), so the posting lists read are the
// community's alone. The caller still names the community in its own
// WHERE, which is what PostgreSQL uses.
//
// newest, when not 0, makes SQLite rank only the newest that many matches
// (by rowid) of the whole index rather than every one: ranking costs some
// microseconds a match, and a one-character query can match most of a
// city's documents. The caller must see whether that left it short of
// results (its own WHERE may have dropped candidates) and then search
// again without the limit. PostgreSQL ignores it.
func (d Dialect) SearchTokens(alias, ftsTable, key string, tokens []string, scope int64, newest int) TokenSearch {
	if d == Postgres {
		q := make([]string, len(tokens))
		for i, t := range tokens {
			q[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
		}
		tsq := strings.Join(q, " & ")
		return TokenSearch{
			Where:     alias + ".tsv @@ CAST(? AS tsquery)",
			Rank:      "-ts_rank(" + alias + ".tsv, CAST(? AS tsquery))",
			WhereArgs: []any{tsq},
			RankArgs:  []any{tsq},
		}
	}
	column := "tokens"
	if scope != 0 {
		column = "ctokens"
	}
	q := make([]string, len(tokens))
	for i, t := range tokens {
		if scope != 0 {
			t = scopedToken(scope, t)
		}
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	match := "{" + column + "} : (" + strings.Join(q, " ") + ")"
	if newest > 0 {
		// FTS5 walks its posting lists in rowid order, newest first when
		// asked, and stops at the limit: only those matches are scored.
		return TokenSearch{
			From: " JOIN (SELECT rowid AS match_id, bm25(" + ftsTable + ") AS match_rank FROM " + ftsTable +
				" WHERE " + ftsTable + " MATCH ? ORDER BY rowid DESC LIMIT " + strconv.Itoa(newest) + ") AS m ON m.match_id = " + alias + "." + key,
			Where:    "1 = 1",
			Rank:     "m.match_rank",
			FromArgs: []any{match},
		}
	}
	return TokenSearch{
		From:      " JOIN " + ftsTable + " ON " + ftsTable + ".rowid = " + alias + "." + key,
		Where:     ftsTable + " MATCH ?",
		Rank:      "bm25(" + ftsTable + ")",
		WhereArgs: []any{match},
	}
}

// scopedToken is token as the SQLite index's ctokens column holds it for
// the community of id scope: "c", the id, "x", the token ("c123x居民").
// The id is all digits and the "x" ends it, so two communities' tokens
// never meet: c1x23 (community 1) is not c12x3 (community 12). Migration
// 0010 computes the same in SQL from the tokens column.
func scopedToken(scope int64, token string) string {
	return "c" + strconv.FormatInt(scope, 10) + "x" + token
}

// CompactTextIndex puts a full-text index into the shape searches and the
// next writes want, after a bulk load or a rebuild: SQLite's FTS5 table
// ftsTable is merged into one segment, since a bulk load leaves merges
// half done that every later insert would carry on with, tens of
// milliseconds at a time; PostgreSQL's GIN index ginIndex has the entries
// waiting in its pending list moved into the index proper.
// It also ends DeferTextIndexMerges.
func (tx *Tx) CompactTextIndex(ctx context.Context, ftsTable, ginIndex string) error {
	var err error
	if tx.Dialect == Postgres {
		_, err = tx.Exec(ctx, `SELECT gin_clean_pending_list(CAST(? AS regclass))`, ginIndex)
	} else {
		// FTS5's own defaults: merge four segments of a level as they come,
		// and at once when a level holds sixteen.
		err = tx.setTextIndexMerging(ctx, ftsTable, 4, 16)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO `+ftsTable+`(`+ftsTable+`) VALUES ('optimize')`)
		}
	}
	if err != nil {
		return fmt.Errorf("compact text index %s: %w", ftsTable, err)
	}
	return nil
}

// DeferTextIndexMerges stops SQLite's FTS5 table ftsTable merging its
// segments as rows come, for a bulk load that ends with CompactTextIndex:
// the merges along the way would be done again by its one final merge.
// Segments still merge when a level holds 64. PostgreSQL: nothing.
func (tx *Tx) DeferTextIndexMerges(ctx context.Context, ftsTable string) error {
	if tx.Dialect == Postgres {
		return nil
	}
	if err := tx.setTextIndexMerging(ctx, ftsTable, 0, 64); err != nil {
		return fmt.Errorf("defer merges of text index %s: %w", ftsTable, err)
	}
	return nil
}

// setTextIndexMerging sets FTS5's automerge and crisismerge, which the
// table keeps in its configuration.
func (tx *Tx) setTextIndexMerging(ctx context.Context, ftsTable string, automerge, crisismerge int) error {
	for _, kv := range []struct {
		key   string
		value int
	}{{"automerge", automerge}, {"crisismerge", crisismerge}} {
		if _, err := tx.Exec(ctx, `INSERT INTO `+ftsTable+`(`+ftsTable+`, rank) VALUES (?, ?)`, kv.key, kv.value); err != nil {
			return err
		}
	}
	return nil
}

// SyncSequences moves the id sequence of each table past its largest id,
// after rows were inserted with explicit ids (a bulk load), so that later
// inserts that let the database choose an id do not collide. SQLite needs
// nothing: an INTEGER PRIMARY KEY continues from the largest rowid.
func (tx *Tx) SyncSequences(ctx context.Context, tables ...string) error {
	if tx.Dialect != Postgres {
		return nil
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)"); err != nil {
			return fmt.Errorf("sync id sequence of %s: %w", t, err)
		}
	}
	return nil
}
