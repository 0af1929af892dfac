package blob_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/blob"
)

func anything(int64, []byte) error { return nil }

// TestPut: a file is kept once under its hash; a refused file and an
// oversize one leave nothing behind, not even a temporary file.
func TestPut(t *testing.T) {
	dir := t.TempDir()
	s := blob.New(dir)
	sum, size, head, err := s.Put(strings.NewReader("%PDF-1.4 收据"), 100, anything)
	if err != nil {
		t.Fatal(err)
	}
	if !blob.ValidSum(sum) || size != int64(len("%PDF-1.4 收据")) || string(head) != "%PDF-1.4 收据" {
		t.Fatalf("put: %s %d %q", sum, size, head)
	}
	again, _, _, err := s.Put(strings.NewReader("%PDF-1.4 收据"), 100, anything)
	if err != nil || again != sum {
		t.Fatalf("same bytes again: %s, %v", again, err)
	}
	f, err := s.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "%PDF-1.4 收据" {
		t.Errorf("open: %q", b)
	}

	refused := errors.New("不收")
	var seen int64
	_, _, _, err = s.Put(strings.NewReader(strings.Repeat("x", 150)), 100, func(size int64, head []byte) error {
		seen = size
		return refused
	})
	if err != refused || seen != 101 {
		t.Errorf("refused: %v, check saw size %d, want 101 (over the limit)", err, seen)
	}
	if _, _, _, err := s.Put(strings.NewReader(strings.Repeat("y", 150)), 100, anything); err == nil {
		t.Error("a check that let an oversize file through: no error")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(left) != 1 || filepath.Base(left[0]) != sum {
		t.Errorf("files left: %v, want only %s", left, sum)
	}

	for _, bad := range []string{"", "../../etc/passwd", strings.ToUpper(sum), sum[:63] + "g", strings.Repeat("0", 64)} {
		if _, err := s.Open(bad); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
			t.Errorf("open %q: %v, want not found", bad, err)
		}
	}
	if err := s.Remove(sum, sum, "not-a-sum"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(sum); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
		t.Errorf("after remove: %v", err)
	}
}

// TestRemoveStaleTemps: an upload cut short by a crash leaves its
// temporary file behind, in tmp/ or where an older layout put it; only
// those older than the cut-off go, never a stored file, however old.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	s := blob.New(dir, "upload-*")
	sum, _, _, err := s.Put(strings.NewReader("%PDF-1.4 收据"), 100, anything)
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "tmp", "up-4159996428")
	staleOld := filepath.Join(dir, "upload-4159996428")
	fresh := filepath.Join(dir, "tmp", "up-437539450")
	for _, f := range []string{stale, staleOld, fresh} {
		if err := os.WriteFile(f, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-25 * time.Hour)
	for _, f := range []string{stale, staleOld, filepath.Join(dir, sum[:2], sum)} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.RemoveStaleTemps(time.Now().Add(-24 * time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("removed %d (%v), want 2", n, err)
	}
	for _, f := range []string{stale, staleOld} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", filepath.Base(f), err)
		}
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh upload's temporary file was removed: %v", err)
	}
	if f, err := s.Open(sum); err != nil {
		t.Errorf("stored file: %v", err)
	} else {
		f.Close()
	}
}
