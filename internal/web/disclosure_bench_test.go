package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/store/storetest"
)

// benchBoard fills community A with n disclosures spread over its catalog
// through the service (each one a real publication with its leaf).
func benchBoard(b *testing.B, n int) (*fixture, *mingbai.Actor) {
	db := storetest.SQLite(b)
	f := newFixture(b, db)
	ctx := context.Background()
	cadre, err := f.auth.Actor(ctx, f.users["cadreA"])
	if err != nil {
		b.Fatal(err)
	}
	items, err := f.disc.PublishableItems(ctx, cadre, f.demo.Suojin4)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		it := items[i%len(items)]
		d, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: it.ID, Title: fmt.Sprintf("%s 第%d期", it.Name, i), Body: "| 项目 | 金额 |\n|---|---|\n| 办公用品 | 600.00 |"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.disc.Publish(ctx, cadre, f.demo.Suojin4, d.ID); err != nil {
			b.Fatal(err)
		}
	}
	return f, cadre
}

func p99(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)*99/100]
}

// BenchmarkBoardPage serves a community's board to anonymous visitors
// through the real handler: after the first request, from the page cache,
// which still reads the community and its page version every time.
func BenchmarkBoardPage(b *testing.B) {
	f, _ := benchBoard(b, 2000)
	h := f.web.Handler()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/c/suojin-4", nil))
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(p99(lat).Microseconds())/1000, "p99-ms")
}

// BenchmarkPublish publishes one disclosure per iteration: draft, then
// publish with its log leaf in the same transaction.
func BenchmarkPublish(b *testing.B) {
	f, cadre := benchBoard(b, 0)
	ctx := context.Background()
	items, _ := f.disc.PublishableItems(ctx, cadre, f.demo.Suojin4)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: items[i%len(items)].ID, Title: fmt.Sprintf("第%d期", i), Body: "正文内容"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := f.disc.Publish(ctx, cadre, f.demo.Suojin4, d.ID); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.ReportMetric(float64(p99(lat).Microseconds())/1000, "p99-ms")
}

// BenchmarkBoardFresh is the load benchmark's request in process: an
// anonymous visitor who accepts gzip and carries the CSRF cookie, while
// nothing is being written, so withCachedPages answers before routing.
// Its allocations are the whole cost the server adds to the stored page.
func BenchmarkBoardFresh(b *testing.B) {
	f, _ := benchBoard(b, 200)
	h := f.web.Handler()
	req := httptest.NewRequest("GET", "/c/suojin-4", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.AddCookie(&http.Cookie{Name: "mb_csrf", Value: "0123456789abcdef0123456789abcdef"})
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
