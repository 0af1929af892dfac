package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyCorrectFiles: a cadre publishes a notice, corrects it by
// attaching a photo and a PDF, then corrects again dropping the PDF; the
// resident's page says which files came and went.
func TestJourneyCorrectFiles(t *testing.T) {
	needBrowser(t)
	p := startDemo(t)
	ctx := browser(t)
	run := func(actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "现场照片.png")
	img := image.NewRGBA(image.Rect(0, 0, 800, 500))
	for y := range 500 {
		for x := range 800 {
			img.Set(x, y, color.RGBA{uint8(120 + x/8), uint8(160 + y/8), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "收费标准（旧）.pdf")
	for path, data := range map[string][]byte{photo: b.Bytes(), pdf: []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	login(t, ctx, p.URL, "ganbu")
	var value, text string
	run(chromedp.Navigate(p.URL+"/c/suojin-4/drafts"), chromedp.WaitVisible(`#d-item`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('#d-item option')].find(o => o.textContent.includes('收费情况')).value`, &value))
	run(chromedp.SetValue(`#d-item`, value, chromedp.ByQuery),
		chromedp.SendKeys(`#d-title`, "自行车棚收费标准", chromedp.ByQuery),
		chromedp.SendKeys(`#d-body`, "每辆每月5元，由物业代收。", chromedp.ByQuery),
		chromedp.Submit(`#d-title`, chromedp.ByQuery), chromedp.WaitVisible(`section.preview`, chromedp.ByQuery),
		chromedp.Click(`form[action$="/publish"] button`, chromedp.ByQuery), chromedp.WaitVisible(`article.disclosure`, chromedp.ByQuery))

	// First correction: text unchanged, two files added.
	run(chromedp.Click(`//a[text()="更正"]`, chromedp.BySearch), chromedp.WaitVisible(`#c-file`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#c-file`, []string{photo, pdf}, chromedp.ByQuery),
		chromedp.SendKeys(`#c-reason`, "补上车棚照片和收费标准文件", chromedp.ByQuery),
		chromedp.Submit(`#c-reason`, chromedp.ByQuery), chromedp.WaitVisible(`section.diff`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	for _, want := range []string{"第2版", "新增附件现场照片.png", "新增附件收费标准（旧）.pdf"} {
		if !strings.Contains(strings.ReplaceAll(text, "+ ", ""), want) {
			t.Errorf("after adding files the page lacks %q:\n%s", want, text)
		}
	}

	// Second correction: drop the PDF.
	run(chromedp.Click(`//a[text()="更正"]`, chromedp.BySearch), chromedp.WaitVisible(`.correct-files`, chromedp.ByQuery),
		chromedp.Click(`//li[contains(., "收费标准（旧）.pdf")]//input[@name="drop"]`, chromedp.BySearch),
		chromedp.SendKeys(`#c-reason`, "收费标准文件是旧版，撤下", chromedp.ByQuery))
	screenshots(t, ctx, "board-correct-files")
	run(chromedp.Submit(`#c-reason`, chromedp.ByQuery), chromedp.WaitVisible(`section.diff`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	for _, want := range []string{"第3版", "删去附件收费标准（旧）.pdf", "删去附件：收费标准（旧）.pdf", "新增附件：现场照片.png"} {
		if !strings.Contains(strings.ReplaceAll(text, "− ", ""), want) {
			t.Errorf("after dropping a file the page lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "正文没有改动") {
		t.Error("a files-only correction does not say the text is unchanged")
	}
	screenshots(t, ctx, "board-diff-files")

	// The redact form of version 2 says that version 3 still publishes
	// the photo, which is served by its content.
	var loc string
	run(chromedp.Location(&loc))
	base, _, _ := strings.Cut(loc, "?")
	if i := strings.Index(base, "/v/"); i >= 0 {
		base = base[:i]
	}
	run(chromedp.Navigate(base+"/v/2/redact"), chromedp.WaitVisible(`form.form`, chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery))
	if !strings.Contains(text, "撤下附件“现场照片.png”") || !strings.Contains(text, "这个附件也公开在第3版。") {
		t.Errorf("the redact form does not say version 3 keeps the photo:\n%s", text)
	}
	screenshots(t, ctx, "board-redact-shared-file")
	run(chromedp.Navigate(base), chromedp.WaitVisible(`article.disclosure`, chromedp.ByQuery))

	// The catalog item's page lists its logged changes.
	run(chromedp.Click(`//dd/a[contains(., "收费情况")]`, chromedp.BySearch), chromedp.WaitVisible(`.item-history`, chromedp.ByQuery),
		chromedp.Text(".item-history", &text, chromedp.ByQuery))
	if !strings.Contains(text, "第1版 · 载入区默认目录") || !strings.Contains(text, "叶子") {
		t.Errorf("item history: %q", text)
	}
	screenshots(t, ctx, "board-item-history")
}
