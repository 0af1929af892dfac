package finance

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// KindReceiptMask is the leaf of one receipt redaction: which receipt,
// the image it was drawn on, the boxes blacked out, the image served from
// then on, who, when and why. The served image is not in any entry's
// leaf (the entry keeps the original's hash), so without this leaf a
// quiet SQL edit could serve any picture as the "redacted" receipt.
// Unlike a text redaction, the original stays on disk for the cadres, so
// fsck checks the drawing itself: the served image equals the one it was
// drawn on outside the boxes and is black inside them (checkReceiptMasks).
const KindReceiptMask = "receipt_mask"

type receiptMaskContent struct {
	Kind       string `json:"kind"`
	Community  int64  `json:"community"`
	Entry      int64  `json:"entry"`
	Attachment int64  `json:"attachment"`
	Original   string `json:"original_sha256"` // the receipt as attached
	Source     string `json:"source_sha256"`   // the image the boxes were drawn on
	Boxes      []Rect `json:"boxes"`
	Redacted   string `json:"redacted_sha256"` // the image served from now on
	MIME       string `json:"mime"`
	Size       int64  `json:"size"`
	Reason     string `json:"reason"`
	ByName     string `json:"redacted_by_name"`
	At         string `json:"redacted_at"`
}

// receiptMaskTx rebuilds the content of redaction id from its rows.
func receiptMaskTx(ctx context.Context, tx *store.Tx, communityID, id int64) (*receiptMaskContent, error) {
	c := receiptMaskContent{Kind: KindReceiptMask, Community: communityID}
	var boxes string
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT r.attachment_id, a.entry_id, a.sha256, r.boxes, r.sha256, r.mime, r.size, r.reason, r.redacted_by_name, r.redacted_at,
			COALESCE((SELECT p.sha256 FROM fin_redactions p WHERE p.attachment_id = r.attachment_id AND p.community_id = r.community_id AND p.id < r.id ORDER BY p.id DESC LIMIT 1), a.sha256)
		FROM fin_redactions r JOIN fin_attachments a ON a.id = r.attachment_id AND a.community_id = r.community_id
		WHERE r.id = ? AND r.community_id = ?`, id, communityID).
		Scan(&c.Attachment, &c.Entry, &c.Original, &boxes, &c.Redacted, &c.MIME, &c.Size, &c.Reason, &c.ByName, &at, &c.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到第 %d 号遮盖记录。", id)
	}
	if err != nil {
		return nil, fmt.Errorf("receipt redaction %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(boxes), &c.Boxes); err != nil {
		return nil, fmt.Errorf("receipt redaction %d boxes: %w", id, err)
	}
	c.At = at.UTC().Format(tlog.TimeFormat)
	return &c, nil
}

// logReceiptMask appends the leaf of redaction id in tx.
func (s *Service) logReceiptMask(ctx context.Context, tx *store.Tx, communityID, id int64) error {
	c, err := receiptMaskTx(ctx, tx, communityID, id)
	if err != nil {
		return err
	}
	sum, err := tlog.ContentHash(c)
	if err != nil {
		return fmt.Errorf("hash receipt redaction %d: %w", id, err)
	}
	at, _ := time.Parse(tlog.TimeFormat, c.At)
	if _, err := s.log.Append(ctx, tx, tlog.Envelope{Kind: KindReceiptMask, Community: communityID, Object: strconv.FormatInt(id, 10), Version: 1, Time: at, ContentSHA256: sum}); err != nil {
		return fmt.Errorf("append receipt redaction leaf: %w", err)
	}
	return nil
}

// receiptMaskSource is the ContentSource of receipt redaction leaves.
func (s *Service) receiptMaskSource(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "记录编号不对。")
	}
	c, err := receiptMaskTx(ctx, tx, e.Community, id)
	if err != nil {
		return nil, err
	}
	return tlog.Canonical(c)
}

// checkReceiptMasks names every receipt redaction without its leaf, and
// every served image that is not its source with the boxes blacked out.
func (s *Service) checkReceiptMasks(ctx context.Context, tx *store.Tx, problem func(string, ...any)) error {
	rows, err := tx.Query(ctx, `SELECT r.id, r.community_id, (SELECT COUNT(*) FROM tlog_leaves l WHERE l.kind = ? AND l.object = CAST(r.id AS TEXT))
		FROM fin_redactions r ORDER BY r.id`, KindReceiptMask)
	if err != nil {
		return fmt.Errorf("read receipt redactions: %w", err)
	}
	type row struct{ id, community, leaves int64 }
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.community, &r.leaves); err != nil {
			rows.Close()
			return fmt.Errorf("read receipt redactions: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read receipt redactions: %w", err)
	}
	for _, r := range all {
		if r.leaves == 0 {
			problem("fin_redactions row %d: a receipt redaction without its %s leaf", r.id, KindReceiptMask)
			continue
		}
		c, err := receiptMaskTx(ctx, tx, r.community, r.id)
		if err != nil {
			problem("fin_redactions row %d: %v", r.id, err)
			continue
		}
		if msg := s.compareMasked(c); msg != "" {
			problem("fin_redactions row %d: %s", r.id, msg)
		}
	}
	return nil
}

// compareMasked checks that the served image is the source image with the
// boxes black, pixel by pixel.
func (s *Service) compareMasked(c *receiptMaskContent) string {
	decode := func(sum string) (image.Image, string) {
		f, err := s.files.Open(sum)
		if err != nil {
			return nil, fmt.Sprintf("image %s cannot be opened: %v", sum, err)
		}
		defer f.Close()
		img, _, err := image.Decode(f)
		if err != nil {
			return nil, fmt.Sprintf("image %s cannot be decoded: %v", sum, err)
		}
		return img, ""
	}
	src, msg := decode(c.Source)
	if msg != "" {
		return msg
	}
	out, msg := decode(c.Redacted)
	if msg != "" {
		return msg
	}
	sb, ob := src.Bounds(), out.Bounds()
	if sb.Dx() != ob.Dx() || sb.Dy() != ob.Dy() {
		return fmt.Sprintf("the served image is %d×%d, the one it was drawn on %d×%d", ob.Dx(), ob.Dy(), sb.Dx(), sb.Dy())
	}
	inBox := func(x, y int) bool {
		for _, b := range c.Boxes {
			if x >= b.X && x < b.X+b.W && y >= b.Y && y < b.Y+b.H {
				return true
			}
		}
		return false
	}
	for y := 0; y < sb.Dy(); y++ {
		for x := 0; x < sb.Dx(); x++ {
			got := color.RGBAModel.Convert(out.At(ob.Min.X+x, ob.Min.Y+y)).(color.RGBA)
			if inBox(x, y) {
				if got.R != 0 || got.G != 0 || got.B != 0 {
					return fmt.Sprintf("pixel (%d,%d) inside a box is not black", x, y)
				}
				continue
			}
			if want := color.RGBAModel.Convert(src.At(sb.Min.X+x, sb.Min.Y+y)).(color.RGBA); !near(got, want) {
				return fmt.Sprintf("pixel (%d,%d) outside the boxes differs from the image it was drawn on", x, y)
			}
		}
	}
	return ""
}

// near allows the rounding by which drawing a JPEG's YCbCr into RGBA and
// converting one pixel can differ; any real change is far larger.
func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= 2 && int(y)-int(x) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}
