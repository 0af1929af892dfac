package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGenerationFromWALIndex: after the first call the number comes from
// the wal-index header, and it still moves with every commit, whether the
// commit came from this process, from another one, or came after a
// checkpoint that restarted the WAL.
func TestGenerationFromWALIndex(t *testing.T) {
	if os.Getenv("MINGBAI_WAL_WRITER") != "" {
		return // the helper process runs TestWALIndexWriterProcess alone
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	write := func(q string) {
		t.Helper()
		if err := db.Write(ctx, func(tx *Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	write(`CREATE TABLE probe (n INTEGER)`)
	g1, ok := db.Generation(ctx)
	if !ok {
		t.Fatal("no generation")
	}
	if db.gen.index.Load() == nil {
		t.Skip("the wal-index is not mapped on this system; Generation asks SQLite")
	}
	if g1&(1<<62) == 0 {
		t.Fatalf("did not read the wal-index: %x", g1)
	}
	if g, _ := db.Generation(ctx); g != g1 {
		t.Fatalf("moved without a commit: %x, %x", g1, g)
	}

	seen := map[int64]bool{g1: true}
	moved := func(what string) {
		t.Helper()
		g, ok := db.Generation(ctx)
		if !ok || seen[g] {
			t.Fatalf("%s: generation %x (ok %v) seen before", what, g, ok)
		}
		seen[g] = true
	}
	for range 5 {
		write(`INSERT INTO probe (n) VALUES (1)`)
		moved("commit in this process")
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestWALIndexWriterProcess$")
	cmd.Env = append(os.Environ(), "MINGBAI_WAL_WRITER="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writer process: %v\n%s", err, out)
	}
	moved("commit in another process")

	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	g, _ := db.Generation(ctx)
	seen[g] = true // a checkpoint may move the number; it must not repeat one
	write(`INSERT INTO probe (n) VALUES (2)`)
	moved("commit after the WAL restarted")
}

// TestWALIndexWriterProcess is the other process of the test above: it
// commits one row to the database it is given and exits.
func TestWALIndexWriterProcess(t *testing.T) {
	path := os.Getenv("MINGBAI_WAL_WRITER")
	if path == "" {
		t.Skip("run by TestGenerationFromWALIndex")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO probe (n) VALUES (3)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
