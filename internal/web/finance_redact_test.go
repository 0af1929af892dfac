package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestFinanceRedactReceipt redacts a receipt photo through the form and
// checks that the public GET of the receipt returns the redacted picture
// (black inside the rectangle, untouched outside) while the original is
// served to the community's cadre only.
func TestFinanceRedactReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ff := f.fin
		month := ff.closed.Next()
		b, _ := ff.svc.BooksOf(ctx, f.demo.Suojin4)
		cats, _ := ff.svc.Categories(ctx, f.demo.District)
		var office int64
		for _, c := range cats {
			if c.Name == "办公费" {
				office = c.ID
			}
		}
		e, err := ff.svc.Post(ctx, ff.cadre, f.demo.Suojin4, finance.NewEntry{AccountID: b.Accounts[0].ID, Date: month.First(), CategoryID: office, Amount: 5000, Summary: "慰问品"})
		if err != nil {
			t.Fatal(err)
		}
		img := image.NewRGBA(image.Rect(0, 0, 120, 90))
		for y := 0; y < 90; y++ {
			for x := 0; x < 120; x++ {
				img.Set(x, y, color.RGBA{200, 220, 240, 255})
			}
		}
		var orig bytes.Buffer
		png.Encode(&orig, img)
		at, err := ff.svc.Attach(ctx, ff.cadre, f.demo.Suojin4, e.ID, "receipt.png", bytes.NewReader(orig.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		cadre := f.loggedIn("cadreA")
		action := fmt.Sprintf("/c/suojin-4/finance/receipts/%d/redact", at.ID)
		form := func(x, reason string) url.Values {
			return url.Values{"entry": {fmt.Sprint(e.ID)}, "redact_reason": {reason},
				"x": {x, ""}, "y": {"20", ""}, "w": {"40", ""}, "h": {"30", ""}}
		}
		// A bad figure re-renders the entry page with the message.
		resp := cadre.post(action, form("左边", "遮盖身份证号"))
		if bd := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(bd, "四个数都要填整数") {
			t.Fatalf("bad figure: %d", resp.StatusCode)
		}
		resp = cadre.post(action, form("10", ""))
		if bd := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(bd, "请填写遮盖原因") {
			t.Fatalf("no reason: %d", resp.StatusCode)
		}
		resp = cadre.post(action, form("10", "遮盖收款人身份证号"))
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("redact: %d", resp.StatusCode)
		}
		// B's cadre may not redact A's receipt.
		resp = f.loggedIn("cadreB").post(action, form("0", "x"))
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cadre B redacted: %d", resp.StatusCode)
		}
		if err := ff.svc.ClearAttachment(ctx, ff.cadre, f.demo.Suojin4, at.ID); err != nil {
			t.Fatal(err)
		}
		if err := ff.svc.Approve(ctx, ff.super, f.demo.Suojin4, ff.closed, ""); err != nil {
			t.Fatal(err)
		}
		if err := ff.svc.Close(ctx, ff.cadre, f.demo.Suojin4, month, ""); err != nil {
			t.Fatal(err)
		}
		if err := ff.svc.Approve(ctx, ff.super, f.demo.Suojin4, month, ""); err != nil {
			t.Fatal(err)
		}

		receipt := fmt.Sprintf("/c/suojin-4/finance/receipts/%d", at.ID)
		resp = f.client().get(receipt)
		pub, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || bytes.Equal(pub, orig.Bytes()) {
			t.Fatalf("public receipt: %d %s, original bytes: %v", resp.StatusCode, resp.Header.Get("Content-Type"), bytes.Equal(pub, orig.Bytes()))
		}
		if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("a redactable receipt is cached as immutable: %q", cc)
		}
		red, err := png.Decode(bytes.NewReader(pub))
		if err != nil {
			t.Fatal(err)
		}
		black := func(x, y int) bool { r, g, b, _ := red.At(x, y).RGBA(); return r == 0 && g == 0 && b == 0 }
		for _, p := range [][2]int{{10, 20}, {30, 35}, {49, 49}} {
			if !black(p[0], p[1]) {
				t.Errorf("pixel %v inside the rectangle is not black", p)
			}
		}
		for _, p := range [][2]int{{9, 20}, {50, 50}, {100, 10}} {
			if black(p[0], p[1]) {
				t.Errorf("pixel %v outside the rectangle is black", p)
			}
		}
		// The original: not for the public, the street, or B; yes for A's cadre.
		for _, who := range []string{"anonymous", "officerA", "cadreB"} {
			resp := f.loggedIn(who).get(receipt + "?original=1")
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("original for %s: %d", who, resp.StatusCode)
			}
		}
		resp = cadre.get(receipt + "?original=1")
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, orig.Bytes()) || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("cadre's original: %d bytes, cache %q", len(got), resp.Header.Get("Cache-Control"))
		}
		// The entry page says what was redacted, when and why.
		page := body(t, f.client().get(fmt.Sprintf("/c/suojin-4/finance/entries/%d", e.ID)))
		for _, want := range []string{"已遮盖个人信息", "遮盖收款人身份证号", "左 10、上 20、宽 40、高 30 像素"} {
			if !strings.Contains(page, want) {
				t.Errorf("entry page lacks %q", want)
			}
		}
		if strings.Contains(page, "?original=1") {
			t.Error("the public entry page links to the original")
		}
	})
}
