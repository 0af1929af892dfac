package web_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/web"
	"mingbai/internal/web/site"
)

var (
	qaLoad         = flag.Bool("qa.load", false, "run the qa submission load test (200 submitters, 60 s)")
	qaLoadDuration = flag.Duration("qa.load.duration", 60*time.Second, "how long the qa load test runs")
	qaLoadWorkers  = flag.Int("qa.load.workers", 200, "concurrent submitters of the qa load test")
	qaLoadThink    = flag.Duration("qa.load.think", time.Second, "each submitter's pause between submissions (0: as fast as possible)")
)

// TestLoadSubmissions runs only with -qa.load: 200 concurrent submitters
// post questions for 60 s to the real server on SQLite, each from its own
// address (behind a trusted proxy, as in production), each pausing
// -qa.load.think between submissions (1 s; 0 makes it a saturation test). Every accepted
// submission must be stored exactly once; the test reports the latency
// percentiles and fails when p99 is 200 ms or more.
//
//	go test -run TestLoadSubmissions -qa.load ./internal/web/
func TestLoadSubmissions(t *testing.T) {
	if !*qaLoad {
		t.Skip("load test: run with -qa.load")
	}
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	s, err := site.New(site.Config{Config: web.Config{DB: db, Org: f.org, Auth: f.auth, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustProxy: true}, QA: f.qa})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx := context.Background()
	var before int
	db.QueryRow(ctx, "SELECT COUNT(*) FROM qa_items").Scan(&before)

	var (
		accepted, refused, failed atomic.Int64
		mu                        sync.Mutex
		lat                       []time.Duration
		samples                   []loadSample
		codes                     = map[string]int{}
	)
	began := time.Now()
	deadline := began.Add(*qaLoadDuration)
	// Every 10 s the database's state is noted, so that a latency that
	// grows over the run can be set beside what grew with it.
	stopWatch := make(chan struct{})
	watched := make(chan []string)
	go func() {
		var notes []string
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopWatch:
				watched <- notes
				return
			case <-tick.C:
				notes = append(notes, dbNote(ctx, db))
			}
		}
	}()
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: *qaLoadWorkers}
	for w := 0; w < *qaLoadWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			cl := &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := cl.Get(srv.URL + "/healthz")
			if err != nil {
				failed.Add(1)
				return
			}
			resp.Body.Close()
			u, _ := url.Parse(srv.URL)
			var csrf string
			for _, c := range jar.Cookies(u) {
				if c.Name == "mb_csrf" {
					csrf = c.Value
				}
			}
			var mine []time.Duration
			var mySamples []loadSample
			// Submitters start spread over the first pause, as people do.
			if *qaLoadThink > 0 {
				time.Sleep(time.Duration(w) * *qaLoadThink / time.Duration(*qaLoadWorkers))
			}
			for n := 0; time.Now().Before(deadline); n++ {
				if n > 0 && *qaLoadThink > 0 {
					time.Sleep(*qaLoadThink)
				}
				form := url.Values{"csrf": {csrf}, "category": {"设施维修"}, "kind": {"question"},
					"body": {fmt.Sprintf("压力测试：第 %d 位居民的第 %d 个问题，楼道灯坏了。", w, n)}}
				req, _ := http.NewRequest("POST", srv.URL+"/c/suojin-4/qa", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// Each submission from its own address, so the rate limit
				// (which it would otherwise hit) does not shape the load.
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", w, n/250, n%250))
				start := time.Now()
				resp, err := cl.Do(req)
				d := time.Since(start)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, d)
				mySamples = append(mySamples, loadSample{at: start, took: d})
				switch {
				case resp.StatusCode == http.StatusSeeOther:
					accepted.Add(1)
					code := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/qa/t/"), "?done=new")
					mu.Lock()
					codes[code]++
					mu.Unlock()
				case resp.StatusCode == http.StatusTooManyRequests:
					refused.Add(1)
				default:
					failed.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			samples = append(samples, mySamples...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	close(stopWatch)

	notes := <-watched
	for i, n := range notes {
		win := windowPercentiles(samples, began.Add(time.Duration(i)*10*time.Second), began.Add(time.Duration(i+1)*10*time.Second))
		t.Logf("%3ds–%3ds: %s; %s", i*10, (i+1)*10, win, n)
	}
	var after int
	db.QueryRow(ctx, "SELECT COUNT(*) FROM qa_items").Scan(&after)
	var distinct int
	db.QueryRow(ctx, "SELECT COUNT(DISTINCT code) FROM qa_items").Scan(&distinct)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)]
	}
	batches, callers := db.BatchStats()
	t.Logf("%d workers, think %s, %s: %d accepted (%.0f/s), %d refused, %d failed; latency p50 %s p95 %s p99 %s max %s; %d group commits carried %d writes",
		*qaLoadWorkers, *qaLoadThink, *qaLoadDuration, accepted.Load(), float64(accepted.Load())/qaLoadDuration.Seconds(), refused.Load(), failed.Load(),
		pct(.5), pct(.95), pct(.99), pct(1), batches, callers)
	if got := int64(after - before); got != accepted.Load() {
		t.Errorf("stored %d items, accepted %d", got, accepted.Load())
	}
	if len(codes) != int(accepted.Load()) || distinct != after {
		t.Errorf("%d distinct codes for %d accepted submissions", len(codes), accepted.Load())
	}
	// Each code a submitter was given names exactly one stored item.
	stored := map[string]int{}
	rows, err := db.Query(ctx, "SELECT code FROM qa_items")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		stored[c]++
	}
	rows.Close()
	for c := range codes {
		if stored[c] != 1 {
			t.Errorf("accepted submission %s stored %d times", c, stored[c])
		}
	}
	if failed.Load() > 0 {
		t.Errorf("%d submissions failed", failed.Load())
	}
	if p99 := pct(.99); p99 >= 200*time.Millisecond {
		t.Errorf("p99 latency %s, want under 200 ms", p99)
	}
}

// loadSample is one submission of the load test: when it was sent and how
// long the server took to answer.
type loadSample struct {
	at   time.Time
	took time.Duration
}

// windowPercentiles describes the latency of the submissions sent in
// [from, to).
func windowPercentiles(samples []loadSample, from, to time.Time) string {
	var d []time.Duration
	for _, s := range samples {
		if !s.at.Before(from) && s.at.Before(to) {
			d = append(d, s.took)
		}
	}
	if len(d) == 0 {
		return "no submissions"
	}
	slices.Sort(d)
	p := func(q float64) time.Duration { return d[int(float64(len(d)-1)*q)].Round(time.Millisecond) }
	return fmt.Sprintf("%d sent, p50 %s p99 %s", len(d), p(.5), p(.99))
}

// dbNote reports the size of a SQLite database and its write-ahead log and
// the group commits so far.
func dbNote(ctx context.Context, db *store.DB) string {
	var pages int64
	db.QueryRow(ctx, "PRAGMA page_count").Scan(&pages)
	var wal int64
	if fi, err := os.Stat(db.URL + "-wal"); err == nil {
		wal = fi.Size()
	}
	batches, callers := db.BatchStats()
	return fmt.Sprintf("db %d pages, wal %d KiB, %d group commits of %d writes", pages, wal/1024, batches, callers)
}
