package tlog_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// crashChildEnv makes the test binary act as the writer process of
// TestCrash: it appends forever and prints each index once durable.
const crashChildEnv = "MINGBAI_TLOG_CRASH_CHILD"

func TestCrash(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := osexec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 1500 {
		var idx int64
		var entry string
		if _, err := fmt.Sscanf(sc.Text(), "%d %s", &idx, &entry); err == nil {
			acked[idx] = entry
		}
	}
	// Kill it mid-stream: appends are in flight, a batch may be half
	// written, the integrator may be signing.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 1500 {
		t.Fatalf("the child acknowledged only %d appends", len(acked))
	}

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "mingbai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := openLog(t, db, dir)
	if err := l.Refusal(); err != nil {
		t.Fatalf("after the crash the log refuses writes: %v", err)
	}
	for idx, entry := range acked {
		lf, err := l.Leaf(ctx, idx)
		if err != nil {
			t.Fatalf("acknowledged leaf %d is gone: %v", idx, err)
		}
		if string(lf.Entry) != entry {
			t.Fatalf("leaf %d is %q, acknowledged %q", idx, lf.Entry, entry)
		}
	}
	integrate(t, l)
	rep, err := tlog.Fsck(ctx, db, tlog.FsckOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Leaves < int64(len(acked)) {
		t.Fatalf("after the crash: %d leaves, problems %q", rep.Leaves, rep.Problems)
	}
	t.Logf("%d acknowledged, %d leaves after restart, checkpoint %d", len(acked), rep.Leaves, l.Checkpoint().Size)
}

func crashChild(dir string) {
	ctx := context.Background()
	db, err := store.OpenInDir(ctx, "", dir)
	if err == nil {
		_, err = db.Migrate(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := tlog.OpenWith(ctx, db, dir, origin, mingbai.SystemClock, tlog.Options{Interval: 10 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				entry := "e-" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				var idx int64
				err := db.WriteBatched(ctx, func(tx *store.Tx) error {
					var err error
					idx, err = l.AppendEntry(ctx, tx, []byte(entry))
					return err
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(w, idx, entry)
				w.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
