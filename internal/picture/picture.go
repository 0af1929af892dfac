// Package picture is the one way Mingbai decodes an uploaded picture
// (question photos, finance receipts, disclosure attachments).
//
// A picture file is small but its decoded pixels are not: a uniform
// 7000×7000 PNG is 143 KB on the wire and 196 MB in memory, so six of them
// in one anonymous question took 2 s of CPU, and 40 such requests drove
// the server to 6.7 GB. Every decode therefore reads the dimensions from
// the header first and refuses a picture above MaxPixels or above the
// memory one decode may take, and then waits for a share of a process-wide
// budget: at most runtime.NumCPU() decodes run at once, holding at most
// MaxDecodeBytes of pixels between them.
package picture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // the formats residents and cadres upload
	_ "image/jpeg"
	_ "image/png"
	"io"
	"runtime"
	"sync"
)

const (
	// MaxPixels is the largest picture decoded: 40 megapixels is more
	// than any phone camera takes.
	MaxPixels = 40_000_000
	// MaxDecodeBytes is the memory all decodes in flight may hold
	// together, and so the most one decode may need: a 40-megapixel
	// 8-bit picture (160 MB), but not a 16-bit one of that size.
	MaxDecodeBytes = 160 << 20
)

var (
	// ErrTooLarge: the header claims more pixels or memory than allowed.
	ErrTooLarge = errors.New("picture too large to decode")
	// ErrUnreadable: not a picture of a known format, or a broken one.
	ErrUnreadable = errors.New("picture unreadable")
)

// Config reads the format and dimensions from the header of r, decoding
// no pixels, and refuses a picture Decode would refuse for its size.
func Config(r io.Reader) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return cfg, format, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	if _, err := decodedSize(cfg); err != nil {
		return cfg, format, err
	}
	return cfg, format, nil
}

// Decode decodes the picture r holds after checking its header, waiting
// for a share of the decode budget; ctx ending while it waits ends the
// wait.
func Decode(ctx context.Context, r io.ReadSeeker) (image.Image, string, error) {
	cfg, _, err := Config(r)
	if err != nil {
		return nil, "", err
	}
	size, _ := decodedSize(cfg)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, "", fmt.Errorf("rewind picture: %w", err)
	}
	if err := budget.acquire(ctx, size); err != nil {
		return nil, "", err
	}
	defer budget.release(size)
	img, format, err := image.Decode(r)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	// The header is what was checked; a decoder that produced something
	// else would have escaped the budget.
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, "", fmt.Errorf("%w: header says %d×%d, pixels are %d×%d", ErrUnreadable, cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	return img, format, nil
}

// decodedSize is the memory the decoded pixels of cfg take, or
// ErrTooLarge.
func decodedSize(cfg image.Config) (int64, error) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	if w <= 0 || h <= 0 {
		return 0, fmt.Errorf("%w: %d×%d pixels", ErrUnreadable, w, h)
	}
	if w > MaxPixels || h > MaxPixels || w*h > MaxPixels {
		return 0, fmt.Errorf("%w: %d×%d pixels, more than %d", ErrTooLarge, w, h, MaxPixels)
	}
	size := w * h * bytesPerPixel(cfg.ColorModel)
	if size > MaxDecodeBytes {
		return 0, fmt.Errorf("%w: %d×%d pixels need %d MB", ErrTooLarge, w, h, size>>20)
	}
	return size, nil
}

// bytesPerPixel is what the standard decoders allocate per pixel for a
// color model, rounded up; an unknown model counts as the widest.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// gate bounds the decodes in flight by number and by memory. Bytes are
// counted in MiB units on a buffered channel; one acquirer at a time
// gathers its units (mu), so two large decodes never each hold half the
// budget and wait for the other.
type gate struct {
	slots chan struct{}
	mu    sync.Mutex
	units chan struct{}
}

const unit = 1 << 20

var budget = newGate(runtime.NumCPU(), MaxDecodeBytes/unit)

func newGate(slots, units int) *gate {
	return &gate{slots: make(chan struct{}, slots), units: make(chan struct{}, units)}
}

func unitsOf(size int64) int { return int((size + unit - 1) / unit) }

func (g *gate) acquire(ctx context.Context, size int64) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	n := unitsOf(size)
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := 0; i < n; i++ {
		select {
		case g.units <- struct{}{}:
		case <-ctx.Done():
			g.releaseUnits(i)
			<-g.slots
			return ctx.Err()
		}
	}
	return nil
}

func (g *gate) release(size int64) {
	g.releaseUnits(unitsOf(size))
	<-g.slots
}

func (g *gate) releaseUnits(n int) {
	for range n {
		<-g.units
	}
}
