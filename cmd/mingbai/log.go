package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// runLog handles `mingbai log key|bench-server|load`.
func runLog(ctx context.Context, env *Env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "key":
		return runLogKey(ctx, env, args[1:])
	case "bench-server":
		return runBenchServer(ctx, env, args[1:])
	case "load":
		return runLogLoad(ctx, env, args[1:])
	}
	fmt.Fprintln(env.Stderr, `Usage: mingbai log key --data DIR [--origin ORIGIN]
       mingbai log bench-server --addr HOST:PORT --data DIR [--db URL] [--origin ORIGIN]
       mingbai log load --url URL [--writers N] [--count N] [--size BYTES]`)
	if sub == "-h" || sub == "--help" {
		return flag.ErrHelp
	}
	return usageError{"log: expected key, bench-server or load"}
}

// originFlag is the log's public name, the first line of its checkpoints.
func originFlag(fs *flag.FlagSet, env *Env) *string {
	return fs.String("origin", env.envOr("MINGBAI_LOG_ORIGIN", "localhost/mingbai-log"),
		"the log's public name, like example.org/log; fixed for the life of the log (env MINGBAI_LOG_ORIGIN)")
}

func runLogKey(_ context.Context, env *Env, args []string) error {
	flags := newFlags(env, "log key", "--data DIR [--origin ORIGIN]")
	data := flags.String("data", env.envOr("MINGBAI_DATA", "./mingbai-data"), "data directory holding the log's key (env MINGBAI_DATA)")
	origin := flags.String("origin", "", "make a key for this origin if the data directory has none")
	if err := parse(flags, args); err != nil {
		return err
	}
	var k *tlog.Key
	var err error
	if *origin != "" {
		k, err = tlog.LoadOrCreateKey(*data, *origin)
	} else {
		k, err = tlog.LoadKey(*data)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no log key in %s yet: start the server once, or pass --origin to make one", *data)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, k.VKey)
	return nil
}

// The bench server is the log alone, with the write path every feature
// uses (group commit, content and leaf in one transaction), so that the
// log's throughput can be measured with standard C2SP load tools.

// benchContentDDL is portable: the bench server's content table is not
// part of the schema of serve.
const benchContentDDL = `CREATE TABLE IF NOT EXISTS bench_content (idx BIGINT PRIMARY KEY, body TEXT NOT NULL)`

func runBenchServer(ctx context.Context, env *Env, args []string) error {
	fs, f := newDBFlags(env, "log bench-server", "--addr HOST:PORT --data DIR [--db URL] [--origin ORIGIN]")
	addr := fs.String("addr", "127.0.0.1:2025", "address to listen on")
	origin := originFlag(fs, env)
	stopProfile, err := parseProfiled(fs, args, "the whole run")
	if err != nil {
		return err
	}
	defer stopProfile()
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, benchContentDDL)
		return err
	}); err != nil {
		return fmt.Errorf("create bench_content: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
	l, err := tlog.OpenWith(ctx, db, f.data, *origin, mingbai.SystemClock, tlog.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer l.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(env.Stdout, "bench server on http://%s/ (POST /add)\nvkey %s\n", ln.Addr(), l.VerifierKey())
	srv := &http.Server{Handler: benchHandler(db, l), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parseProfiled adds --cpuprofile (a CPU profile of what) to the flags of
// a command a benchmark runs, parses args and starts the profile asked
// for, if any; the caller defers stop.
func parseProfiled(fs *flag.FlagSet, args []string, what string) (stop func(), err error) {
	path := fs.String("cpuprofile", "", "write a CPU profile of "+what+" to this file")
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if *path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(*path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		pf.Close()
	}, nil
}

// benchContent writes the content rows of a batch with multi-row INSERTs,
// as a feature with many small publications would: each caller defers
// its row, and the rows commit in the batch's transaction with the leaves.
var benchContent = &store.Deferred{Flush: func(ctx context.Context, tx *store.Tx, rows []any) error {
	args := make([]any, 0, 2*len(rows))
	for _, r := range rows {
		c := r.(benchRow)
		args = append(args, c.idx, c.body)
	}
	if err := tx.InsertRows(ctx, "INSERT INTO bench_content (idx, body)", "", 2, args, nil); err != nil {
		return fmt.Errorf("insert bench content: %w", err)
	}
	return nil
}}

type benchRow struct {
	idx  int64
	body string
}

// benchHandler serves POST /add (body = entry, answer = its index once
// durable) and the log's read paths.
func benchHandler(db *store.DB, l *tlog.Log) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add", func(w http.ResponseWriter, r *http.Request) {
		entry, err := io.ReadAll(io.LimitReader(r.Body, tlog.MaxEntrySize+1))
		if err != nil {
			http.Error(w, "读取请求失败", http.StatusBadRequest)
			return
		}
		var idx int64
		err = db.WriteBatched(r.Context(), func(tx *store.Tx) error {
			var err error
			if idx, err = l.AppendEntry(r.Context(), tx, entry); err != nil {
				return err
			}
			return tx.Defer(r.Context(), benchContent, benchRow{idx, base64.StdEncoding.EncodeToString(entry)})
		})
		if err != nil {
			status := http.StatusInternalServerError
			switch mingbai.ErrorCode(err) {
			case mingbai.EINVALID:
				status = http.StatusBadRequest
			case mingbai.EUNAVAILABLE:
				status = http.StatusServiceUnavailable
			}
			http.Error(w, mingbai.ErrorMessage(err), status)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strconv.FormatInt(idx, 10))
	})
	mux.Handle("/", l.Handler())
	return mux
}

// runLogLoad drives POST /add with many concurrent writers and reports
// durable appends per second.
//
// The driver shares the machine with the server in our measurements, as
// the load tools we compare with do, so it is kept cheap: each writer has
// one keep-alive HTTP/1.1 connection over which it writes a request made
// once and reads the answer with a reused buffer, instead of going
// through net/http's client (about as much CPU per request as the
// server's whole append). It speaks only what the bench server answers:
// a status line, headers with Content-Length, and a short body.
func runLogLoad(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "log load", "--url URL [--writers N] [--count N] [--size BYTES]")
	u := fs.String("url", "http://127.0.0.1:2025/", "the bench server")
	writers := fs.Int("writers", 1024, "concurrent writers")
	count := fs.Int("count", 200000, "entries to add")
	size := fs.Int("size", 200, "bytes per entry")
	if err := parse(fs, args); err != nil {
		return err
	}
	target, err := url.Parse(*u)
	if err != nil || target.Scheme != "http" || target.Host == "" {
		return usageError{"log load: --url must be http://HOST:PORT/"}
	}
	path := strings.TrimSuffix(target.Path, "/") + "/add"
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var mu sync.Mutex
	lat := make([][]time.Duration, *writers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *writers {
		wg.Go(func() {
			c := &loadConn{addr: target.Host}
			defer c.close()
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", path, target.Host, *size)
			req := make([]byte, len(head)+*size)
			copy(req, head)
			body := req[len(head):]
			for i := range body {
				body[i] = ' '
			}
			for {
				i := next.Add(1) - 1
				if i >= int64(*count) || ctx.Err() != nil {
					return
				}
				copy(body, fmt.Sprintf("entry %d of writer %d ", i, w))
				t := time.Now()
				err := c.add(req)
				lat[w] = append(lat[w], time.Since(t))
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	ok := len(all) - int(failed.Load())
	fmt.Fprintf(env.Stdout, "%d durable appends in %.2fs by %d writers: %.0f appends/s; latency p50 %v p99 %v; %d failed\n",
		ok, elapsed.Seconds(), *writers, float64(ok)/elapsed.Seconds(), pct(all, 50), pct(all, 99), failed.Load())
	if firstErr != nil {
		return fmt.Errorf("%d appends failed, first: %w", failed.Load(), firstErr)
	}
	return nil
}

// loadConn is one writer's keep-alive connection to the bench server.
type loadConn struct {
	addr string
	conn net.Conn
	r    *bufio.Reader
}

func (c *loadConn) close() {
	if c.conn != nil {
		c.conn.Close()
	}
}

// add sends one request and reads its answer, which must be 200 with an
// index. On any failure the connection is dropped and the next request
// dials again.
func (c *loadConn) add(req []byte) error {
	err := c.roundTrip(req)
	if err != nil {
		c.close()
		c.conn = nil
	}
	return err
}

func (c *loadConn) roundTrip(req []byte) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn = conn
		if c.r == nil {
			c.r = bufio.NewReaderSize(conn, 1024)
		} else {
			c.r.Reset(conn)
		}
	}
	if _, err := c.conn.Write(req); err != nil {
		return err
	}
	status, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	ok := bytes.HasPrefix(status, []byte("HTTP/1.1 200 "))
	statusText := string(bytes.TrimSpace(status))
	length := -1
	closing := false
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		}
	}
	if length < 0 || length > 1<<16 {
		return fmt.Errorf("%s: answer without a usable Content-Length", statusText)
	}
	var buf [64]byte
	b := buf[:0]
	if length > len(buf) {
		b = make([]byte, 0, length)
	}
	b = b[:length]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return err
	}
	if closing {
		c.close()
		c.conn = nil
	}
	if !ok {
		return fmt.Errorf("POST /add: %s: %s", statusText, b)
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return fmt.Errorf("POST /add: answer %q is not an index", b)
	}
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[(len(d)-1)*p/100].Round(time.Millisecond)
}
