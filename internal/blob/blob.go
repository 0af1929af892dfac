// Package blob keeps uploaded files in a directory, each named by the
// SHA-256 of its bytes: the same file stored twice is kept once, a file is
// in place whole (written, synced, then renamed) or not at all, and any
// app node sharing the directory serves it. What a feature accepts (size,
// type) it decides itself, before anything is kept.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mingbai"
)

// HeadSize is how many leading bytes Put hands to a check, enough for
// http.DetectContentType.
const HeadSize = 512

// Store is one directory of files.
type Store struct {
	dir      string
	oldTemps []string
}

// New returns the store in dir. oldTemps are glob patterns, relative to
// dir, of temporary files an earlier layout left there, which
// RemoveStaleTemps sweeps with its own.
func New(dir string, oldTemps ...string) *Store {
	return &Store{dir: dir, oldTemps: oldTemps}
}

// ValidSum reports whether s is a lower-case hex SHA-256, the only names
// the store opens.
func ValidSum(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

// Put reads r, at most max bytes, and keeps it under its hash, which it
// returns with the size and the first HeadSize bytes. check sees the size
// (max+1 for anything longer) and those bytes first: its error refuses the
// file and nothing is kept.
func (s *Store) Put(r io.Reader, max int64, check func(size int64, head []byte) error) (sum string, size int64, head []byte, err error) {
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", 0, nil, fmt.Errorf("file store: %w", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "up-*")
	if err != nil {
		return "", 0, nil, fmt.Errorf("file store: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, nil, fmt.Errorf("read upload: %w", err)
	}
	head = make([]byte, HeadSize)
	n, err := tmp.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", 0, nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if err := check(size, head); err != nil {
		return "", 0, nil, err
	}
	if size > max {
		return "", 0, nil, fmt.Errorf("file store: a check let a file over %d bytes through", max)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, nil, fmt.Errorf("sync upload: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, size, head, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, nil, fmt.Errorf("file store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, nil, fmt.Errorf("store upload: %w", err)
	}
	// The rename is durable only once its directory is: the row that names
	// the file commits next, and must not outlive it in a power cut.
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return "", 0, nil, fmt.Errorf("sync file store: %w", err)
		}
	}
	return sum, size, head, nil
}

// errNotFound is what a visitor sees for a missing or malformed name.
var errNotFound = mingbai.Errorf(mingbai.ENOTFOUND, "找不到该附件。")

// Open opens the file with hash sum.
func (s *Store) Open(sum string) (*os.File, error) {
	if !ValidSum(sum) {
		return nil, errNotFound
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNotFound
	}
	return f, err
}

// Remove deletes files (redaction of personal data, uploads nothing
// shows); a file already gone is no error.
func (s *Store) Remove(sums ...string) error {
	var errs []error
	for _, sum := range sums {
		if !ValidSum(sum) {
			continue
		}
		if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RemoveStaleTemps removes the temporary files that uploads leave when the
// process dies before renaming them into place, if they were last written
// before before (a day ago is safe: another process sharing the directory
// may be writing a fresh one). Stored files are never touched. It returns
// how many it removed.
func (s *Store) RemoveStaleTemps(before time.Time) (int, error) {
	return SweepTemps(s.dir, before, append([]string{"tmp/up-*"}, s.oldTemps...)...)
}

// SweepTemps removes the regular files under dir matching patterns (globs
// relative to dir) last written before before, and returns how many.
func SweepTemps(dir string, before time.Time, patterns ...string) (int, error) {
	n := 0
	for _, pattern := range patterns {
		paths, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return n, fmt.Errorf("stale temporary files: %w", err)
		}
		for _, p := range paths {
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(before) {
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return n, fmt.Errorf("remove stale temporary file: %w", err)
			}
			n++
		}
	}
	return n, nil
}
