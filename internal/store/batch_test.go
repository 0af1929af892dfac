package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func insertUnit(ctx context.Context, tx *store.Tx, slug string) error {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', ?, ?, ?, ?)`, slug, slug, at, at)
	return err
}

func countUnits(t *testing.T, db *store.DB, prefix string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM org_units WHERE slug LIKE ?", prefix+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriteBatched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("concurrent callers share commits", func(t *testing.T) {
			const n = 400
			b0, c0 := db.BatchStats()
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					errs <- db.WriteBatched(ctx, func(tx *store.Tx) error {
						return insertUnit(ctx, tx, fmt.Sprintf("many-%d", i))
					})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := countUnits(t, db, "many-"); got != n {
				t.Fatalf("%d rows committed, want %d", got, n)
			}
			b1, c1 := db.BatchStats()
			if c1-c0 != n {
				t.Fatalf("batches carried %d callers, want %d", c1-c0, n)
			}
			if b1-b0 >= n {
				t.Fatalf("%d commits for %d concurrent callers: nothing was grouped", b1-b0, n)
			}
			t.Logf("%d callers in %d commits", n, b1-b0)
		})

		t.Run("a failing caller fails alone", func(t *testing.T) {
			// Every third caller inserts a row and then fails; every fifth
			// violates a unique constraint, which on PostgreSQL aborts the
			// transaction unless its savepoint is rolled back.
			if err := db.Write(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, "mixed-taken") }); err != nil {
				t.Fatal(err)
			}
			const n = 300
			mine := errors.New("caller's own failure")
			var wg sync.WaitGroup
			results := make([]error, n)
			for i := range n {
				wg.Go(func() {
					results[i] = db.WriteBatched(ctx, func(tx *store.Tx) error {
						switch {
						case i%5 == 0:
							return insertUnit(ctx, tx, "mixed-taken")
						case i%3 == 0:
							if err := insertUnit(ctx, tx, fmt.Sprintf("mixed-failed-%d", i)); err != nil {
								return err
							}
							return mine
						}
						return insertUnit(ctx, tx, fmt.Sprintf("mixed-ok-%d", i))
					})
				})
			}
			wg.Wait()
			want := 0
			for i, err := range results {
				switch {
				case i%5 == 0:
					if !store.IsUniqueViolation(err) {
						t.Fatalf("caller %d: %v, want unique violation", i, err)
					}
				case i%3 == 0:
					if !errors.Is(err, mine) {
						t.Fatalf("caller %d: %v, want its own error", i, err)
					}
				default:
					want++
					if err != nil {
						t.Fatalf("caller %d failed: %v", i, err)
					}
				}
			}
			if got := countUnits(t, db, "mixed-ok-"); got != want {
				t.Fatalf("%d good callers committed, want %d", got, want)
			}
			if got := countUnits(t, db, "mixed-failed-"); got != 0 {
				t.Fatalf("%d rows of failed callers were committed", got)
			}
		})

		t.Run("a panic is the panicking caller's alone", func(t *testing.T) {
			var wg sync.WaitGroup
			var panicked atomic.Bool
			for i := range 20 {
				wg.Go(func() {
					defer func() {
						if p := recover(); p != nil {
							if i != 7 {
								t.Errorf("caller %d panicked: %v", i, p)
							}
							panicked.Store(true)
						}
					}()
					err := db.WriteBatched(ctx, func(tx *store.Tx) error {
						if err := insertUnit(ctx, tx, fmt.Sprintf("panic-%d", i)); err != nil {
							return err
						}
						if i == 7 {
							panic("boom")
						}
						return nil
					})
					if err != nil {
						t.Errorf("caller %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if !panicked.Load() {
				t.Fatal("the panic was not re-raised in its caller")
			}
			if got := countUnits(t, db, "panic-"); got != 19 {
				t.Fatalf("%d rows committed, want 19", got)
			}
		})

		t.Run("a cancelled caller does nothing", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			err := db.WriteBatched(cctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, "cancelled") })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
			if got := countUnits(t, db, "cancelled"); got != 0 {
				t.Fatal("a cancelled caller's work was committed")
			}
		})

		t.Run("a caller cancelled mid-way breaks nobody's transaction", func(t *testing.T) {
			// The caller's context ends while its function runs: its
			// statements in the shared transaction still run whole, and it
			// is told truthfully that its work was committed.
			cctx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			errs := make([]error, 10)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.WriteBatched(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, fmt.Sprintf("midway-%d", i)) })
				}()
			}
			err := db.WriteBatched(cctx, func(tx *store.Tx) error {
				cancel()
				return insertUnit(cctx, tx, "midway-cancelled")
			})
			wg.Wait()
			if err != nil {
				t.Fatalf("cancelled mid-way: %v", err)
			}
			for i, err := range errs {
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			if got := countUnits(t, db, "midway-"); got != 11 {
				t.Fatalf("%d rows committed, want 11", got)
			}
		})
	})
}

// deferredUnits defers org_units rows to one multi-row INSERT per batch
// and counts its flushes.
func deferredUnits(flushes *atomic.Int64) *store.Deferred {
	return &store.Deferred{Flush: func(ctx context.Context, tx *store.Tx, rows []any) error {
		flushes.Add(1)
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var args []any
		for _, r := range rows {
			slug := r.(string)
			args = append(args, "district", slug, slug, at, at)
		}
		return tx.InsertRows(ctx, "INSERT INTO org_units (kind, name, slug, created_at, updated_at)", "", 5, args, nil)
	}}
}

func TestDeferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("rows of a batch are written together and commit", func(t *testing.T) {
			var flushes atomic.Int64
			d := deferredUnits(&flushes)
			const n = 700 // more than one multi-row statement
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					errs[i] = db.WriteBatched(ctx, func(tx *store.Tx) error {
						return tx.Defer(ctx, d, fmt.Sprintf("deferred-%d", i))
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("caller %d: %v", i, err)
				}
			}
			if got := countUnits(t, db, "deferred-"); got != n {
				t.Fatalf("%d rows committed, want %d", got, n)
			}
			if f := flushes.Load(); f >= n {
				t.Fatalf("%d flushes for %d concurrent callers: nothing was grouped", f, n)
			}
		})

		t.Run("a failing caller's rows are not written", func(t *testing.T) {
			var flushes atomic.Int64
			d := deferredUnits(&flushes)
			mine := errors.New("caller's own failure")
			if err := db.Write(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, "dfail-taken") }); err != nil {
				t.Fatal(err)
			}
			const n = 300
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					errs[i] = db.WriteBatched(ctx, func(tx *store.Tx) error {
						if i%4 == 0 {
							// Fails after deferring its row, in SQL on
							// PostgreSQL's transaction as well.
							if err := tx.Defer(ctx, d, fmt.Sprintf("dfail-bad-%d", i)); err != nil {
								return err
							}
							if i%8 == 0 {
								return insertUnit(ctx, tx, "dfail-taken")
							}
							return mine
						}
						return tx.Defer(ctx, d, fmt.Sprintf("dfail-ok-%d", i))
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				switch {
				case i%8 == 0:
					if !store.IsUniqueViolation(err) {
						t.Fatalf("caller %d: %v, want unique violation", i, err)
					}
				case i%4 == 0:
					if !errors.Is(err, mine) {
						t.Fatalf("caller %d: %v, want its own error", i, err)
					}
				default:
					if err != nil {
						t.Fatalf("caller %d: %v", i, err)
					}
				}
			}
			if got := countUnits(t, db, "dfail-ok-"); got != n-n/4 {
				t.Fatalf("%d good rows committed, want %d", got, n-n/4)
			}
			if got := countUnits(t, db, "dfail-bad-"); got != 0 {
				t.Fatalf("%d rows of failed callers were committed", got)
			}
		})

		t.Run("a failing flush fails only the caller whose row breaks it", func(t *testing.T) {
			var flushes atomic.Int64
			d := deferredUnits(&flushes)
			if err := db.Write(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, "dflush-taken") }); err != nil {
				t.Fatal(err)
			}
			const n = 100
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					errs[i] = db.WriteBatched(ctx, func(tx *store.Tx) error {
						if i == 37 {
							return tx.Defer(ctx, d, "dflush-taken")
						}
						return tx.Defer(ctx, d, fmt.Sprintf("dflush-ok-%d", i))
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if i == 37 {
					if !store.IsUniqueViolation(err) {
						t.Fatalf("caller 37: %v, want unique violation", err)
					}
				} else if err != nil {
					t.Fatalf("caller %d: %v", i, err)
				}
			}
			if got := countUnits(t, db, "dflush-ok-"); got != n-1 {
				t.Fatalf("%d rows committed, want %d", got, n-1)
			}
		})

		t.Run("outside a batch a row is written at once", func(t *testing.T) {
			var flushes atomic.Int64
			d := deferredUnits(&flushes)
			err := db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.Defer(ctx, d, "dwrite-1"); err != nil {
					return err
				}
				if len(tx.Deferred(d)) != 0 {
					t.Error("Write holds deferred rows")
				}
				var n int
				if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM org_units WHERE slug = 'dwrite-1'").Scan(&n); err != nil || n != 1 {
					t.Errorf("row not visible in its transaction: %d, %v", n, err)
				}
				return nil
			})
			if err != nil || flushes.Load() != 1 {
				t.Fatalf("Write: %v, %d flushes", err, flushes.Load())
			}
		})
	})
}

func TestWriteBatchedAfterClose(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := db.WriteBatched(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, "before-close") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.WriteBatched(ctx, func(tx *store.Tx) error { return nil }); err == nil {
		t.Fatal("WriteBatched on a closed database succeeded")
	}
}

// BenchmarkWrite compares one transaction per caller (Write) with group
// commit (WriteBatched) for many concurrent writers each inserting one row
// durably. Run with: go test -run XXX -bench Write ./internal/store
func BenchmarkWrite(b *testing.B) {
	dbs := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if storetest.PostgresWanted() {
		dbs["postgres"] = storetest.Postgres
	}
	for name, open := range dbs {
		for _, mode := range []string{"Write", "WriteBatched"} {
			b.Run(name+"/"+mode, func(b *testing.B) {
				db := open(b)
				ctx := context.Background()
				write := db.Write
				if mode == "WriteBatched" {
					write = db.WriteBatched
				}
				var seq atomic.Int64
				b.SetParallelism(256)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						slug := fmt.Sprintf("bench-%d", seq.Add(1))
						if err := write(ctx, func(tx *store.Tx) error { return insertUnit(ctx, tx, slug) }); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
				if mode == "WriteBatched" {
					batches, callers := db.BatchStats()
					if batches > 0 {
						b.ReportMetric(float64(callers)/float64(batches), "callers/batch")
					}
				}
			})
		}
	}
}

// TestQueryIn reads rows by a list of ids longer than one statement takes,
// two of which name no row, and finds each row once.
func TestQueryIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var args []any
		for i := range 700 {
			slug := fmt.Sprintf("in-%d", i)
			args = append(args, "district", slug, slug, at, at)
		}
		var ids []int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertRows(ctx, "INSERT INTO org_units (kind, name, slug, created_at, updated_at)", "RETURNING id", 5, args, func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				ids = append(ids, id)
				return err
			})
		})
		if err != nil || len(ids) != 700 {
			t.Fatalf("inserted %d: %v", len(ids), err)
		}
		want := append(ids[:0:0], ids...)
		ask := append(ids, -1, -2) // two ids that name no row
		got := map[int64]string{}
		err = db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryIn(ctx, "SELECT id, slug FROM org_units WHERE id IN ", ask, func(rows *sql.Rows) error {
				var id int64
				var slug string
				if err := rows.Scan(&id, &slug); err != nil {
					return err
				}
				if _, seen := got[id]; seen {
					return fmt.Errorf("id %d read twice", id)
				}
				got[id] = slug
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("read %d rows of %d", len(got), len(want))
		}
		for i, id := range want {
			if got[id] != fmt.Sprintf("in-%d", i) {
				t.Fatalf("id %d: slug %q", id, got[id])
			}
		}
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryIn(ctx, "SELECT id FROM org_units WHERE id IN ", nil, func(*sql.Rows) error {
				return errors.New("a row for no ids")
			})
		}); err != nil {
			t.Fatal(err)
		}
	})
}
