package finance_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/store/storetest"
)

// bigCashbook is n rows of one account from 2016-01 on, about 3,000 a
// year, incomes and expenses alternating so the balance stays positive.
func bigCashbook(n int) [][]any {
	rows := make([][]any, 0, n)
	d := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	perDay := 9
	for i := 0; i < n; i++ {
		day := d.AddDate(0, 0, i/perDay)
		if i%2 == 0 {
			rows = append(rows, []any{day.Format("2006-01-02"), fmt.Sprint(i), "收入", "工作经费", "100.00", "", ""})
		} else {
			rows = append(rows, []any{day.Format("2006-01-02"), fmt.Sprint(i), "支出", "办公费", "", "99.50", ""})
		}
	}
	return rows
}

// benchBooks makes a community whose books start in January 2016 and
// returns its id, its cadre, its bank account.
func benchBooks(b testing.TB, e *env) (int64, *mingbai.Actor, int64) {
	ctx := context.Background()
	orgs := org.NewService(e.db, mingbai.SystemClock)
	u, err := orgs.CreateCommunity(ctx, e.demo.Suojincun, org.NewUnit{Name: "基准测试社区", Slug: "bench-books", Phone: "025-85400000", BoardLocation: "1幢北侧宣传橱窗"}, 0)
	if err != nil {
		b.Fatal(err)
	}
	cadre := &mingbai.Actor{UserID: 9, Name: "基准", Grants: []mingbai.Grant{{Role: mingbai.RoleCadre, UnitID: u.ID, Street: e.demo.Suojincun, District: e.demo.District}}}
	if err := e.fin.OpenBooks(ctx, cadre, u.ID, 201601, []finance.NewAccount{{Name: "银行存款", Kind: finance.Bank, Opening: 100000}}); err != nil {
		b.Fatal(err)
	}
	bk, err := e.fin.BooksOf(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	return u.ID, cadre, bk.Accounts[0].ID
}

// BenchmarkImport50k imports a 50,000-row cashbook into SQLite and reports
// the heap in use at its peak sample.
func BenchmarkImport50k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(&testing.T{}, storetest.SQLite(b))
		e.clock.set(at(2032, 6, 1, 10))
		c, cadre, acct := benchBooks(b, e)
		buf := cashbook(b, bigCashbook(50000))
		var peak uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak {
						peak = ms.HeapInuse
					}
				}
			}
		}()
		b.StartTimer()
		res, err := e.fin.ImportCashbook(context.Background(), cadre, c, acct, buf, nil)
		b.StopTimer()
		close(done)
		if err != nil || res.Posted != 50000 {
			b.Fatalf("import: %v, %d errors", err, len(res.Errors))
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}

// BenchmarkStatementTenYears reads, as the public, one published month's
// statement (with its review notes and 大写 totals) and the list of months
// from books of ten years × 3,000 entries, and reports p99 over the runs.
func BenchmarkStatementTenYears(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, storetest.SQLite(b))
	e.clock.set(at(2026, 6, 1, 10))
	ctx := context.Background()
	c, cadre, acct := benchBooks(b, e)
	if res, err := e.fin.ImportCashbook(ctx, cadre, c, acct, cashbook(b, bigCashbook(30000)), nil); err != nil || res.Posted != 30000 {
		b.Fatal(err)
	}
	super := &mingbai.Actor{UserID: 10, Name: "监督", Grants: []mingbai.Grant{{Role: mingbai.RoleSupervisor, UnitID: c, Street: e.demo.Suojincun, District: e.demo.District}}}
	for p := finance.Period(201601); p <= 202512; p = p.Next() {
		if err := e.fin.Close(ctx, cadre, c, p, ""); err != nil {
			b.Fatal(err)
		}
		if err := e.fin.Approve(ctx, super, c, p, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		// Every month in turn, so the first 120 reads decode from the
		// database and later ones may come from the cache, as a public
		// page's readers would.
		p := finance.Period(2016+(i/12)%10)*100 + finance.Period(1+i%12)
		v, err := e.fin.StatementOf(ctx, e.public, c, p)
		if err != nil || v.Period != p {
			b.Fatal(err)
		}
		if _, err := e.fin.Periods(ctx, e.public, c); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkRollup1000 sums one month over a district of 1,000 communities.
func BenchmarkRollup1000(b *testing.B) {
	e := newEnv(&testing.T{}, storetest.SQLite(b))
	ctx := context.Background()
	orgs := org.NewService(e.db, mingbai.SystemClock)
	for i := 0; i < 998; i++ {
		if _, err := orgs.CreateCommunity(ctx, e.demo.Suojincun, org.NewUnit{Name: fmt.Sprintf("测试%04d社区", i), Slug: fmt.Sprintf("bench-%d", i), Phone: "025-85400000", BoardLocation: "1幢北侧宣传橱窗"}, 0); err != nil {
			b.Fatal(err)
		}
	}
	e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "100", "一月")
	if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, 202501, ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, _, _, err := e.fin.Rollup(ctx, e.admin, e.demo.District, 202501)
		if err != nil || len(rows) < 1000 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}

// importChildEnv names the cashbook file TestImport50kChild imports; the
// benchmark below sets it when it runs the test binary as a child.
const importChildEnv = "MINGBAI_BENCH_IMPORT_XLSX"

// TestImport50kChild is the import alone in its own process, so that the
// process's peak resident set (VmHWM) is the import's: a fresh migrated
// database, the books, then one import of the file. It prints its
// figures for BenchmarkImport50kRSS and is skipped in ordinary runs.
func TestImport50kChild(t *testing.T) {
	path := os.Getenv(importChildEnv)
	if path == "" {
		t.Skip("run by BenchmarkImport50kRSS in a child process")
	}
	e := newEnv(t, storetest.SQLite(t))
	e.clock.set(at(2032, 6, 1, 10))
	c, cadre, acct := benchBooks(t, e)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	res, err := e.fin.ImportCashbook(context.Background(), cadre, c, acct, f, nil)
	elapsed := time.Since(start)
	if err != nil || res.Posted != 50000 {
		t.Fatalf("import: %v, %+v", err, res.Errors[:min(3, len(res.Errors))])
	}
	hwm, err := vmHWM()
	if err != nil {
		t.Skip("peak RSS needs /proc/self/status:", err)
	}
	fmt.Printf("IMPORT-CHILD elapsed_ms=%d vmhwm_kb=%d\n", elapsed.Milliseconds(), hwm)
}

// vmHWM is the peak resident set of this process in kB (Linux).
func vmHWM() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM line")
}

// BenchmarkImport50kRSS imports a 50,000-row cashbook in a child process
// (this test binary running TestImport50kChild) and reports the import's
// time and the child's peak RSS, which the parent's own memory (building
// the workbook) does not inflate.
func BenchmarkImport50kRSS(b *testing.B) {
	path := filepath.Join(b.TempDir(), "cashbook.xlsx")
	if err := os.WriteFile(path, cashbook(b, bigCashbook(50000)).Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestImport50kChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), importChildEnv+"="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var ms, kb int64
		for _, line := range strings.Split(string(out), "\n") {
			if _, err := fmt.Sscanf(line, "IMPORT-CHILD elapsed_ms=%d vmhwm_kb=%d", &ms, &kb); err == nil {
				break
			}
		}
		if kb == 0 {
			b.Skipf("the child reported no peak RSS:\n%s", out)
		}
		b.ReportMetric(float64(ms)/1000, "import-s")
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
}
