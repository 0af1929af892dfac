package picture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"runtime"
	"testing"
	"time"
)

func encode(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// claiming is a PNG whose header claims w×h pixels of m's kind: all a
// decoder reads before it allocates them. (The whole 7000×7000 bomb is in
// cmd/mingbai's TestDecompressionBombRSS; encoding it here would make
// this test slow under -race for nothing the header does not show.)
func claiming(t *testing.T, m image.Image, w, h int) []byte {
	t.Helper()
	b := encode(t, m)
	// Signature (8), IHDR length (4) and type (4), then width and height;
	// the CRC covers type and the 13 bytes of data.
	binary.BigEndian.PutUint32(b[16:], uint32(w))
	binary.BigEndian.PutUint32(b[20:], uint32(h))
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestDecodeRefusesBombFromHeader: a PNG claiming 7000×7000 8-bit RGB
// pixels (49 megapixels, 196 MB decoded) is refused from its header,
// allocating next to nothing.
func TestDecodeRefusesBombFromHeader(t *testing.T) {
	opaque := image.NewRGBA(image.Rect(0, 0, 1, 1))
	opaque.Pix[3] = 0xff
	bomb := claiming(t, opaque, 7000, 7000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Decode(context.Background(), bytes.NewReader(bomb))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Decode of a 7000×7000 PNG: %v, want ErrTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("refusing the bomb allocated %d KB, want under 4 MB", n>>10)
	}
	if _, _, err := Config(bytes.NewReader(bomb)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Config of the bomb: %v, want ErrTooLarge", err)
	}
}

func TestDecode(t *testing.T) {
	small := encode(t, image.NewGray(image.Rect(0, 0, 30, 20)))
	img, format, err := Decode(context.Background(), bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || img.Bounds().Dx() != 30 || img.Bounds().Dy() != 20 {
		t.Errorf("decoded %s %v, want png 30×20", format, img.Bounds())
	}
	// A 16-bit picture within the pixel budget but not the memory one.
	wide := claiming(t, image.NewNRGBA64(image.Rect(0, 0, 1, 1)), 6000, 4000)
	if _, _, err := Config(bytes.NewReader(wide)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Config of a 24-megapixel 16-bit PNG (192 MB decoded): %v, want ErrTooLarge", err)
	}
	for name, data := range map[string][]byte{"truncated": small[:len(small)-20], "not a picture": []byte("%PDF-1.4 hello"), "empty": nil} {
		if _, _, err := Decode(context.Background(), bytes.NewReader(data)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: %v, want ErrUnreadable", name, err)
		}
	}
}

// TestGate: decodes beyond the number of slots, or beyond the memory
// budget, wait until one in flight ends, or until their context ends.
func TestGate(t *testing.T) {
	g := newGate(2, 10)
	ctx := context.Background()
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	if err := g.acquire(ctx, 6*unit); err != nil {
		t.Fatal(err)
	}
	// 6 + 5 MiB is over the budget of 10 even though a slot is free.
	if err := g.acquire(short(), 5*unit); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire past the memory budget: %v, want to wait until the deadline", err)
	}
	// The refused acquire gave back the units it had gathered.
	if err := g.acquire(ctx, 4*unit); err != nil {
		t.Fatal(err)
	}
	// Both slots are taken now.
	if err := g.acquire(short(), 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire past the slots: %v, want to wait until the deadline", err)
	}
	done := make(chan error)
	go func() { done <- g.acquire(ctx, 5*unit) }()
	g.release(6 * unit)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting acquire did not go on when a decode ended")
	}
	g.release(4 * unit)
	g.release(5 * unit)
	if len(g.slots) != 0 || len(g.units) != 0 {
		t.Errorf("after all releases: %d slots, %d units held, want none", len(g.slots), len(g.units))
	}
}
