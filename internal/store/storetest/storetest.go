// Package storetest opens real, migrated, throwaway databases for tests:
// a SQLite file in a temp dir, and a fresh database on the PostgreSQL
// server named by MINGBAI_TEST_POSTGRES.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"mingbai/internal/store"
)

// PostgresEnv names the variable holding the URL of a PostgreSQL server
// (any database on it) that tests may create databases on. Set it to "off"
// to run SQLite alone; leaving it unset fails the tests, so a CI run can
// never skip PostgreSQL without saying so.
const PostgresEnv = "MINGBAI_TEST_POSTGRES"

// Each runs fn as a subtest on a fresh migrated SQLite database and on a
// fresh migrated PostgreSQL database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(PostgresEnv) == "off" {
			t.Skip(PostgresEnv + "=off: PostgreSQL tests skipped on request")
		}
		fn(t, Postgres(t))
	})
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
	base := os.Getenv(PostgresEnv)
	if base == "" || base == "off" {
		t.Fatalf("%s is not set: start PostgreSQL with scripts/test (or set %s=off to run SQLite alone)", PostgresEnv, PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "mbtest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
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
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres returns a fresh migrated PostgreSQL database.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
