package finance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mingbai/internal/finance"
	"mingbai/internal/tlog"
)

// TestRemoveStaleTemps: a receipt upload cut short by a crash leaves its
// temporary file behind; RemoveStaleTemps removes those older than the
// cut-off and never a stored receipt.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	fs := finance.NewFileStore(dir)
	sum, _, _, err := fs.Put(strings.NewReader("%PDF-1.4 收据"))
	if err != nil {
		t.Fatal(err)
	}
	att := filepath.Join(dir, "attachments")
	stale := filepath.Join(att, "upload-4159996428")
	fresh := filepath.Join(att, "upload-437539450")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, []byte("%PDF-1.4 half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-tlog.StaleTempAge - time.Hour)
	for _, f := range []string{stale, filepath.Join(att, sum[:2], sum)} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	n, err := fs.RemoveStaleTemps(time.Now().Add(-tlog.StaleTempAge))
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want 1", n, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh upload's temporary file was removed: %v", err)
	}
	if f, err := fs.Open(sum); err != nil {
		t.Errorf("stored receipt: %v", err)
	} else {
		f.Close()
	}
}
