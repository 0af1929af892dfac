package tlog_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// BenchmarkAppend measures durable appends through group commit without
// HTTP: many goroutines each append one 200-byte entry with a content row
// and wait for the commit, as the bench server's handler does.
//
//	go test -run XXX -bench Append -benchtime 100000x ./internal/tlog
func BenchmarkAppend(b *testing.B) {
	dbs := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if storetest.PostgresWanted() {
		dbs["postgres"] = storetest.Postgres
	}
	for name, open := range dbs {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db := open(b)
			exec(b, db, `CREATE TABLE bench_content (idx BIGINT PRIMARY KEY, body TEXT NOT NULL)`)
			l, err := tlog.Open(ctx, db, b.TempDir(), origin, mingbai.SystemClock)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			// Content rows are deferred to the batch's multi-row INSERT,
			// as the bench server does.
			content := &store.Deferred{Flush: func(ctx context.Context, tx *store.Tx, rows []any) error {
				args := make([]any, 0, 2*len(rows))
				for _, r := range rows {
					row := r.([2]any)
					args = append(args, row[0], row[1])
				}
				return tx.InsertRows(ctx, "INSERT INTO bench_content (idx, body)", "", 2, args, nil)
			}}
			var seq atomic.Int64
			b.SetParallelism(512) // 1,024 writers on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				entry := make([]byte, 200)
				for pb.Next() {
					copy(entry, fmt.Sprint("entry ", seq.Add(1)))
					err := db.WriteBatched(ctx, func(tx *store.Tx) error {
						idx, err := l.AppendEntry(ctx, tx, entry)
						if err != nil {
							return err
						}
						return tx.Defer(ctx, content, [2]any{idx, base64.StdEncoding.EncodeToString(entry)})
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			batches, callers := db.BatchStats()
			b.ReportMetric(float64(callers)/float64(max(batches, 1)), "callers/batch")
		})
	}
}

// BenchmarkMillion builds a log of 1,000,000 leaves (about 200 bytes each)
// on SQLite once, then measures inclusion proofs for random leaves and a
// full verify over loopback HTTP from nothing:
//
//	go test -run XXX -bench Million -benchtime 1x -cpu 1 -timeout 30m ./internal/tlog
//
// Set MINGBAI_BENCH_LEAVES to change the size.
func BenchmarkMillion(b *testing.B) {
	ctx := context.Background()
	n := 1_000_000
	if v := os.Getenv("MINGBAI_BENCH_LEAVES"); v != "" {
		fmt.Sscan(v, &n)
	}
	db := storetest.SQLite(b)
	dir := b.TempDir()
	l, err := tlog.OpenWith(ctx, db, dir, origin, mingbai.SystemClock, tlog.Options{NoIntegrator: true})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	const chunk = 50_000
	for from := 0; from < n; from += chunk {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := from; i < min(n, from+chunk); i++ {
				leaf, err := envelope(i).MarshalLeaf()
				if err != nil {
					return err
				}
				if _, err := l.AppendEntry(ctx, tx, leaf); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	integrate(b, l)
	b.Logf("built and integrated %d leaves in %v", n, time.Since(start))

	b.Run("InclusionProof", func(b *testing.B) {
		size := l.Checkpoint().Size
		rng := rand.New(rand.NewPCG(3, 4))
		b.ResetTimer()
		for range b.N {
			if _, err := l.InclusionProof(ctx, rng.Int64N(size), size); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proofs/s")
	})

	b.Run("Verify", func(b *testing.B) {
		srv := httptest.NewServer(l.Handler())
		defer srv.Close()
		// One verify per run whatever b.N is: the figure is its duration.
		for range 1 {
			start := time.Now()
			rep, err := tlog.Verify(ctx, tlog.VerifyOptions{URL: srv.URL + "/", Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}})
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Problems) > 0 || rep.Checkpoint.Size != int64(n) {
				b.Fatalf("verify: %+v", rep)
			}
			b.ReportMetric(time.Since(start).Seconds(), "s/verify")
		}
	})
}
