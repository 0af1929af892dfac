package main

import (
	"context"
	"fmt"

	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// runFsck checks the log from inside the database: gaps, stored hashes,
// checkpoints, and each object's content against its leaf.
func runFsck(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "fsck", "[--data DIR] [--db URL]")
	var f dbFlags
	f.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	// fsck reads; it never migrates the database it inspects.
	db, err := store.OpenInDir(ctx, f.db, f.data)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	// Content sources belong to the features; until they register theirs
	// here, fsck checks the log's own structure and counts content as
	// unchecked.
	rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Dir: f.data})
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "database %s\n", db.URL)
	fmt.Fprintf(w, "leaves   %d, checkpoints %d\n", rep.Leaves, rep.Checkpoints)
	fmt.Fprintf(w, "content  %d matched, %d redacted, %d missing, %d without a checker\n",
		rep.Content.Checked, rep.Content.Redacted, rep.Content.Missing, rep.Content.Unchecked)
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "FAILED   %d problem(s):\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
		return fmt.Errorf("fsck found %d problem(s)", len(rep.Problems))
	}
	fmt.Fprintln(w, "OK       the log is intact")
	return nil
}
