package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// uniformPicture is a picture of one colour, opaque, so image/png writes
// it as 8-bit RGB, which decodes to 4 bytes a pixel, and compresses it
// about a thousandfold: the decompression bomb of the report.
type uniformPicture struct{ w, h int }

func (p uniformPicture) ColorModel() color.Model { return color.RGBAModel }
func (p uniformPicture) Bounds() image.Rectangle { return image.Rect(0, 0, p.w, p.h) }
func (p uniformPicture) At(int, int) color.Color { return color.RGBA{0xd0, 0xc8, 0xb0, 0xff} }
func (p uniformPicture) Opaque() bool            { return true }

// bombPNG is a 7000×7000 PNG of about 143 KB that decodes to 196 MB.
func bombPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, uniformPicture{7000, 7000}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rssLimit is the memory the server may reach under the attack.
const rssLimit = 300 << 20

// procMemory reads a field of /proc/<pid>/status in bytes (VmRSS: now,
// VmHWM: the peak so far).
func procMemory(pid int, field string) (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// TestDecompressionBombRSS replays the report against the real program:
// 40 anonymous questions at once, each from an address of its own (so no
// rate limit stops them) and each carrying six 7000×7000 PNGs of about
// 143 KB. The server must refuse them all as too large and stay under
// 300 MB resident. A watcher kills the server the moment it passes the
// limit, so a failing run does not take the machine's memory with it.
func TestDecompressionBombRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("decompression bomb: starts the real program; not in -short")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to measure the server's memory")
	}
	bomb := bombPNG(t)
	t.Logf("bomb: 7000×7000 PNG of %d KB", len(bomb)>>10)

	tmp := t.TempDir()
	srv := &crashServer{t: t, bin: buildOnce(t), data: filepath.Join(tmp, "data"), addr: freeAddr(t),
		logPath: filepath.Join(tmp, "server.log")}
	t.Cleanup(srv.stop)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := os.ReadFile(srv.logPath)
			if len(out) > 4000 {
				out = out[len(out)-4000:]
			}
			t.Logf("server output (tail):\n%s", out)
		}
	})
	// The demo seeds the district; the attack hits a freshly started
	// serve, as in production.
	srv.start("demo")
	srv.stop()
	srv.start("serve")
	pid := srv.cmd.Process.Pid
	before, err := procMemory(pid, "VmRSS")
	if err != nil {
		t.Fatal(err)
	}

	// The watcher.
	var peak atomic.Int64
	var killed atomic.Bool
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			if rss, err := procMemory(pid, "VmRSS"); err == nil {
				if rss > peak.Load() {
					peak.Store(rss)
				}
				if rss > rssLimit {
					killed.Store(true)
					syscall.Kill(pid, syscall.SIGKILL)
					return
				}
			}
			select {
			case <-stopWatch:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	base := "http://" + srv.addr
	client := newCrashClient(t, base, "")
	u, _ := url.Parse(base)
	var csrf string
	for _, ck := range client.http.Jar.Cookies(u) {
		if ck.Name == "mb_csrf" {
			csrf = ck.Value
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	began := time.Now()
	statuses := make([]int, 40)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range map[string]string{"csrf": csrf, "kind": "question", "category": "设施维修",
				"body": fmt.Sprintf("楼道里的照片请看一下，第 %d 次。", i)} {
				mw.WriteField(k, v)
			}
			for n := range 6 {
				fw, _ := mw.CreateFormFile("photos", fmt.Sprintf("photo%d.png", n))
				fw.Write(bomb)
			}
			mw.Close()
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/c/suojin-4/qa", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.77.%d.%d", i/200, i%200+1))
			resp, err := client.http.Do(req)
			if err != nil {
				statuses[i] = -1
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	took := time.Since(began)
	close(stopWatch)
	<-watched
	if killed.Load() {
		t.Fatalf("the server passed %d MB resident (at least %d MB; %d MB before the attack) and was killed", rssLimit>>20, peak.Load()>>20, before>>20)
	}
	hwm, err := procMemory(pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("40 requests in %v; resident before %d MB, peak %d MB", took.Round(time.Millisecond), before>>20, hwm>>20)
	if hwm > rssLimit {
		t.Errorf("peak resident size %d MB, want under %d MB", hwm>>20, rssLimit>>20)
	}
	for i, st := range statuses {
		if st != http.StatusBadRequest {
			t.Errorf("request %d answered %d, want 400 (photos too large)", i, st)
		}
	}
}
