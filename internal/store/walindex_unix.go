//go:build unix

package store

import (
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walIndex is a read-only view of the header of SQLite's wal-index, the
// file-name-shm next to the database that every connection, in every
// process, maps into memory. A writer rewrites the header when a commit
// becomes visible, so reading it tells whether anything was committed
// without a query, a lock or a system call. SQLite keeps two copies of the
// header and writes the second before the first; a reader that finds
// them equal has a whole one (the rule of SQLite's own readers, see its
// "WAL-mode file format" document). When they differ, a write is under
// way and the caller asks SQLite instead.
type walIndex struct {
	mem []byte
}

// walIndexHeaderSize is the size of one copy of the header (WalIndexHdr).
const walIndexHeaderSize = 48

// openWALIndex maps the wal-index of the database at path. The caller
// must keep a connection to the database open for as long as it uses the
// view: SQLite removes the file only when the last connection closes.
func openWALIndex(path string) *walIndex {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() < 2*walIndexHeaderSize {
		return nil
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, 2*walIndexHeaderSize, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return &walIndex{mem: mem}
}

// generation returns the commit counter (iChange) and last frame (mxFrame)
// of the header, packed with bit 62 set so that the number never equals
// one of data_version's small ones; ok is false while the header is
// being written or is not yet initialised.
func (w *walIndex) generation() (gen int64, ok bool) {
	var a, b [walIndexHeaderSize / 4]uint32
	first := (*[walIndexHeaderSize / 4]uint32)(unsafe.Pointer(&w.mem[0]))
	second := (*[walIndexHeaderSize / 4]uint32)(unsafe.Pointer(&w.mem[walIndexHeaderSize]))
	for i := range a {
		a[i] = atomic.LoadUint32(&first[i])
	}
	for i := range b {
		b[i] = atomic.LoadUint32(&second[i])
	}
	isInit := (*[walIndexHeaderSize]byte)(unsafe.Pointer(&a))[12]
	if a != b || isInit == 0 {
		return 0, false
	}
	iChange, mxFrame := a[2], a[4]
	return 1<<62 | int64(iChange&0x3fffffff)<<32 | int64(mxFrame), true
}
