package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt time.Time // zero when not applied
}

// Migrations lists this program's migrations for the database's dialect.
func (db *DB) Migrations() ([]Migration, error) {
	dir := path.Join("migrations", db.Dialect.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return ms, nil
}

const createSchemaTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// MigrationStatus returns every migration this program knows with the time
// it was applied, and the newest version recorded in the database (which
// may be higher than any this program knows).
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, int, error) {
	ms, err := db.Migrations()
	if err != nil {
		return nil, 0, err
	}
	applied := map[int]time.Time{}
	newest := 0
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, createSchemaTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.Query(ctx, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			var at time.Time
			if err := rows.Scan(&v, &at); err != nil {
				return err
			}
			applied[v] = at
			newest = max(newest, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("migration status: %w", err)
	}
	for i := range ms {
		ms[i].AppliedAt = applied[ms[i].Version]
	}
	return ms, newest, nil
}

// ErrNewerSchema is returned when the database was migrated by a newer
// version of Mingbai than this one.
type ErrNewerSchema struct{ Database, Program int }

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("the database has schema version %d but this program knows only up to %d: upgrade mingbai before using this database", e.Database, e.Program)
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns the names of those it applied. It refuses to
// touch a database migrated by a newer program.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, newest, err := db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	if newest > len(ms) {
		return nil, &ErrNewerSchema{Database: newest, Program: len(ms)}
	}
	var done []string
	for _, m := range ms {
		if !m.AppliedAt.IsZero() {
			continue
		}
		err := db.Write(ctx, func(tx *Tx) error {
			if err := db.Dialect.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 { // another process applied it meanwhile
				return nil
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, time.Now().UTC())
			return err
		})
		if err != nil {
			return done, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		done = append(done, m.Name)
	}
	return done, nil
}

// CheckSchema returns an error unless every migration of this program is
// applied and none newer is.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, newest, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if newest > len(ms) {
		return &ErrNewerSchema{Database: newest, Program: len(ms)}
	}
	for _, m := range ms {
		if m.AppliedAt.IsZero() {
			return fmt.Errorf("migration %s is not applied: run mingbai migrate", m.Name)
		}
	}
	return nil
}
