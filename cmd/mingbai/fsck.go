package main

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/tlog"
)

// runFsck checks the log from inside the database: gaps, stored hashes,
// checkpoints, and each object's content against its leaf.
func runFsck(ctx context.Context, env *Env, args []string) error {
	fs, f := newDBFlags(env, "fsck", "[--data DIR] [--db URL]")
	if err := parse(fs, args); err != nil {
		return err
	}
	// fsck reads; it never migrates the database it inspects.
	db, err := f.openAsIs(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	// Each feature knows how to rebuild the canonical content of its
	// leaves from its rows; wire hands that to the log, opened under its
	// key's own name, which here never integrates or signs anything.
	// Without a key (the wrong --data) nothing is created: fsck then checks
	// the log's structure and counts content as unchecked.
	opts := tlog.FsckOptions{Dir: f.data}
	if key, err := tlog.LoadKey(f.data); err == nil {
		now := mingbai.Clock(mingbai.SystemClock)
		l, err := tlog.OpenWith(ctx, db, f.data, key.Signer.Name(), now, tlog.Options{NoIntegrator: true})
		if err != nil {
			return err
		}
		defer l.Close()
		opts.Checks = wire(db, l, f.data, now).checks()
		opts.Sources = l.Sources()
	}
	rep, err := tlog.Fsck(ctx, db, opts)
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
