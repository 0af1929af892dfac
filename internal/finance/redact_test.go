package finance_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// whitePNG is a w×h white PNG, standing in for a receipt photo.
func whitePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.White)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func isBlack(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r == 0 && g == 0 && b == 0
}

func TestRedactReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		en := e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "办公费", "80", "购买打印纸")
		orig := whitePNG(t, 100, 80)
		at, err := e.fin.Attach(ctx, e.cadre, c, en.ID, "receipt.png", bytes.NewReader(orig))
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := e.fin.Attach(ctx, e.cadre, c, en.ID, "receipt.pdf", strings.NewReader("%PDF-1.4 test"))
		if err != nil {
			t.Fatal(err)
		}
		box := []finance.Rect{{X: 10, Y: 10, W: 30, H: 20}}
		// Who and what may be redacted.
		_, err = e.fin.RedactAttachment(ctx, e.cadreB, c, at.ID, box, "遮盖身份证号")
		wantCode(t, err, mingbai.EFORBIDDEN)
		_, err = e.fin.RedactAttachment(ctx, e.super, c, at.ID, box, "遮盖身份证号")
		wantCode(t, err, mingbai.EFORBIDDEN)
		_, err = e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, box, "")
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, []finance.Rect{{X: 1, Y: 1, W: 0, H: 5}}, "原因")
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, []finance.Rect{{X: 100, Y: 1, W: 5, H: 5}}, "原因")
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.RedactAttachment(ctx, e.cadre, c, pdf.ID, box, "原因")
		wantCode(t, err, mingbai.EINVALID)
		// B's cadre cannot reach A's receipt through B's community either.
		_, err = e.fin.RedactAttachment(ctx, e.cadreB, e.demo.Suojin1, at.ID, box, "原因")
		wantCode(t, err, mingbai.ENOTFOUND)

		rd, err := e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, box, "遮盖身份证号")
		if err != nil {
			t.Fatal(err)
		}
		// A second redaction draws over the first; a box reaching past the
		// edge is clipped.
		if _, err := e.fin.RedactAttachment(ctx, e.cadre, c, at.ID, []finance.Rect{{X: 90, Y: 70, W: 50, H: 50}}, "遮盖电话"); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.ClearAttachment(ctx, e.cadre, c, at.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Close(ctx, e.cadre, c, 202501, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Approve(ctx, e.super, c, 202501, ""); err != nil {
			t.Fatal(err)
		}

		read := func(a *mingbai.Actor, original bool) (*finance.Attachment, []byte, error) {
			got, f, err := e.fin.OpenAttachmentVersion(ctx, a, c, at.ID, original)
			if err != nil {
				return nil, nil, err
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			return got, b, err
		}
		pubAt, pub, err := read(e.public, false)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(pub, orig) || pubAt.MIME != "image/png" || pubAt.Served == at.SHA256 || len(pubAt.Redactions) != 2 || pubAt.Redactions[0].SHA256 != rd.SHA256 {
			t.Fatalf("public got the original or wrong metadata: %+v", pubAt)
		}
		img, err := png.Decode(bytes.NewReader(pub))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []image.Point{{10, 10}, {25, 20}, {39, 29}, {95, 75}, {99, 79}} {
			if !isBlack(img.At(p.X, p.Y)) {
				t.Errorf("pixel %v inside a box is not black", p)
			}
		}
		for _, p := range []image.Point{{9, 9}, {40, 30}, {50, 50}, {89, 69}} {
			if isBlack(img.At(p.X, p.Y)) {
				t.Errorf("pixel %v outside the boxes is black", p)
			}
		}
		// The original: the community's cadres and supervisors only.
		for _, a := range []*mingbai.Actor{e.public, e.officer, e.cadreB} {
			_, _, err := read(a, true)
			wantCode(t, err, mingbai.EFORBIDDEN)
		}
		for _, a := range []*mingbai.Actor{e.cadre, e.super} {
			_, b, err := read(a, true)
			if err != nil || !bytes.Equal(b, orig) {
				t.Fatalf("original for %s: %v", a.Name, err)
			}
		}
		// The entry shows what was redacted, when and why.
		got, err := e.fin.Entry(ctx, e.public, c, en.ID)
		if err != nil || len(got.Attachments) != 1 || !got.Attachments[0].Redacted() || got.Attachments[0].Redactions[1].Reason != "遮盖电话" || got.Attachments[0].Redactions[0].Boxes[0] != box[0] {
			t.Fatalf("entry attachments %+v %v", got, err)
		}
		// The log still holds the original's hash: fsck-style content check.
		if !strings.Contains(string(mustContent(t, e, en)), at.SHA256) {
			t.Fatal("entry content lost the original receipt's hash")
		}
	})
}

func mustContent(t *testing.T, e *env, en *finance.Entry) []byte {
	t.Helper()
	got, err := e.fin.Entry(context.Background(), e.public, en.Community, en.ID)
	if err != nil || got.LeafIndex == nil {
		t.Fatalf("entry %v %v", got, err)
	}
	b, err := contentOf(t, e, *got.LeafIndex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
