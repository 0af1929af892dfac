// Package storetest opens real, migrated, throwaway databases for tests:
// a SQLite file in a temp dir, and a fresh database on the PostgreSQL
// server named by MINGBAI_TEST_POSTGRES, cloned from a template database
// migrated once.
//
// It also holds the one rule for tests that need something from outside
// Go (PostgreSQL, Chromium, axe-core): not configured, such a test is
// skipped with a one-line reason on a developer's machine, so a plain
// `go test ./...` passes on a fresh checkout; with CI or
// MINGBAI_TEST_REQUIRE set it fails instead, so CI and scripts/test never
// pass by skipping. Under -short the PostgreSQL tests are skipped even when
// configured (unless required), so a quick run checks SQLite only.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mingbai/internal/store"
)

// PostgresEnv names the variable holding the URL of a PostgreSQL server
// (any database on it) that tests may create databases on. Unset, the
// PostgreSQL subtests are skipped, unless Required; "off" skips them
// even then, on purpose.
const PostgresEnv = "MINGBAI_TEST_POSTGRES"

// RequireEnv, set to any value, makes every test that needs PostgreSQL,
// Chromium or axe-core fail when it is not configured, as CI (which sets
// CI) does. scripts/test sets it.
const RequireEnv = "MINGBAI_TEST_REQUIRE"

// Required reports whether a test missing its outside tool must fail
// rather than skip: in CI, or when RequireEnv is set.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv(RequireEnv) != ""
}

// Unconfigured ends a test whose outside tool is not configured: a skip
// with reason on a developer's machine, a failure when Required.
func Unconfigured(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (required: CI or %s is set)", reason, RequireEnv)
	}
	t.Skip(reason)
}

// postgresUnset is the one line a skipped PostgreSQL test prints.
const postgresUnset = PostgresEnv + " is not set: PostgreSQL tests skipped (run scripts/test, or set it to a server URL such as postgres://postgres@localhost/postgres?sslmode=disable)"

// postgresShort is the one line a PostgreSQL test prints when -short
// leaves it out.
const postgresShort = "-short: PostgreSQL tests skipped, SQLite only (set " + RequireEnv + "=1 to run them too)"

// shortSkipsPostgres reports whether -short leaves out the PostgreSQL
// tests: they are half the time of a quick run, and the same code runs on
// SQLite in it. Required keeps them (scripts/test and CI never skip them).
func shortSkipsPostgres() bool {
	return testing.Short() && !Required()
}

// postgresBase returns the test server's URL, or ends the test when there
// is none or -short leaves PostgreSQL out.
func postgresBase(t testing.TB) string {
	t.Helper()
	switch base := os.Getenv(PostgresEnv); {
	case base == "off":
		t.Skip(PostgresEnv + "=off: PostgreSQL tests skipped on request")
	case shortSkipsPostgres():
		t.Skip(postgresShort)
	case base == "":
		Unconfigured(t, postgresUnset)
	default:
		return base
	}
	return ""
}

// PostgresWanted reports whether a test that also runs without PostgreSQL
// (a fuzz target, a benchmark) should add it: when it is configured and
// not left out by -short, or when it is required, so that Postgres fails
// rather than nobody noticing.
func PostgresWanted() bool {
	switch os.Getenv(PostgresEnv) {
	case "off":
		return false
	case "":
		return Required()
	}
	return !shortSkipsPostgres()
}

// Each runs fn as a subtest on a fresh migrated SQLite database and on a
// fresh migrated PostgreSQL database (skipped under -short unless
// Required).
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachFromEmpty is Each where the PostgreSQL database too is migrated from
// empty by this test rather than cloned from the template: for the tests
// of the migrations themselves.
func EachFromEmpty(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresFromEmpty(t)) })
}

// SQLite returns a fresh migrated SQLite database, closed when the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresURL creates an empty database on the test server and returns its
// URL; the database is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, postgresBase(t), "")
}

// Postgres returns a fresh PostgreSQL database at the current schema,
// cloned from the template (with the rows the migrations insert), closed
// and dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := postgresBase(t)
	tmpl, err := template(base)
	if err != nil {
		t.Fatalf("PostgreSQL template database: %v", err)
	}
	return open(t, createDatabase(t, base, tmpl))
}

// PostgresFromEmpty returns a fresh PostgreSQL database migrated from
// empty by this call.
func PostgresFromEmpty(t testing.TB) *store.DB {
	t.Helper()
	db := open(t, PostgresURL(t))
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// open opens a test database, closed when the test ends (before it is
// dropped: cleanups run last first).
func open(t testing.TB, u string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// createDatabase creates a database with a random name on the server at
// base, a copy of tmpl when tmpl is not empty, and returns its URL. The
// database is dropped when the test ends.
func createDatabase(t testing.TB, base, tmpl string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "mbtest_" + hex.EncodeToString(b[:])
	create := "CREATE DATABASE " + name
	if tmpl != "" {
		create += " TEMPLATE " + tmpl
	}
	if err := execRetry(context.Background(), admin, create); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := dbURL(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// execRetry runs a CREATE DATABASE, again for a while when PostgreSQL
// refuses because someone is connected to the template: a clone needs the
// template to itself, and the template's own creation, in another test
// process, connects to it until it is renamed.
func execRetry(ctx context.Context, admin *sql.DB, stmt string) error {
	deadline := time.Now().Add(time.Minute)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		_, err := admin.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "is being accessed by other users") || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

func dbURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// The template database is made once per test process and kept on the
// server for later runs and for the other test binaries running at the
// same time.
var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of the database to clone test databases
// from, creating it if the server has none yet.
func template(base string) (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = schemaName()
		if templateErr == nil {
			templateErr = makeTemplate(context.Background(), base, templateName)
		}
	})
	return templateName, templateErr
}

// schemaName names the template of this program's schema by a hash of
// its PostgreSQL migrations, so that a template of another schema (an
// older checkout, another branch on the same server) is never used.
func schemaName() (string, error) {
	ms, err := (&store.DB{Dialect: store.Postgres}).Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s\n", m.Version, m.Name, len(m.SQL), m.SQL)
	}
	return "mbtmpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// templateLock is the advisory lock key under which test processes check
// for and create the template (distinct from the migrations' own lock).
const templateLock = 7336254

// makeTemplate creates the database name, migrated to this program's
// schema, unless the server has it already. Test processes take turns
// under an advisory lock; the template is migrated under a temporary name
// and renamed only when complete, so no one clones it half-migrated; and
// it is then closed to connections, so a stray one never blocks a clone.
func makeTemplate(ctx context.Context, base, name string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", PostgresEnv, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", templateLock)

	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return fmt.Errorf("look for %s: %w", name, err)
	}
	if n == 1 {
		return nil
	}
	// A process that died while migrating left its temporary database;
	// under the lock no one else is using it.
	building := name + "_new"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop %s: %w", building, err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return fmt.Errorf("create %s: %w", building, err)
	}
	u, err := dbURL(base, building)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return fmt.Errorf("open %s: %w", building, err)
	}
	_, err = db.Migrate(ctx)
	err = errors.Join(err, db.Close())
	if err != nil {
		return fmt.Errorf("migrate %s: %w", building, err)
	}
	for _, stmt := range []string{
		"ALTER DATABASE " + building + " RENAME TO " + name,
		"ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false",
	} {
		if err := execRetry(ctx, admin, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
