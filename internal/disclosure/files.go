package disclosure

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/blob"
	"mingbai/internal/picture"
	"mingbai/internal/zh"
)

// MaxFileSize is the largest attachment: 20 MB.
const MaxFileSize = 20 << 20

// thumbWidth is the width of thumbnails, enough for a phone's list.
const thumbWidth = 480

// allowedTypes are the sniffed content types an attachment may have.
var allowedTypes = map[string]string{
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/gif":       ".gif",
	"image/webp":      ".webp",
	"application/pdf": ".pdf",
}

// FileStore keeps attachments in the data directory by the SHA-256 of
// their bytes (package blob), with a thumbnail beside each picture.
type FileStore struct {
	blobs *blob.Store
	dir   string
}

// NewFileStore returns the store under dataDir/files.
func NewFileStore(dataDir string) *FileStore {
	dir := filepath.Join(dataDir, "files")
	return &FileStore{blobs: blob.New(dir), dir: dir}
}

func (fs *FileStore) thumbPath(sum string) string {
	return filepath.Join(fs.dir, "thumbs", sum[:2], sum+".jpg")
}

// Put stores the bytes of r under their hash, refusing anything larger
// than MaxFileSize or whose sniffed type is not a picture or a PDF. name is
// the file's name as the uploader had it.
func (fs *FileStore) Put(r io.Reader, name string) (Attachment, error) {
	var ctype string
	sum, n, _, err := fs.blobs.Put(r, MaxFileSize, func(size int64, head []byte) (err error) {
		ctype, err = CheckFile(size, head)
		return err
	})
	if err != nil {
		return Attachment{}, err
	}
	if strings.HasPrefix(ctype, "image/") {
		// A picture that cannot be decoded still stores; it just has no
		// thumbnail and is shown full size.
		_ = fs.makeThumb(sum)
	}
	return Attachment{SHA256: sum, Name: cleanFileName(name), ContentType: ctype, Size: n}, nil
}

// CheckFile checks a file of size bytes that begins with head (its first
// 512 bytes, or all of a shorter file) and returns its sniffed content
// type: what Put would refuse, refused without storing anything.
func CheckFile(size int64, head []byte) (string, error) {
	if size > MaxFileSize {
		return "", mingbai.FieldError("file", "附件不能超过 20 MB，请压缩后再上传。")
	}
	if size == 0 {
		return "", mingbai.FieldError("file", "附件是空的，请重新选择文件。")
	}
	ctype := http.DetectContentType(head)
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	if _, ok := allowedTypes[ctype]; !ok {
		return "", mingbai.FieldError("file", "只能上传图片（JPG、PNG、GIF、WebP）或 PDF 文件。")
	}
	return ctype, nil
}

// Open opens the stored file with hash sum.
func (fs *FileStore) Open(sum string) (*os.File, error) { return fs.blobs.Open(sum) }

// OpenThumb opens the thumbnail of picture sum.
func (fs *FileStore) OpenThumb(sum string) (*os.File, error) {
	if !blob.ValidSum(sum) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该附件。")
	}
	f, err := os.Open(fs.thumbPath(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "该附件没有缩略图。")
	}
	return f, err
}

// Remove deletes the files and their thumbnails (redaction of personal
// data, uploads nothing shows); a file already gone is no error.
func (fs *FileStore) Remove(sums ...string) error {
	errs := []error{fs.blobs.Remove(sums...)}
	for _, sum := range sums {
		if !blob.ValidSum(sum) {
			continue
		}
		if err := os.Remove(fs.thumbPath(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (fs *FileStore) makeThumb(sum string) error {
	f, err := fs.blobs.Open(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	// Put takes no context; a thumbnail waits its turn to decode like any
	// other picture, and a picture too large to decode gets none.
	src, _, err := picture.Decode(context.Background(), f)
	if err != nil {
		return err
	}
	dst := shrink(src, thumbWidth)
	p := fs.thumbPath(sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	out, err := os.CreateTemp(filepath.Dir(p), "thumb-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	if err := jpeg.Encode(out, dst, &jpeg.Options{Quality: 80}); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), p)
}

// shrink scales src down to width w (never up) by averaging boxes of
// source pixels, which is sharp enough for a thumbnail.
func shrink(src image.Image, w int) image.Image {
	b := src.Bounds()
	if b.Dx() <= w {
		w = b.Dx()
	}
	h := b.Dy() * w / b.Dx()
	if h < 1 {
		h = 1
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := b.Min.Y+y*b.Dy()/h, b.Min.Y+(y+1)*b.Dy()/h
		if y1 <= y0 {
			y1 = y0 + 1
		}
		for x := 0; x < w; x++ {
			x0, x1 := b.Min.X+x*b.Dx()/w, b.Min.X+(x+1)*b.Dx()/w
			if x1 <= x0 {
				x1 = x0 + 1
			}
			var r, g, bl, a, n uint64
			// Sample at most 4×4 points of the box to stay quick on big photos.
			sy := max(1, (y1-y0)/4)
			sx := max(1, (x1-x0)/4)
			for yy := y0; yy < y1; yy += sy {
				for xx := x0; xx < x1; xx += sx {
					cr, cg, cb, ca := src.At(xx, yy).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			dst.Set(x, y, color.RGBA64{uint16(r / n), uint16(g / n), uint16(bl / n), uint16(a / n)})
		}
	}
	return dst
}

// cleanFileName is an attachment's name as the board shows it.
func cleanFileName(name string) string { return zh.FileName(name, "附件", 100) }

// RemoveStaleTemps removes the temporary files that uploads and thumbnails
// leave when the process dies before renaming them into place, if they were
// last written before before (a day ago is safe: another process sharing
// the directory may be writing a fresh one). Stored files are never
// touched. It returns how many it removed.
func (fs *FileStore) RemoveStaleTemps(before time.Time) (int, error) {
	n, err := fs.blobs.RemoveStaleTemps(before)
	if err != nil {
		return n, err
	}
	// Thumbnails are written beside their place under thumbs/ (and were,
	// once, beside the files).
	m, err := blob.SweepTemps(fs.dir, before, "thumbs/*/thumb-*", "*/thumb-*")
	return n + m, err
}
