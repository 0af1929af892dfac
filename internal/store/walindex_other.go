//go:build !unix

package store

// walIndex is not read where mmap is not at hand; Generation then asks
// SQLite every time.
type walIndex struct{}

func openWALIndex(string) *walIndex { return nil }

func (*walIndex) generation() (int64, bool) { return 0, false }
