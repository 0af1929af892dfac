package main

import (
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestGenCommand: gen fills a fresh database, fsck finds the log intact,
// and a second gen into the same database is refused.
func TestGenCommand(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		out, err := runCmd(t, db.URL, "", "gen", "--communities", "2", "--months", "3", "--seed", "5", "--data", dir)
		if err != nil {
			t.Fatalf("gen: %v\n%s", err, out)
		}
		for _, want := range []string{"2 communities", "benchmark target:", "ganbu", "password mingbai-demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("gen printed no %q:\n%s", want, out)
			}
		}
		if out, err := runCmd(t, db.URL, "", "fsck", "--data", dir); err != nil || !strings.Contains(out, "OK") {
			t.Fatalf("fsck: %v\n%s", err, out)
		}
		if out, err := runCmd(t, db.URL, "", "gen", "--communities", "1", "--data", dir); err == nil {
			t.Fatalf("a second gen into the same database was not refused:\n%s", out)
		}
	})
}
