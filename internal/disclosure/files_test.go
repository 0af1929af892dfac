package disclosure_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/disclosure"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1000, 600))
	for y := 0; y < 600; y++ {
		for x := 0; x < 1000; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestFileStore(t *testing.T) {
	fs := disclosure.NewFileStore(t.TempDir())
	p := pngBytes(t)
	a, err := fs.Put(bytes.NewReader(p), "C:\\照片\\收据.png")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "收据.png" || a.SHA256 != hexSum(p) || a.Size != int64(len(p)) || !a.IsImage() {
		t.Errorf("put: %+v", a)
	}
	// Same bytes, same file.
	b, err := fs.Put(bytes.NewReader(p), "again.png")
	if err != nil || b.SHA256 != a.SHA256 {
		t.Errorf("second put: %+v %v", b, err)
	}
	th, err := fs.OpenThumb(a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(th)
	th.Close()
	if err != nil || format != "jpeg" || cfg.Width != 480 || cfg.Height != 288 {
		t.Errorf("thumbnail %s %dx%d: %v", format, cfg.Width, cfg.Height, err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	if a, err := fs.Put(bytes.NewReader(pdf), "通知.pdf"); err != nil || a.ContentType != "application/pdf" || a.IsImage() {
		t.Errorf("pdf: %+v %v", a, err)
	}
	// A script renamed .png is refused by its sniffed type.
	if _, err := fs.Put(strings.NewReader("<html><script>alert(1)</script>"), "x.png"); mingbai.ErrorField(err) != "file" {
		t.Errorf("html as png: %v", err)
	}
	if _, err := fs.Put(strings.NewReader(""), "empty.pdf"); mingbai.ErrorField(err) != "file" {
		t.Errorf("empty: %v", err)
	}
	big := io.MultiReader(bytes.NewReader(pdf), io.LimitReader(zeros{}, disclosure.MaxFileSize))
	if _, err := fs.Put(big, "big.pdf"); mingbai.ErrorField(err) != "file" {
		t.Errorf("over 20 MB: %v", err)
	}
	if _, err := fs.Open("../../etc/passwd"); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
		t.Errorf("bad hash: %v", err)
	}
	if err := fs.Remove(a.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Open(a.SHA256); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
		t.Errorf("removed file opens: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
