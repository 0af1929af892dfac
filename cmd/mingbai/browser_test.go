package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mingbai/internal/store/storetest"
)

// The browser tests build the real program, start `mingbai demo` on port 0
// with a temp data dir and drive Debian's Chromium headless through it.
// Screenshots go to testout/browser (or MINGBAI_TEST_OUT) at phone and
// desktop width.

// program is a running mingbai process.
type program struct {
	URL string
	cmd *exec.Cmd
}

// startDemo builds mingbai and runs `mingbai demo`; the process is stopped
// when the test ends.
func startDemo(t *testing.T) *program {
	t.Helper()
	return startDemoIn(t, filepath.Join(t.TempDir(), "data"))
}

// startDemoIn runs `mingbai demo` on the data directory dir.
func startDemoIn(t *testing.T, dir string) *program {
	t.Helper()
	bin := buildOnce(t)
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	cmd.Env = append(os.Environ(), "MINGBAI_DB=", "MINGBAI_LOG_ORIGIN=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
	})
	urlc := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
	}()
	select {
	case u := <-urlc:
		return &program{URL: u, cmd: cmd}
	case <-time.After(60 * time.Second):
		t.Fatal("mingbai demo did not start within 60 s")
	}
	return nil
}

var (
	buildMu  sync.Mutex
	builtBin string
)

// buildOnce builds the mingbai binary once for all browser tests of this
// test process.
func buildOnce(t *testing.T) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if builtBin != "" {
		return builtBin
	}
	dir, err := os.MkdirTemp("", "mingbai-bin-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "mingbai")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build mingbai: %v\n%s", err, out)
	}
	builtBin = bin
	return bin
}

// needBrowser is the first line of every browser test, so that nothing
// is built or started for a test that will not run. It skips under -short
// and with MINGBAI_TEST_BROWSER=off; without Chromium it skips, or fails
// in CI and scripts/test (storetest.Unconfigured). It returns Chromium's path.
func needBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: not in -short")
	}
	if os.Getenv("MINGBAI_TEST_BROWSER") == "off" {
		t.Skip("MINGBAI_TEST_BROWSER=off: browser tests skipped on request")
	}
	path := os.Getenv("MINGBAI_TEST_CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			storetest.Unconfigured(t, "chromium not found: browser tests skipped (install Debian's chromium, as scripts/test does)")
		}
	}
	return path
}

// browser starts headless Chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 90*time.Second)
}

// browserFor is browser for a test that needs the browser longer.
func browserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := needBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profileDir(t)),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(390, 844),
		// lan.test stands for a LAN address served over plain http, where
		// the browser hides crypto.subtle.
		chromedp.Flag("host-resolver-rules", "MAP lan.test 127.0.0.1"),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// profileDir is a fresh Chromium profile directory. Chromium's helper
// processes may still be writing to it for a moment after the browser is
// stopped, so it is removed with retries rather than by t.TempDir, whose
// cleanup fails the test on the first "directory not empty".
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "mingbai-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

// shotDir is where screenshots are saved.
func shotDir(t *testing.T) string {
	dir := os.Getenv("MINGBAI_TEST_OUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "testout")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshots saves the current page at phone (390x844) and desktop
// (1280x800) width as NAME-phone.png and NAME-desktop.png.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := shotDir(t)
	for _, size := range []struct {
		label string
		w, h  int64
	}{{"phone", 390, 844}, {"desktop", 1280, 800}} {
		var png []byte
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(size.w, size.h),
			chromedp.Sleep(100*time.Millisecond),
			chromedp.FullScreenshot(&png, 100),
		)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.label+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	chromedp.Run(ctx, chromedp.EmulateViewport(390, 844))
}

// TestJourneyResidentAndCadre: open the home page, open 锁金四村社区, switch
// to large text, log in as a cadre, log out.
func TestJourneyResidentAndCadre(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	var text string
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}

	run(chromedp.Navigate(p.URL+"/"), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "锁金四村社区") || !strings.Contains(text, "锁金村街道") {
		t.Fatalf("home page does not list the demo district:\n%s", text)
	}
	screenshots(t, ctx, "home")

	run(chromedp.Click(`//a[contains(., "锁金四村社区")]`, chromedp.BySearch), chromedp.WaitVisible(`nav.tabs`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	for _, want := range []string{"党务", "政务", "事务", "财务", "锁金四村12幢北侧宣传橱窗"} {
		if !strings.Contains(text, want) {
			t.Errorf("community page lacks %q", want)
		}
	}
	screenshots(t, ctx, "community")

	var fontSize string
	run(chromedp.Click(`form.textsize button`, chromedp.ByQuery), chromedp.WaitVisible(`html.large-text`, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.documentElement).fontSize`, &fontSize))
	if fontSize != "22px" {
		t.Errorf("large text: root font size %s, want 22px", fontSize)
	}
	screenshots(t, ctx, "community-large")

	run(chromedp.Click(`//header//a[text()="登录"]`, chromedp.BySearch), chromedp.WaitVisible(`#login`, chromedp.ByQuery))
	screenshots(t, ctx, "login")
	run(chromedp.SendKeys(`#login`, "ganbu", chromedp.ByQuery), chromedp.SendKeys(`#password`, demoPassword, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery), chromedp.WaitVisible(`section.work-group`, chromedp.ByQuery),
		chromedp.Text("header", &text, chromedp.ByQuery))
	if !strings.Contains(text, "王秀英") {
		t.Errorf("after login the header does not name the cadre: %q", text)
	}
	var large bool
	run(chromedp.Evaluate(`document.documentElement.classList.contains("large-text")`, &large))
	if !large {
		t.Error("large text was lost at login")
	}

	run(chromedp.Click(`//header//a[contains(., "王秀英")]`, chromedp.BySearch), chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery))
	screenshots(t, ctx, "account")
	run(chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`//header//a[text()="登录"]`, chromedp.BySearch))
}

// login fills the login form as a person would.
func login(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#login`, username, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, demoPassword, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#password`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("login as %s: %v", username, err)
	}
}

// TestJourneyAdminAndRegistration: the district admin adds a community to
// 锁金村街道; 锁金四村社区's cadre verifies a resident's registration.
func TestJourneyAdminAndRegistration(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	var text string

	login(t, ctx, p.URL, "admin")
	// The admin lands on the workbench; 管理 in the header opens the district.
	run(chromedp.Click(`//header//a[text()="管理"]`, chromedp.BySearch), chromedp.WaitVisible(`//h1[contains(., "区管理")]`, chromedp.BySearch))
	screenshots(t, ctx, "admin")
	run(chromedp.Click(`//a[text()="锁金村街道"]`, chromedp.BySearch), chromedp.WaitVisible(`#c-name`, chromedp.ByQuery))
	// A mistake first: the form comes back with the message by the field.
	run(chromedp.SendKeys(`#c-name`, "锁金新村社区", chromedp.ByQuery), chromedp.SendKeys(`#c-slug`, "锁金", chromedp.ByQuery),
		chromedp.Submit(`#c-name`, chromedp.ByQuery), chromedp.WaitVisible(`.alert`, chromedp.ByQuery),
		chromedp.Text(`.alert`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "网址标识") {
		t.Errorf("bad slug message: %q", text)
	}
	screenshots(t, ctx, "admin-unit-error")
	run(chromedp.SetValue(`#c-slug`, "suojin-xincun", chromedp.ByQuery), chromedp.SetValue(`#c-phone`, "025-85401801", chromedp.ByQuery),
		chromedp.SetValue(`#c-board`, "锁金新村3幢东侧公开栏", chromedp.ByQuery),
		chromedp.Submit(`#c-name`, chromedp.ByQuery), chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "锁金新村社区") {
		t.Errorf("new community not listed:\n%s", text)
	}
	run(chromedp.Navigate(p.URL+"/c/suojin-xincun"), chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "锁金新村3幢东侧公开栏") {
		t.Errorf("new community page:\n%s", text)
	}
	run(chromedp.Navigate(p.URL+"/account"), chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//header//a[text()="登录"]`, chromedp.BySearch))

	login(t, ctx, p.URL, "ganbu")
	// The cadre lands on the workbench, where the registration waits.
	run(chromedp.Click(`//a[contains(., "待审核的居民注册")]`, chromedp.BySearch), chromedp.WaitVisible(`//h2[text()="赵凤英"]`, chromedp.BySearch))
	screenshots(t, ctx, "registrations")
	run(chromedp.Click(`//button[text()="核实通过"]`, chromedp.BySearch), chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if strings.Contains(text, "赵凤英") || !strings.Contains(text, "没有待审核的注册") {
		t.Errorf("after verifying:\n%s", text)
	}
}
