package finance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/blob"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// MaxAttachmentSize is the largest receipt file accepted: a phone photo or
// a scanned page.
const MaxAttachmentSize = 10 << 20

// NewFileStore returns the store of receipt files under
// dataDir/attachments (package blob). Uploads cut short before the store
// kept its temporary files in tmp/ left theirs as upload-*.
func NewFileStore(dataDir string) *blob.Store {
	return blob.New(filepath.Join(dataDir, "attachments"), "upload-*")
}

// checkReceipt refuses a receipt file that is empty, too large or not a
// picture or PDF, and returns its sniffed type.
func checkReceipt(size int64, head []byte) (string, error) {
	if size > MaxAttachmentSize {
		return "", mingbai.FieldError("file", "文件太大，最大 %d MB。", MaxAttachmentSize>>20)
	}
	if size == 0 {
		return "", mingbai.FieldError("file", "请选择要上传的文件。")
	}
	mime := http.DetectContentType(head)
	if i := strings.Index(mime, ";"); i > 0 {
		mime = mime[:i]
	}
	if !allowedMIME[mime] {
		return "", mingbai.FieldError("file", "只能上传 JPG、PNG、WebP 图片或 PDF 文件。")
	}
	return mime, nil
}

// Attachment is a receipt of an entry. Public only once Cleared: a cadre
// has checked it shows no personal data (ID numbers, phones, addresses).
type Attachment struct {
	ID        int64
	EntryID   int64
	SHA256    string
	Name      string
	MIME      string
	Size      int64
	Cleared   bool
	ClearedAt *time.Time
	// Redactions, oldest first; the newest is what the public sees.
	Redactions []Redaction
	// Served is the SHA-256 of the file OpenAttachmentVersion opened: the
	// original or the newest redaction.
	Served string
}

// Redacted reports whether the receipt has been redacted.
func (a Attachment) Redacted() bool { return len(a.Redactions) > 0 }

// IsImage reports whether the receipt is a picture.
func (a Attachment) IsImage() bool { return strings.HasPrefix(a.MIME, "image/") }

// allowedMIME are the receipt types accepted, by sniffed content.
var allowedMIME = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}

// Attach stores a receipt for an entry of the community. The entry's
// period must not be published yet: what was published is fixed.
func (s *Service) Attach(ctx context.Context, a *mingbai.Actor, communityID, entryID int64, name string, r io.Reader) (*Attachment, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	name = zh.FileName(name, "票据", 80)
	var mime string
	sum, size, _, err := s.files.Put(r, MaxAttachmentSize, func(size int64, head []byte) (err error) {
		mime, err = checkReceipt(size, head)
		return err
	})
	if err != nil {
		return nil, err
	}
	at := &Attachment{EntryID: entryID, SHA256: sum, Name: name, MIME: mime, Size: size}
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		e, err := entryTx(ctx, tx, c.ID, entryID)
		if err != nil {
			return err
		}
		if pub, err := publishedTx(ctx, tx, c.ID, e.Period); err != nil {
			return err
		} else if pub {
			return mingbai.Errorf(mingbai.ECONFLICT, "这笔账所在月份已经公开，不能再添加附件。")
		}
		at.ID, err = tx.InsertID(ctx, `INSERT INTO fin_attachments (community_id, entry_id, sha256, name, mime, size, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, entryID, sum, name, mime, size, a.UserID, s.now())
		if store.IsUniqueViolation(err) {
			return mingbai.FieldError("file", "这个文件已经上传过了。")
		}
		if err != nil {
			return fmt.Errorf("add attachment: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return at, nil
}

// ClearAttachment marks a receipt free of personal data, which makes it
// public once its entry's period is published.
func (s *Service) ClearAttachment(ctx context.Context, a *mingbai.Actor, communityID, attachmentID int64) error {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return err
	}
	return s.writeTo(ctx, c, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE fin_attachments SET cleared = 1, cleared_by = ?, cleared_at = ? WHERE id = ? AND community_id = ? AND cleared = 0",
			a.UserID, s.now(), attachmentID, c.ID)
		if err != nil {
			return fmt.Errorf("clear attachment %d: %w", attachmentID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该附件，或它已经标记过。")
		}
		return nil
	})
}

func attachmentsTx(ctx context.Context, tx *store.Tx, communityID int64, entryIDs []int64, clearedOnly bool) ([]Attachment, error) {
	if len(entryIDs) == 0 {
		return nil, nil
	}
	var out []Attachment
	// Chunks keep the IN list within both databases' parameter limits.
	for start := 0; start < len(entryIDs); start += 500 {
		chunk := entryIDs[start:min(start+500, len(entryIDs))]
		q := "SELECT id, entry_id, sha256, name, mime, size, cleared, cleared_at FROM fin_attachments WHERE community_id = ? AND entry_id IN (?" +
			strings.Repeat(", ?", len(chunk)-1) + ")"
		if clearedOnly {
			q += " AND cleared = 1"
		}
		q += " ORDER BY id"
		args := []any{communityID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read attachments: %w", err)
		}
		for rows.Next() {
			var at Attachment
			var cleared int
			var clearedAt *time.Time
			if err := rows.Scan(&at.ID, &at.EntryID, &at.SHA256, &at.Name, &at.MIME, &at.Size, &cleared, &clearedAt); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read attachments: %w", err)
			}
			at.Cleared, at.ClearedAt = cleared != 0, clearedAt
			out = append(out, at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read attachments: %w", err)
		}
	}
	for start := 0; start < len(out); start += 500 {
		if err := redactionsTx(ctx, tx, communityID, out[start:min(start+500, len(out))]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OpenAttachmentVersion opens a receipt for download: for the public only
// a cleared receipt of a published entry, and a redacted receipt as its
// newest redaction. With original it opens the file as uploaded even when
// it was redacted: only the community's cadres and supervisors may.
func (s *Service) OpenAttachmentVersion(ctx context.Context, a *mingbai.Actor, communityID, attachmentID int64, original bool) (*Attachment, *os.File, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, nil, err
	}
	if original && !acc.Post && !acc.Review {
		return nil, nil, mingbai.Errorf(mingbai.EFORBIDDEN, "遮盖前的票据原件只有本社区干部和居务监督委员会成员可以查看。")
	}
	var at Attachment
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var entryID int64
		err := tx.QueryRow(ctx, "SELECT entry_id FROM fin_attachments WHERE id = ? AND community_id = ?", attachmentID, c.ID).Scan(&entryID)
		if err != nil {
			return errNotVisible
		}
		atts, err := attachmentsTx(ctx, tx, c.ID, []int64{entryID}, !acc.SeesUnpublished())
		if err != nil {
			return err
		}
		found := false
		for _, x := range atts {
			if x.ID == attachmentID {
				at, found = x, true
			}
		}
		if !found {
			return errNotVisible
		}
		if !acc.SeesUnpublished() {
			e, err := entryTx(ctx, tx, c.ID, entryID)
			if err != nil {
				return err
			}
			if pub, err := publishedTx(ctx, tx, c.ID, e.Period); err != nil || !pub {
				return errors.Join(err, errNotVisible)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	f, err := s.openVersion(&at, original)
	if err != nil {
		return nil, nil, err
	}
	return &at, f, nil
}
