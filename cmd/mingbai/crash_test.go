package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"

	"golang.org/x/mod/sumdb/note"
)

// The crash test runs the real program on a seeded database, writes to it
// from several clients at once, SIGKILLs it at random moments and starts
// it again on the same data. A write the server acknowledged must then be
// stored exactly once, nothing may be half written, and the log must
// verify and extend every checkpoint it served before each crash.
//
// Knobs (environment):
//
//	MINGBAI_CRASH_KILLS     how many times to kill the server (default 4)
//	MINGBAI_CRASH_DURATION  keep killing until this much time has passed, like 10m (default: none)
//	MINGBAI_CRASH_SEED      seed of the random kill moments (default: the clock; logged)

// TestCrashServer runs the crash test on SQLite and on PostgreSQL.
func TestCrashServer(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	t.Run("sqlite", func(t *testing.T) { crashRun(t, "") })
	t.Run("postgres", func(t *testing.T) { crashRun(t, storetest.PostgresURL(t)) })
}

// crashConfig reads the knobs.
func crashConfig(t *testing.T) (kills int, duration time.Duration, seed uint64) {
	kills = 4
	if v := os.Getenv("MINGBAI_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("MINGBAI_CRASH_KILLS=%q: want a positive number", v)
		}
		kills = n
	}
	if v := os.Getenv("MINGBAI_CRASH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("MINGBAI_CRASH_DURATION=%q: %v", v, err)
		}
		duration = d
	}
	seed = uint64(time.Now().UnixNano())
	if v := os.Getenv("MINGBAI_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("MINGBAI_CRASH_SEED=%q: %v", v, err)
		}
		seed = n
	}
	return kills, duration, seed
}

func crashRun(t *testing.T, dbURL string) {
	kills, duration, seed := crashConfig(t)
	t.Logf("kills %d, duration %v, seed %d (rerun the same kill moments with MINGBAI_CRASH_SEED=%d)", kills, duration, seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6d696e67))
	began := time.Now()

	tmp := t.TempDir()
	// freeAddr: the server binds the same port at every start, so clients
	// keep one URL across crashes.
	srv := &crashServer{t: t, bin: buildOnce(t), data: filepath.Join(tmp, "data"), db: dbURL, addr: freeAddr(t),
		logPath: filepath.Join(tmp, "server.log")}
	t.Cleanup(srv.stop)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := os.ReadFile(srv.logPath)
			if len(out) > 8000 {
				out = out[len(out)-8000:]
			}
			t.Logf("server output (tail):\n%s", out)
		}
	})
	// demo seeds the district once; every later start is plain serve.
	srv.start("demo")
	base := "http://" + srv.addr
	vkey := strings.TrimSpace(srv.run("log", "key", "--data", srv.data))
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	parseCheckpoint := func(raw []byte) (tlog.Checkpoint, error) { return tlog.ParseCheckpoint(raw, verifier.Name(), verifier) }

	w := newCrashWriters(t, base)
	ctx, stopWriters := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	w.run(ctx, &wg)

	verifyState := filepath.Join(tmp, "verify")
	var seen []tlog.Checkpoint
	var seenNotes [][]byte
	for n := 1; n <= kills || time.Since(began) < duration; n++ {
		up := 300*time.Millisecond + time.Duration(rng.Int64N(int64(1700*time.Millisecond)))
		time.Sleep(up)
		// What the log serves just before the crash: the auditor keeps
		// it, and after every crash the log must still extend it.
		raw := fetch(t, base+"/log/checkpoint")
		cp, err := parseCheckpoint(raw)
		if err != nil {
			t.Fatalf("checkpoint before crash %d: %v\n%s", n, err, raw)
		}
		srv.run("verify", "--key", vkey, "--state", verifyState, base+"/log/")
		seen, seenNotes = append(seen, cp), append(seenNotes, raw)
		acked := w.acked.Load()
		srv.kill()
		t.Logf("crash %d after %v up: checkpoint size %d, %d writes acknowledged so far", n, up.Round(time.Millisecond), cp.Size, acked)
		// Every other time the restart itself is killed while it opens
		// the database and catches the log up: recovery must survive a
		// crash during recovery.
		if n%2 == 0 {
			early := time.Duration(rng.Int64N(int64(150 * time.Millisecond)))
			srv.launch("serve")
			time.Sleep(early)
			srv.kill()
			t.Logf("crash %d bis: killed %v after restarting", n, early.Round(time.Millisecond))
		}
		srv.start("serve")
	}
	// Writes after the last restart show the server still takes them,
	// publications (the log's write path) among them.
	ackedBefore, publishedBefore := w.acked.Load(), w.published.Load()
	time.Sleep(1500 * time.Millisecond)
	stopWriters()
	wg.Wait()
	if w.acked.Load() == ackedBefore || w.published.Load() == publishedBefore {
		t.Errorf("after the last restart %d writes were acknowledged, %d of them publications; want some of both",
			w.acked.Load()-ackedBefore, w.published.Load()-publishedBefore)
	}
	t.Logf("%d writes acknowledged, %d not (connection lost or refused); statuses %v", w.acked.Load(), w.lost.Load(), w.statusCounts())
	if bad := w.unexpected(); len(bad) > 0 {
		t.Errorf("unexpected answers: %v", bad)
	}

	// Every leaf gets signed: the checkpoint catches up with the leaves.
	db, err := store.OpenInDir(context.Background(), dbURL, srv.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var leaves int64
	deadline := time.Now().Add(20 * time.Second)
	var final tlog.Checkpoint
	for {
		if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM tlog_leaves").Scan(&leaves); err != nil {
			t.Fatal(err)
		}
		final, err = parseCheckpoint(fetch(t, base+"/log/checkpoint"))
		if err != nil {
			t.Fatal(err)
		}
		if final.Size == leaves || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("checkpoint caught up with %d leaves at %v", final.Size, time.Since(began).Round(time.Millisecond))
	if final.Size != leaves {
		t.Errorf("the log holds %d leaves but its checkpoint stays at %d", leaves, final.Size)
	}

	// The outside auditor: the whole log and every object's content, and
	// consistent with the newest checkpoint it kept across the crashes.
	out := srv.run("verify", "--key", vkey, "--state", verifyState, "--content", base+"/log/")
	if !strings.Contains(out, "OK") {
		t.Errorf("verify --content:\n%s", out)
	}
	// And with each checkpoint seen before a crash, one by one.
	for i, cp := range seen {
		if cp.Size > final.Size {
			t.Errorf("checkpoint before crash %d has size %d, the log now %d: rolled back", i+1, cp.Size, final.Size)
		}
		dir := filepath.Join(tmp, fmt.Sprintf("verify-crash-%d", i+1))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "vkey"), []byte(vkey+"\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "checkpoint"), seenNotes[i], 0o644)
		out := srv.run("verify", "--key", vkey, "--state", dir, base+"/log/")
		if want := fmt.Sprintf("before   %d leaves", cp.Size); !strings.Contains(out, want) {
			t.Errorf("verify against the checkpoint before crash %d did not compare with it:\n%s", i+1, out)
		}
	}

	// The inside check, with the server stopped as an operator would.
	srv.stop()
	srv.run(append([]string{"fsck", "--data", srv.data}, dbArgs(dbURL)...)...)

	w.checkStored(t, db)
	checkNothingHalfWritten(t, db, srv.data)
	t.Logf("rows checked at %v", time.Since(began).Round(time.Millisecond))

	// The temporary files of writes a crash cut short go at a later start,
	// once old enough that no other process can still be writing them.
	temps := crashTemps(t, srv.data)
	aged := time.Now().Add(-tlog.StaleTempAge - time.Hour)
	for _, p := range temps {
		os.Chtimes(p, aged, aged)
	}
	srv.start("serve")
	srv.stop()
	if left := crashTemps(t, srv.data); len(left) > 0 {
		t.Errorf("%d of %d stale temporary files were not removed at start: %v", len(left), len(temps), left)
	} else {
		t.Logf("%d temporary files the crashes left were removed at the next start", len(temps))
	}

	// No start after a crash found the log inconsistent.
	if out, _ := os.ReadFile(srv.logPath); bytes.Contains(out, []byte("refuses writes")) {
		t.Error("the transparency log refused writes after a crash (see the server output)")
	}
}

// crashTemps lists the temporary files in the data directory: those of
// the log's checkpoint file, of uploads and of thumbnails.
func crashTemps(t *testing.T, dir string) []string {
	var temps []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, ".log.") || strings.HasPrefix(name, "up-") || strings.HasPrefix(name, "upload-") || strings.HasPrefix(name, "thumb-") {
			temps = append(temps, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return temps
}

func dbArgs(dbURL string) []string {
	if dbURL == "" {
		return nil
	}
	return []string{"--db", dbURL}
}

func fetch(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return b
}

// crashServer is the mingbai process the test kills and restarts.
type crashServer struct {
	t       *testing.T
	bin     string
	data    string
	db      string
	addr    string
	logPath string

	cmd  *exec.Cmd
	done chan struct{}
}

// start runs `mingbai sub` (demo or serve) and waits until it is ready.
func (s *crashServer) start(sub string) {
	s.t.Helper()
	began := time.Now()
	s.launch(sub)
	s.waitReady(sub)
	s.t.Logf("mingbai %s ready in %v", sub, time.Since(began).Round(time.Millisecond))
}

// launch starts `mingbai sub` without waiting for it.
func (s *crashServer) launch(sub string) {
	t := s.t
	t.Helper()
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(logf, "\n==== mingbai %s\n", sub)
	args := append([]string{sub, "--addr", s.addr, "--data", s.data, "--trust-proxy"}, dbArgs(s.db)...)
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), "MINGBAI_DB=", "MINGBAI_LOG_ORIGIN=", "MINGBAI_SMTP_ADDR=")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	s.cmd, s.done = cmd, done
}

// waitReady waits until /readyz answers 200.
func (s *crashServer) waitReady(sub string) {
	t := s.t
	t.Helper()
	cmd, done := s.cmd, s.done
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-done:
			t.Fatalf("mingbai %s exited before it was ready (%v)", sub, cmd.ProcessState)
		default:
		}
		if resp, err := client.Get("http://" + s.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mingbai %s was not ready within 60 s", sub)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL: no shutdown, no flush, no deferred function runs.
func (s *crashServer) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// stop ends the server gracefully, as an operator would.
func (s *crashServer) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// run runs a short mingbai command to completion and returns its output;
// a failure fails the test.
func (s *crashServer) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), "MINGBAI_DB=", "MINGBAI_LOG_ORIGIN=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("mingbai %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// crashWrite is one write a client attempted.
type crashWrite struct {
	kind   string // "disclosure", "question" or "entry"
	marker string // unique text in the title, body or summary
	ref    string // what the acknowledgement named: disclosure id, tracking code, voucher
	acked  bool
	// drafted: for a disclosure, the draft was acknowledged, so either
	// the draft or the publication must exist, never both or neither.
	drafted bool
	file    string // for a disclosure: the SHA-256 of its attachment, if any
}

// crashWriters are the concurrent clients and what they were told.
type crashWriters struct {
	t         *testing.T
	base      string
	cadre     *crashClient
	resident  *crashClient
	item      string // catalog item the cadre may publish under
	account   string // ledger account
	category  string // an income category, so no balance rule refuses
	today     string
	acked     atomic.Int64
	lost      atomic.Int64
	published atomic.Int64
	ip        atomic.Int64
	mu        sync.Mutex
	writes    []*crashWrite
	statuses  map[string]int
	oddAnswer []string
}

func newCrashWriters(t *testing.T, base string) *crashWriters {
	w := &crashWriters{t: t, base: base, statuses: map[string]int{},
		today: time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")}
	w.cadre = newCrashClient(t, base, "ganbu")
	w.resident = newCrashClient(t, base, "jumin")
	page := w.cadre.page(t, "/c/suojin-4/drafts")
	w.item = firstMatch(t, page, `name="item"[^>]*><option value="(\d+)"`, "catalog item")
	page = w.cadre.page(t, "/c/suojin-4/finance/ledger")
	w.account = firstMatch(t, page, `name="account"><option value="(\d+)"`, "ledger account")
	w.category = firstMatch(t, page, `<option value="(\d+)">收入 · `, "income category")
	return w
}

func firstMatch(t *testing.T, page, re, what string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s found on the page", what)
	}
	return m[1]
}

// run starts the writers: two publishers and a ledger keeper (the cadre),
// a resident asking, and two anonymous askers.
func (w *crashWriters) run(ctx context.Context, wg *sync.WaitGroup) {
	anon1, anon2 := newCrashClient(w.t, w.base, ""), newCrashClient(w.t, w.base, "")
	loops := []func(ctx context.Context, n int) bool{
		func(ctx context.Context, n int) bool { return w.publish(ctx, 0, n) },
		func(ctx context.Context, n int) bool { return w.publish(ctx, 1, n) },
		func(ctx context.Context, n int) bool { return w.post(ctx, n) },
		func(ctx context.Context, n int) bool { return w.ask(ctx, w.resident, 0, n) },
		func(ctx context.Context, n int) bool { return w.ask(ctx, anon1, 1, n) },
		func(ctx context.Context, n int) bool { return w.ask(ctx, anon2, 2, n) },
	}
	for _, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				if !loop(ctx, n) {
					// The server is down: wait for it rather than spin.
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
}

func (w *crashWriters) record(cw *crashWrite) {
	w.mu.Lock()
	w.writes = append(w.writes, cw)
	w.mu.Unlock()
	if cw.acked {
		w.acked.Add(1)
	} else {
		w.lost.Add(1)
	}
}

// answer notes a response's status and returns its redirect target when it
// is the acknowledgement (303 to a path matching want).
func (w *crashWriters) answer(what string, resp *http.Response, want *regexp.Regexp) []string {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.statuses[fmt.Sprintf("%s %d", what, resp.StatusCode)]++
	if resp.StatusCode == http.StatusSeeOther {
		if m := want.FindStringSubmatch(resp.Header.Get("Location")); m != nil {
			return m
		}
	}
	// The resident's daily limit is a refusal, not a failure.
	if resp.StatusCode != http.StatusTooManyRequests {
		w.oddAnswer = append(w.oddAnswer, fmt.Sprintf("%s: %d %s", what, resp.StatusCode, resp.Header.Get("Location")))
	}
	return nil
}

var (
	draftLoc    = regexp.MustCompile(`^/c/suojin-4/drafts/(\d+)\?done=saved$`)
	publishLoc  = regexp.MustCompile(`^/c/suojin-4/d/(\d+)\?done=published$`)
	questionLoc = regexp.MustCompile(`^/qa/t/([^/?]+)\?done=new$`)
	entryLoc    = regexp.MustCompile(`^/c/suojin-4/finance/ledger\?done=posted&voucher=([0-9-]+)$`)
)

// publish creates a draft and publishes it. It reports false when the
// server could not be reached.
func (w *crashWriters) publish(ctx context.Context, worker, n int) bool {
	cw := &crashWrite{kind: "disclosure", marker: fmt.Sprintf("CRASH-d%d-%d.", worker, n)}
	defer w.record(cw)
	resp, err := w.cadre.post(ctx, "/c/suojin-4/drafts", url.Values{"item": {w.item}, "title": {"停水通知 " + cw.marker},
		"period": {"2026年"}, "body": {"因管道检修，12幢今日停水。" + cw.marker}}, "")
	if err != nil {
		return false
	}
	m := w.answer("draft", resp, draftLoc)
	if m == nil {
		return true
	}
	cw.drafted = true
	draft := "/c/suojin-4/drafts/" + m[1]
	if n%2 == 0 {
		// Every other publication carries a picture, stored in the data
		// directory before the database learns of it.
		pic := crashPNG(worker, n)
		resp, err = w.cadre.upload(ctx, draft+"/files", "停水范围.png", pic)
		if err != nil {
			return false
		}
		if w.answer("upload", resp, draftLoc) == nil {
			return true
		}
		sum := sha256.Sum256(pic)
		cw.file = hex.EncodeToString(sum[:])
	}
	resp, err = w.cadre.post(ctx, draft+"/publish", url.Values{}, "")
	if err != nil {
		return false
	}
	if m := w.answer("publish", resp, publishLoc); m != nil {
		cw.acked, cw.ref = true, m[1]
		w.published.Add(1)
	}
	return true
}

// crashPNG is a small picture unique to one publication.
func crashPNG(worker, n int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	img.Pix[0], img.Pix[1], img.Pix[2], img.Pix[3] = byte(worker), byte(n>>16), byte(n>>8), byte(n)
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// ask submits a question as c (the resident, or anonymous from an address
// of its own each time, as behind a proxy).
func (w *crashWriters) ask(ctx context.Context, c *crashClient, worker, n int) bool {
	cw := &crashWrite{kind: "question", marker: fmt.Sprintf("CRASH-q%d-%d.", worker, n)}
	defer w.record(cw)
	ip := w.ip.Add(1)
	resp, err := c.post(ctx, "/c/suojin-4/qa", url.Values{"kind": {"question"}, "category": {"设施维修"},
		"body": {"请问12幢楼道灯什么时候修好？" + cw.marker}}, fmt.Sprintf("10.9.%d.%d", ip/250, ip%250))
	if err != nil {
		return false
	}
	limited := resp.StatusCode == http.StatusTooManyRequests
	if m := w.answer("question", resp, questionLoc); m != nil {
		cw.acked, cw.ref = true, m[1]
	}
	if limited {
		// The resident's daily limit: asking again at once is pointless.
		time.Sleep(200 * time.Millisecond)
	}
	return true
}

// post adds an income entry to the ledger.
func (w *crashWriters) post(ctx context.Context, n int) bool {
	cw := &crashWrite{kind: "entry", marker: fmt.Sprintf("CRASH-e-%d.", n)}
	defer w.record(cw)
	resp, err := w.cadre.post(ctx, "/c/suojin-4/finance/entries", url.Values{"account": {w.account}, "category": {w.category},
		"date": {w.today}, "amount": {fmt.Sprintf("%d.00", 10+n%90)}, "summary": {"场地租金 " + cw.marker}}, "")
	if err != nil {
		return false
	}
	if m := w.answer("entry", resp, entryLoc); m != nil {
		cw.acked, cw.ref = true, m[1]
	}
	return true
}

func (w *crashWriters) statusCounts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.statuses
}

func (w *crashWriters) unexpected() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.oddAnswer
}

// checkStored: every acknowledged write is stored exactly once, under the
// id it was acknowledged with; every other attempt at most once. The rows
// carrying markers are read once and matched here, not one query per write.
func (w *crashWriters) checkStored(t *testing.T, db *store.DB) {
	ctx := context.Background()
	marker := regexp.MustCompile(`CRASH-[a-z0-9-]+\.`)
	// found maps a marker to the refs of the rows that carry it.
	read := func(q string) map[string][]string {
		t.Helper()
		found := map[string][]string{}
		rows, err := db.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			var ref, text string
			if err := rows.Scan(&ref, &text); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if m := marker.FindString(text); m != "" {
				found[m] = append(found[m], ref)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return found
	}
	versions := read("SELECT CAST(disclosure_id AS TEXT), title FROM disclosure_versions")
	disclosures := read("SELECT CAST(id AS TEXT), title FROM disclosures")
	drafts := read("SELECT CAST(id AS TEXT), title FROM disclosure_drafts")
	questions := read("SELECT code, body FROM qa_items")
	// A version's files, keyed by the version's title.
	files := read(`SELECT f.sha256, v.title FROM disclosure_version_files f JOIN disclosure_versions v ON v.id = f.version_id`)
	entries := read("SELECT CAST(year AS TEXT) || '-' || CAST(voucher_no AS TEXT), summary FROM fin_entries")

	kinds := map[string][2]int{}
	for _, cw := range w.writes {
		k := kinds[cw.kind]
		if cw.acked {
			k[0]++
		} else {
			k[1]++
		}
		kinds[cw.kind] = k
		switch cw.kind {
		case "disclosure":
			v, d, dr := versions[cw.marker], disclosures[cw.marker], drafts[cw.marker]
			switch {
			case cw.acked:
				if len(v) != 1 || len(dr) != 0 || len(d) != 1 || d[0] != cw.ref || v[0] != cw.ref {
					t.Errorf("acknowledged publication %s (disclosure %s): versions of %v, disclosures %v, drafts %v left", cw.marker, cw.ref, v, d, dr)
				}
				if f := files[cw.marker]; cw.file != "" && (len(f) != 1 || f[0] != cw.file) {
					t.Errorf("acknowledged publication %s has files %v, want its picture %s", cw.marker, f, cw.file)
				}
			case cw.drafted:
				if len(v)+len(dr) != 1 || len(v) != len(d) {
					t.Errorf("draft %s: versions of %v, disclosures %v, drafts %v: want the draft or its publication", cw.marker, v, d, dr)
				}
			default:
				if len(v)+len(dr) > 1 || len(v) != len(d) {
					t.Errorf("unacknowledged draft %s: versions of %v, disclosures %v, drafts %v", cw.marker, v, d, dr)
				}
			}
		case "question":
			q := questions[cw.marker]
			if cw.acked && (len(q) != 1 || q[0] != cw.ref) {
				t.Errorf("acknowledged question %s (code %s) stored as %v", cw.marker, cw.ref, q)
			}
			if !cw.acked && len(q) > 1 {
				t.Errorf("unacknowledged question %s stored as %v", cw.marker, q)
			}
		case "entry":
			e := entries[cw.marker]
			year, no, _ := strings.Cut(cw.ref, "-")
			if cw.acked && (len(e) != 1 || e[0] != year+"-"+strconv.FormatInt(atoi(no), 10)) {
				t.Errorf("acknowledged entry %s (voucher %s) stored as %v", cw.marker, cw.ref, e)
			}
			if !cw.acked && len(e) > 1 {
				t.Errorf("unacknowledged entry %s stored as %v", cw.marker, e)
			}
		}
	}
	for kind, k := range kinds {
		t.Logf("%-10s %4d acknowledged, %3d not", kind, k[0], k[1])
		if k[0] == 0 {
			t.Errorf("no %s was acknowledged: the test proved nothing about it", kind)
		}
	}
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// checkNothingHalfWritten looks for the rows a torn write would leave,
// and for published files missing from the data directory.
func checkNothingHalfWritten(t *testing.T, db *store.DB, dataDir string) {
	ctx := context.Background()
	rows, err := db.Query(ctx, "SELECT DISTINCT sha256 FROM disclosure_version_files")
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	rows.Close()
	for _, sum := range sums {
		b, err := os.ReadFile(filepath.Join(dataDir, "files", sum[:2], sum))
		if got := sha256.Sum256(b); err != nil || hex.EncodeToString(got[:]) != sum {
			t.Errorf("published file %s: missing or changed in the data directory (%v)", sum, err)
		}
	}
	t.Logf("%d published files present and intact", len(sums))
	checks := []struct {
		what string
		sql  string
		args []any
	}{
		{"disclosures without a version", `SELECT COUNT(*) FROM disclosures d
			WHERE NOT EXISTS (SELECT 1 FROM disclosure_versions v WHERE v.disclosure_id = d.id)`, nil},
		{"disclosures whose current version is missing", `SELECT COUNT(*) FROM disclosures d
			WHERE NOT EXISTS (SELECT 1 FROM disclosure_versions v WHERE v.disclosure_id = d.id AND v.version = d.version)`, nil},
		{"disclosure versions without their leaf", `SELECT COUNT(*) FROM disclosure_versions v
			WHERE NOT EXISTS (SELECT 1 FROM tlog_leaves l WHERE l.idx = v.leaf_index AND l.kind = ?
				AND l.object = CAST(v.disclosure_id AS TEXT) AND l.version = v.version)`, []any{disclosure.LeafKind}},
		{"disclosure leaves without their version", `SELECT COUNT(*) FROM tlog_leaves l WHERE l.kind = ?
			AND NOT EXISTS (SELECT 1 FROM disclosure_versions v WHERE v.leaf_index = l.idx)`, []any{disclosure.LeafKind}},
		{"questions without their received event", `SELECT COUNT(*) FROM qa_items i
			WHERE NOT EXISTS (SELECT 1 FROM qa_events e WHERE e.item_id = i.id)`, nil},
		{"vouchers beyond the voucher sequence", `SELECT COUNT(*) FROM fin_entries e
			WHERE e.voucher_no > COALESCE((SELECT s.last_no FROM fin_voucher_seq s WHERE s.community_id = e.community_id AND s.year = e.year), 0)`, nil},
		{"gaps in the log's leaf indexes", `SELECT (SELECT COUNT(*) FROM tlog_leaves) - COALESCE((SELECT MAX(idx) FROM tlog_leaves), -1) - 1`, nil},
	}
	for _, c := range checks {
		var n int64
		if err := db.QueryRow(ctx, c.sql, c.args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", c.what, n)
		}
	}
}

// crashClient is a browser-like client: a cookie jar, no redirects
// followed. Its session lives in the database, so it survives crashes.
type crashClient struct {
	base string
	http *http.Client
}

// newCrashClient logs in as username ("" for anonymous).
func newCrashClient(t *testing.T, base, username string) *crashClient {
	jar, _ := cookiejar.New(nil)
	c := &crashClient{base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// The first visit hands out the CSRF cookie.
	c.page(t, "/healthz")
	if username == "" {
		return c
	}
	resp, err := c.post(context.Background(), "/login", url.Values{"login": {username}, "password": {demoPassword}}, "")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	return c
}

func (c *crashClient) page(t *testing.T, path string) string {
	t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(b)
}

// post sends a form with the CSRF token the jar holds now (it rotates at
// login). An error means no answer came: the write is not acknowledged.
func (c *crashClient) post(ctx context.Context, path string, form url.Values, forwardedFor string) (*http.Response, error) {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			form.Set("csrf", ck.Value)
		}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	return c.http.Do(req)
}

// upload sends one file as the form field "file".
func (c *crashClient) upload(ctx context.Context, path, name string, data []byte) (*http.Response, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, err
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+path, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			req.Header.Set("X-CSRF-Token", ck.Value)
		}
	}
	return c.http.Do(req)
}
