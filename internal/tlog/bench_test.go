package tlog_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

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
	if v := os.Getenv(storetest.PostgresEnv); v != "" && v != "off" {
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
			insert, err := db.PrepareWrite(ctx, "INSERT INTO bench_content (idx, body) VALUES (?, ?)")
			if err != nil {
				b.Fatal(err)
			}
			defer insert.Close()
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
						_, err = tx.ExecStmt(ctx, insert, idx, string(entry[:20]))
						return err
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
