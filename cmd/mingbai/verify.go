package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mingbai/internal/tlog"
)

// runVerify is the outside auditor: it mirrors a Mingbai log over HTTP and
// checks it from nothing, remembering what it saw so that a later run can
// prove the log only grew.
func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "verify", "[--key VKEY] [--state DIR] [--content] URL (the site's address, or its log's: https://example.org/log/)")
	key := fs.String("key", "", "the log's verifier key to require (default: the one pinned in --state, or on a first run the one the log serves)")
	state := fs.String("state", "", "where to keep the pinned key and the last checkpoint seen (default: under the user's config directory, one per URL)")
	content := fs.Bool("content", false, "also fetch every public object's content and check it against its leaf")
	workers := fs.Int("workers", 8, "parallel downloads")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"verify: expected the site's or the log's URL, like https://example.org or https://example.org/log/"}
	}
	raw := fs.Arg(0)
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Sprintf("verify: %q is not an http(s) URL", raw)}
	}
	client := &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *workers, ForceAttemptHTTP2: true},
	}
	// The site's address and the log's own lead to the same log, and so
	// to the same state: the default state directory is named after the
	// log's URL, not after what was typed.
	logURL, err := tlog.FindLog(ctx, client, raw)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	u, err := url.Parse(logURL)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if *state == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return fmt.Errorf("no --state given and no user config directory: %w", err)
		}
		name := strings.NewReplacer("/", "_", ":", "_").Replace(u.Host + strings.TrimSuffix(u.Path, "/"))
		*state = filepath.Join(dir, "mingbai", "verify", name)
	}
	start := time.Now()
	rep, err := tlog.Verify(ctx, tlog.VerifyOptions{URL: logURL, Key: *key, StateDir: *state, Content: *content, Client: client, Workers: *workers})
	if err != nil {
		return fmt.Errorf("verify %s: %w", raw, err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "log      %s at %s\n", rep.Origin, rep.URL)
	fmt.Fprintf(w, "size     %d leaves, root %s\n", rep.Checkpoint.Size, rep.Checkpoint.Root)
	if rep.Previous != nil {
		fmt.Fprintf(w, "before   %d leaves (checked as a prefix of the log now)\n", rep.Previous.Size)
	} else {
		fmt.Fprintf(w, "before   nothing: first run, key pinned in %s\n", *state)
	}
	fmt.Fprintf(w, "checked  every entry, %d hash tiles, signature, sample inclusion proofs\n", rep.Tiles)
	if *content {
		fmt.Fprintf(w, "content  %d matched, %d redacted, %d not available\n", rep.Content.Checked, rep.Content.Redacted, rep.Content.Unavailable)
		if rep.Content.Pending > 0 {
			fmt.Fprintf(w, "pending  %d redaction(s) newer than this checkpoint: run again to check them\n", rep.Content.Pending)
		}
	}
	fmt.Fprintf(w, "time     %.2fs\n", time.Since(start).Seconds())
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "FAILED   %d problem(s):\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
		return fmt.Errorf("the log at %s did not verify: %d problem(s)", raw, len(rep.Problems))
	}
	fmt.Fprintln(w, "OK       the log verifies")
	return nil
}
