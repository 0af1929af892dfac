package main

import (
	"context"
	"flag"
	"fmt"

	"mingbai/internal/store"
)

// dbFlags are the flags of every command that opens the database.
type dbFlags struct {
	data string
	db   string
}

// newDBFlags is newFlags for a command that works on a database, with the
// database flags registered.
func newDBFlags(env *Env, name, synopsis string) (*flag.FlagSet, *dbFlags) {
	fs := newFlags(env, name, synopsis)
	f := &dbFlags{}
	f.register(fs, env)
	return fs, f
}

func (f *dbFlags) register(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&f.data, "data", env.envOr("MINGBAI_DATA", "./mingbai-data"), "data directory: SQLite file, signing key, attachments (env MINGBAI_DATA)")
	fs.StringVar(&f.db, "db", env.Getenv("MINGBAI_DB"), "database: empty for SQLite in the data directory, or a postgres:// URL (env MINGBAI_DB)")
}

// openAsIs opens the database without touching its schema, for the
// commands that inspect one (migrate --status, fsck).
func (f *dbFlags) openAsIs(ctx context.Context) (*store.DB, error) {
	return store.OpenInDir(ctx, f.db, f.data)
}

// open opens the database and brings its schema up to date. A database
// migrated by a newer mingbai is refused.
func (f *dbFlags) open(ctx context.Context) (*store.DB, error) {
	db, err := f.openAsIs(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", db.URL, err)
	}
	return db, nil
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs, f := newDBFlags(env, "migrate", "[--status] [--data DIR] [--db URL]")
	status := fs.Bool("status", false, "only list the migrations and whether each is applied")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := f.openAsIs(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		ms, newest, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "pending"
			if !m.AppliedAt.IsZero() {
				state = "applied " + m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(env.Stdout, "%04d %-28s %s\n", m.Version, m.Name, state)
		}
		if newest > len(ms) {
			return &store.ErrNewerSchema{Database: newest, Program: len(ms)}
		}
		return nil
	}
	done, err := db.Migrate(ctx)
	for _, name := range done {
		fmt.Fprintln(env.Stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(env.Stdout, "database is up to date:", db.URL)
	}
	return nil
}
