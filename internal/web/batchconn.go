package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
)

// net/http writes an answer through a 4 KB buffer, so a page larger than
// that leaves in two writes: the buffer with the header, then the rest.
// On the wire that is two segments and two wake-ups of the reader, and
// under load the second costs as much as the first. A cached page is
// answered whole and at once, so the connection can gather what net/http
// hands it and pass it to the kernel in one write.

// BatchWrites wraps a listener's connections so that the page cache can
// send an answer in a single write. Serve the HTTPServer on it.
func BatchWrites(ln net.Listener) net.Listener { return batchListener{ln} }

type batchListener struct{ net.Listener }

func (l batchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &batchConn{Conn: c}, nil
}

// batchConn holds writes between hold and send. Only the goroutine
// serving the connection writes to it, as net/http guarantees, so it
// needs no lock.
type batchConn struct {
	net.Conn
	held *[]byte // non-nil between hold and send
}

var heldBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

func (c *batchConn) hold() {
	if c.held == nil {
		c.held = heldBuffers.Get().(*[]byte)
	}
}

// send writes what was held in one call and stops holding.
func (c *batchConn) send() error {
	b := c.held
	if b == nil {
		return nil
	}
	c.held = nil
	var err error
	if len(*b) > 0 {
		_, err = c.Conn.Write(*b)
	}
	// Keep the pool's buffers page-sized: one huge answer must not pin
	// its memory for the life of the process.
	if cap(*b) <= 256<<10 {
		*b = (*b)[:0]
		heldBuffers.Put(b)
	}
	return err
}

func (c *batchConn) Write(p []byte) (int, error) {
	if c.held != nil {
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// ReadFrom keeps the kernel's sendfile path for attachments, which
// net/http takes when the connection offers it.
func (c *batchConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.send(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

// CloseWrite lets net/http half-close the connection as it does a bare
// TCP connection's.
func (c *batchConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

type writerOnly struct{ io.Writer }

type connKey struct{}

// withConn is the http.Server's ConnContext: it lets a handler reach its
// connection's batching.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if bc, ok := c.(*batchConn); ok {
		return context.WithValue(ctx, connKey{}, bc)
	}
	return ctx
}

// writeWhole writes the header and body of an answer to w and hands them
// to the kernel together when the connection batches writes.
func writeWhole(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	bc, _ := r.Context().Value(connKey{}).(*batchConn)
	if bc == nil {
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	bc.hold()
	w.WriteHeader(status)
	w.Write(body)
	// Push what net/http still buffers into the held bytes, then send.
	http.NewResponseController(w).Flush()
	bc.send()
}
