package qa

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"time"

	"mingbai"
	"mingbai/internal/picture"
	"mingbai/internal/store"
)

// Photo limits.
const (
	MaxPhotos     = 6
	MaxPhotoBytes = 5 << 20
	// photoWait is how long a submission's photos may wait to be decoded.
	photoWait = 10 * time.Second
)

type photo struct {
	mime string
	data []byte
}

// checkPhotos sniffs each photo's type from its bytes (never the name the
// browser sent) and decodes it whole, so a broken or disguised file is
// refused with a message and nothing is stored. Every photo's header is
// read before any is decoded, so a picture too large to decode (a
// decompression bomb) costs nothing but reading its header.
func checkPhotos(ctx context.Context, in [][]byte) ([]photo, error) {
	if len(in) > MaxPhotos {
		return nil, mingbai.FieldError("photos", "最多上传 %d 张照片，现在是 %d 张", MaxPhotos, len(in))
	}
	broken := func(n int) error {
		return mingbai.FieldError("photos", "第 %d 张照片已损坏，无法打开，请换一张", n)
	}
	out := make([]photo, 0, len(in))
	for i, data := range in {
		n := i + 1
		if len(data) == 0 {
			return nil, mingbai.FieldError("photos", "第 %d 张照片是空文件", n)
		}
		if len(data) > MaxPhotoBytes {
			return nil, mingbai.FieldError("photos", "第 %d 张照片太大（%.1f MB），每张不能超过 %d MB", n, float64(len(data))/(1<<20), MaxPhotoBytes>>20)
		}
		mime := http.DetectContentType(data)
		switch mime {
		case "image/jpeg", "image/png", "image/gif":
		default:
			return nil, mingbai.FieldError("photos", "第 %d 张不是照片：只能上传 JPG、PNG 或 GIF 格式的图片", n)
		}
		if _, _, err := picture.Config(bytes.NewReader(data)); err != nil {
			if errors.Is(err, picture.ErrTooLarge) {
				return nil, mingbai.FieldError("photos", "第 %d 张照片的尺寸太大（超过 %d 万像素），请缩小后再上传", n, picture.MaxPixels/10_000)
			}
			return nil, broken(n)
		}
		out = append(out, photo{mime: mime, data: data})
	}
	// Under a flood of large pictures a decode may wait for its turn; the
	// resident is told to come back rather than kept waiting.
	ctx, cancel := context.WithTimeout(ctx, photoWait)
	defer cancel()
	for i, p := range out {
		if _, _, err := picture.Decode(ctx, bytes.NewReader(p.data)); err != nil {
			if ctx.Err() != nil {
				return nil, mingbai.Errorf(mingbai.EUNAVAILABLE, "现在提交照片的人很多，请过几分钟再提交。")
			}
			return nil, broken(i + 1)
		}
	}
	return out, nil
}

// Photo is one stored photo.
type Photo struct {
	MIME string
	Data []byte
}

func photoTx(ctx context.Context, tx *store.Tx, communityID, itemID int64, n int) (*Photo, error) {
	// A number out of range is not a photo; PostgreSQL would refuse one
	// beyond its integer column with an error instead of "no rows".
	if n < 1 || n > MaxPhotos {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到这张照片。")
	}
	var p Photo
	err := tx.QueryRow(ctx, "SELECT mime, data FROM qa_photos WHERE community_id = ? AND item_id = ? AND position = ?", communityID, itemID, n).Scan(&p.MIME, &p.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到这张照片。")
	}
	if err != nil {
		return nil, fmt.Errorf("load photo: %w", err)
	}
	return &p, nil
}

// PhotoForCadre returns photo n of an item to a cadre of its community or
// whoever handles a referral of it. Photos may show faces and doors, so
// public pages do not show them.
func (s *Service) PhotoForCadre(ctx context.Context, a *mingbai.Actor, communityID, itemID int64, n int) (*Photo, error) {
	var p *Photo
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := itemTx(ctx, tx, communityID, itemID)
		if err != nil {
			return err
		}
		if !canHandle(a, it) {
			return errItemNotFound
		}
		p, err = photoTx(ctx, tx, communityID, itemID, n)
		return err
	})
	return p, err
}

// PhotoByCode returns photo n of the item with tracking code code.
func (s *Service) PhotoByCode(ctx context.Context, code string, n int) (*Photo, error) {
	var p *Photo
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := itemByCodeTx(ctx, tx, code)
		if err != nil {
			return err
		}
		p, err = photoTx(ctx, tx, it.CommunityID, it.ID, n)
		return err
	})
	return p, err
}

// SampleJPEG is a small valid JPEG, for tests in other packages.
func SampleJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}
