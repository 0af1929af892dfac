package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// appendSyntheticLeaves puts n leaves into the log of a fresh data dir, as
// the board will once it publishes.
func appendSyntheticLeaves(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	var f dbFlags
	f.data = dir
	db, err := f.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := tlog.OpenWith(ctx, db, dir, "localhost/mingbai-log", mingbai.SystemClock, tlog.Options{NoIntegrator: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		err := db.WriteBatched(ctx, func(tx *store.Tx) error {
			_, err := l.Append(ctx, tx, tlog.Envelope{Kind: "disclosure", Object: fmt.Sprint("synthetic-", i), Version: 1,
				Time: time.Now(), ContentSHA256: sha256.Sum256([]byte(fmt.Sprint("content ", i)))})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestJourneyVerifyInBrowser: a resident opens a log record and presses 验证,
// once on the loopback address and once through a LAN-style host name over
// plain http, where crypto.subtle is missing and the script's own SHA-256,
// SHA-512 and Ed25519 must do the work. All three checks pass for a record
// of the demo; for a record whose content this site cannot give (one of
// the synthetic leaves) the content check fails and so does the whole.
func TestJourneyVerifyInBrowser(t *testing.T) {
	needBrowser(t)
	dir := filepath.Join(t.TempDir(), "data")
	appendSyntheticLeaves(t, dir, 13)
	p := startDemoIn(t, dir)
	ctx := browser(t)
	port := p.URL[strings.LastIndex(p.URL, ":"):]
	verify := func(url string) (summary, steps string, subtle bool) {
		t.Helper()
		err := chromedp.Run(ctx,
			chromedp.Navigate(url),
			chromedp.WaitVisible(`.verify-button`, chromedp.ByQuery),
			chromedp.Evaluate(`!!(window.crypto && window.crypto.subtle)`, &subtle),
			chromedp.Click(`.verify-button`, chromedp.ByQuery),
			chromedp.WaitVisible(`.verify-result.verify-ok, .verify-result.verify-bad`, chromedp.ByQuery),
			chromedp.Text(`.verify-result`, &summary, chromedp.ByQuery),
			chromedp.Text(`.verify-steps`, &steps, chromedp.ByQuery),
		)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		return summary, steps, subtle
	}
	for _, base := range []string{p.URL, "http://lan.test" + port} {
		summary, steps, subtle := verify(base + "/log/leaves/20")
		if !strings.Contains(summary, "验证通过") || !strings.Contains(summary, "第 20 号记录") {
			t.Errorf("%s (crypto.subtle %v): %q\n%s", base, subtle, summary, steps)
		}
		for _, want := range []string{"✔ 一、内容", "✔ 二、在日志里", "✔ 三、签名", "Ed25519", "SHA-256"} {
			if !strings.Contains(steps, want) {
				t.Errorf("%s: the steps do not say %q:\n%s", base, want, steps)
			}
		}
		if strings.Contains(base, "lan.test") && subtle {
			t.Error("lan.test over http still has crypto.subtle: the fallback was not exercised")
		}
		if !strings.Contains(base, "lan.test") {
			screenshots(t, ctx, "log-leaf-verified")
		}
	}
	summary, steps, _ := verify(p.URL + "/log/leaves/11")
	if !strings.Contains(summary, "没有通过") || !strings.Contains(steps, "✖ 一、内容") || !strings.Contains(steps, "✔ 二、在日志里") {
		t.Errorf("a record without content: %q\n%s", summary, steps)
	}
	var text string
	if err := chromedp.Run(ctx, chromedp.Navigate(p.URL+"/log"), chromedp.Text("main", &text, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "记录条数") || !strings.Contains(text, "树根") {
		t.Errorf("/log page:\n%s", text)
	}
	screenshots(t, ctx, "log")
}

// TestVerifyButtonHiddenWithoutScript: the verify button works only with
// its script, which shows it; with scripts off it must stay hidden, though
// the .button style sets a display of its own.
func TestVerifyButtonHiddenWithoutScript(t *testing.T) {
	needBrowser(t)
	dir := filepath.Join(t.TempDir(), "data")
	appendSyntheticLeaves(t, dir, 13)
	p := startDemoIn(t, dir)
	ctx := browser(t)
	var styles []*css.ComputedStyleProperty
	err := chromedp.Run(ctx,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(p.URL+"/log/leaves/11"),
		chromedp.WaitReady(`.verify-button`, chromedp.ByQuery),
		chromedp.ComputedStyle(`.verify-button`, &styles, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	display := ""
	for _, s := range styles {
		if s.Name == "display" {
			display = s.Value
		}
	}
	if display != "none" {
		t.Errorf("with scripts off the verify button's display is %q, want none", display)
	}
}
