package disclosure_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mingbai/internal/disclosure"
	"mingbai/internal/tlog"
)

// TestRemoveStaleTemps: an upload or a thumbnail cut short by a crash
// leaves its temporary file behind; RemoveStaleTemps removes those older
// than the cut-off and nothing else.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	fs := disclosure.NewFileStore(dir)
	p := pngBytes(t)
	a, err := fs.Put(bytes.NewReader(p), "收据.png")
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "files")
	staleUp := filepath.Join(files, "tmp", "up-4159996428")
	freshUp := filepath.Join(files, "tmp", "up-437539450")
	// Thumbnails are written beside their final place, under thumbs/.
	staleThumb := filepath.Join(files, "thumbs", a.SHA256[:2], "thumb-1234")
	if err := os.MkdirAll(filepath.Dir(staleThumb), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{staleUp, freshUp, staleThumb} {
		if err := os.WriteFile(f, p[:100], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-tlog.StaleTempAge - time.Hour)
	for _, f := range []string{staleUp, staleThumb} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// The stored file is as old as the temporary ones: age alone must
	// not remove it.
	if err := os.Chtimes(filepath.Join(files, a.SHA256[:2], a.SHA256), old, old); err != nil {
		t.Fatal(err)
	}
	n, err := fs.RemoveStaleTemps(time.Now().Add(-tlog.StaleTempAge))
	if err != nil || n != 2 {
		t.Fatalf("removed %d (%v), want 2", n, err)
	}
	for _, f := range []string{staleUp, staleThumb} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s: still there (%v)", filepath.Base(f), err)
		}
	}
	if _, err := os.Stat(freshUp); err != nil {
		t.Errorf("a fresh upload's temporary file was removed: %v", err)
	}
	if f, err := fs.Open(a.SHA256); err != nil {
		t.Errorf("stored file: %v", err)
	} else {
		f.Close()
	}
	if f, err := fs.OpenThumb(a.SHA256); err != nil {
		t.Errorf("stored thumbnail: %v", err)
	} else {
		f.Close()
	}
}
