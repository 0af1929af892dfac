package finance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // receipts are phone photos
	"image/png"
	"os"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/picture"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Receipt redaction. A receipt photo often shows what must not be public
// (an ID number, a phone number, a signature). A cadre blacks out
// rectangles of it; the server draws them, stores the result as a new
// content-addressed PNG (which also drops the photo's metadata) and from
// then on serves that version to everyone but the community's cadres and
// supervisors, who can still open the original. Each redaction draws on
// the previous one, so boxes add up, and each is recorded with its boxes,
// reason, author and time, and logged as a leaf of its own
// (KindReceiptMask, redact_log.go). The entry's log leaf keeps the
// original's hash: redaction changes what is shown, never what was
// attested.

// Rect is a rectangle in pixels of the original image, from its top-left
// corner.
type Rect struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Redaction is one redaction of a receipt image.
type Redaction struct {
	ID     int64
	Boxes  []Rect
	Reason string
	SHA256 string // the redacted file
	MIME   string
	Size   int64
	ByName string
	At     time.Time
}

// Limits of a redaction request and of the images it decodes.
const (
	MaxRedactBoxes = 20
)

// RedactAttachment blacks out boxes on a receipt image of the community.
func (s *Service) RedactAttachment(ctx context.Context, a *mingbai.Actor, communityID, attachmentID int64, boxes []Rect, reason string) (*Redaction, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if reason, err = (zh.Text{Field: "reason", Label: "遮盖原因", Min: 1, Max: 200, Multiline: true}).Clean(reason); err != nil {
		return nil, err
	}
	if len(boxes) == 0 {
		return nil, mingbai.FieldError("boxes", "请至少填写一个要遮盖的区域（左边距、上边距、宽、高）。")
	}
	if len(boxes) > MaxRedactBoxes {
		return nil, mingbai.FieldError("boxes", "一次最多遮盖 %d 个区域。", MaxRedactBoxes)
	}
	for i, b := range boxes {
		if b.X < 0 || b.Y < 0 || b.W <= 0 || b.H <= 0 {
			return nil, mingbai.FieldError("boxes", "第 %d 个区域不对：左边距、上边距不能是负数，宽和高要大于零。", i+1)
		}
	}
	var at Attachment
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		found, err := attachmentTx(ctx, tx, c.ID, attachmentID)
		at = found
		return err
	}); err != nil {
		return nil, err
	}
	src := at.SHA256
	if n := len(at.Redactions); n > 0 {
		src = at.Redactions[n-1].SHA256
	}
	if at.MIME != "image/jpeg" && at.MIME != "image/png" {
		return nil, mingbai.FieldError("boxes", "只能在线遮盖 JPG 或 PNG 图片；其他格式请处理后重新上传。")
	}
	f, err := s.files.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := picture.Decode(ctx, f)
	if errors.Is(err, picture.ErrTooLarge) {
		return nil, mingbai.FieldError("boxes", "图片太大（超过 %d 万像素），不能在线遮盖。", picture.MaxPixels/10_000)
	}
	if errors.Is(err, picture.ErrUnreadable) {
		return nil, mingbai.FieldError("boxes", "这张图片无法读取，不能在线遮盖。")
	}
	if err != nil {
		return nil, fmt.Errorf("decode receipt %d: %w", at.ID, err)
	}
	bounds := img.Bounds()
	for i, b := range boxes {
		if b.X >= bounds.Dx() || b.Y >= bounds.Dy() {
			return nil, mingbai.FieldError("boxes", "第 %d 个区域在图片外面：图片只有 %d×%d 像素。", i+1, bounds.Dx(), bounds.Dy())
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, bounds.Dx(), bounds.Dy()))
	draw.Draw(out, out.Bounds(), img, bounds.Min, draw.Src)
	for _, b := range boxes {
		r := image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H).Intersect(out.Bounds())
		draw.Draw(out, r, image.Black, image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("encode redacted receipt %d: %w", at.ID, err)
	}
	sum, size, _, err := s.files.Put(&buf, MaxAttachmentSize, func(size int64, head []byte) error {
		_, err := checkReceipt(size, head)
		return err
	})
	if err != nil {
		return nil, err
	}
	boxJSON, err := json.Marshal(boxes)
	if err != nil {
		return nil, fmt.Errorf("redaction boxes: %w", err)
	}
	rd := &Redaction{Boxes: boxes, Reason: reason, SHA256: sum, MIME: "image/png", Size: size, ByName: a.Name, At: s.now()}
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		// The receipt must still be the one read above: a redaction made
		// meanwhile would be drawn over, not lost, by the next one.
		var last int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM fin_redactions WHERE community_id = ? AND attachment_id = ?", c.ID, at.ID).Scan(&last); err != nil {
			return fmt.Errorf("redactions of %d: %w", at.ID, err)
		}
		if n := len(at.Redactions); (n == 0 && last != 0) || (n > 0 && last != at.Redactions[n-1].ID) {
			return mingbai.Errorf(mingbai.ECONFLICT, "这张票据刚被别人遮盖过，请刷新后再操作。")
		}
		rd.ID, err = tx.InsertID(ctx, `INSERT INTO fin_redactions (community_id, attachment_id, boxes, reason, sha256, mime, size, redacted_by, redacted_by_name, redacted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, at.ID, string(boxJSON), reason, sum, rd.MIME, size, a.UserID, a.Name, rd.At)
		if err != nil {
			return fmt.Errorf("record redaction of %d: %w", at.ID, err)
		}
		return s.logReceiptMask(ctx, tx, c.ID, rd.ID)
	})
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// attachmentTx reads one attachment of the community with its redactions.
func attachmentTx(ctx context.Context, tx *store.Tx, communityID, attachmentID int64) (Attachment, error) {
	var entryID int64
	if err := tx.QueryRow(ctx, "SELECT entry_id FROM fin_attachments WHERE id = ? AND community_id = ?", attachmentID, communityID).Scan(&entryID); err != nil {
		return Attachment{}, errNotVisible
	}
	atts, err := attachmentsTx(ctx, tx, communityID, []int64{entryID}, false)
	if err != nil {
		return Attachment{}, err
	}
	for _, x := range atts {
		if x.ID == attachmentID {
			return x, nil
		}
	}
	return Attachment{}, errNotVisible
}

// redactionsTx fills in the redactions of atts, oldest first.
func redactionsTx(ctx context.Context, tx *store.Tx, communityID int64, atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := []any{communityID}
	for i, at := range atts {
		idx[at.ID] = i
		args = append(args, at.ID)
	}
	rows, err := tx.Query(ctx, `SELECT id, attachment_id, boxes, reason, sha256, mime, size, redacted_by_name, redacted_at FROM fin_redactions
		WHERE community_id = ? AND attachment_id IN (?`+strings.Repeat(", ?", len(atts)-1)+") ORDER BY id", args...)
	if err != nil {
		return fmt.Errorf("read redactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rd Redaction
		var attID int64
		var boxes string
		if err := rows.Scan(&rd.ID, &attID, &boxes, &rd.Reason, &rd.SHA256, &rd.MIME, &rd.Size, &rd.ByName, &rd.At); err != nil {
			return fmt.Errorf("read redactions: %w", err)
		}
		if err := json.Unmarshal([]byte(boxes), &rd.Boxes); err != nil {
			return fmt.Errorf("redaction %d boxes: %w", rd.ID, err)
		}
		i := idx[attID]
		atts[i].Redactions = append(atts[i].Redactions, rd)
	}
	return rows.Err()
}

// openVersion opens the file to serve for a receipt: the newest redaction
// unless the original is asked for.
func (s *Service) openVersion(at *Attachment, original bool) (*os.File, error) {
	if n := len(at.Redactions); n > 0 && !original {
		last := at.Redactions[n-1]
		at.MIME, at.Size = last.MIME, last.Size
		at.Served = last.SHA256
		return s.files.Open(last.SHA256)
	}
	at.Served = at.SHA256
	return s.files.Open(at.SHA256)
}
