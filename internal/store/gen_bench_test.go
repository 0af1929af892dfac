package store_test

import (
	"context"
	"testing"

	"mingbai/internal/store/storetest"
)

// BenchmarkGeneration is the check every cached public page pays before
// it is served, with a cancelable context as a request's.
func BenchmarkGeneration(b *testing.B) {
	db := storetest.SQLite(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		db.Generation(ctx)
	}
}
