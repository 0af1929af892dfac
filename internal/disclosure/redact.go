package disclosure

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// Redaction. Personal data published by mistake is masked, never
// rewritten: the cadre names the exact passages, the server replaces each
// of their characters with tlog.Mask and appends a redaction leaf (kind
// RedactionKind) that records who, when, why, the spans masked and the
// hash of the masked content. The version's own leaf keeps the original
// hash. fsck and `mingbai verify --content` check the masked content
// against the redaction leaf, so a redaction cannot insert text and a
// later SQL edit of the masked text shows (docs/log.md).

// RedactionKind is the kind of the leaves that record a redaction. The
// object is the disclosure; its "version" counts the disclosure's
// redactions, whichever version each masks.
const RedactionKind = "disclosure" + tlog.RedactionKindSuffix

// Limits of one redaction request.
const (
	maxMaskPassages = 20
	maxMaskPassage  = 200
)

// RedactInput removes personal data from a published version.
type RedactInput struct {
	// Mask lists passages of the version's title or body, exactly as they
	// read there; every occurrence of each is masked character by
	// character. Nothing else of the text changes.
	Mask []string
	What string // what was removed, in words (公开说明)
	Why  string // why (a mistake, a court order…)
	// DropFiles are the hashes of attachments to take down.
	DropFiles []string
}

// Redact masks passages of one published version and takes down the
// named attachments, and logs that as a redaction leaf in the same
// transaction. The version's leaf and content hash stay, so the log still
// shows that the original existed; the page says what was removed, when
// and why. District admins and whoever may publish the item may redact.
func (s *Service) Redact(ctx context.Context, a *mingbai.Actor, communityID, id int64, version int, in RedactInput) error {
	what, err := zh.Text{Field: "what", Label: "删除了什么", Min: 2, Max: 200}.Clean(in.What)
	if err != nil {
		return err
	}
	why, err := zh.Text{Field: "why", Label: "删除原因", Min: 4, Max: maxReason, Multiline: true}.Clean(in.Why)
	if err != nil {
		return err
	}
	var needles []string
	for _, m := range in.Mask {
		m = norm.NFC.String(strings.TrimSpace(strings.ReplaceAll(m, "\r\n", "\n")))
		if m == "" {
			continue
		}
		if n := utf8.RuneCountInString(m); n > maxMaskPassage {
			return mingbai.FieldError("mask", "每段要遮盖的文字不能超过 %d 个字，现在是 %d 个字。", maxMaskPassage, n)
		}
		needles = append(needles, m)
	}
	if len(needles) > maxMaskPassages {
		return mingbai.FieldError("mask", "一次最多遮盖 %d 段文字。", maxMaskPassages)
	}
	if s.log == nil {
		return mingbai.Errorf(mingbai.EUNAVAILABLE, "公开日志未启用，暂时不能删除个人信息。")
	}
	var orphans []string
	err = s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		orphans = nil
		head, err := loadDisclosure(ctx, tx, communityID, id)
		if err != nil {
			return err
		}
		// A lawful redaction comes down in an archived community too.
		c, err := org.LoadCommunity(ctx, tx, communityID, false)
		if err != nil {
			return err
		}
		it, err := itemForCommunity(ctx, tx, communityID, head.ItemID)
		if err != nil {
			return err
		}
		if !canPublish(a, c, it) && !a.IsDistrictAdmin(c.DistrictID) {
			return mingbai.Errorf(mingbai.EFORBIDDEN, "您的账号不能删除该事项中的个人信息。")
		}
		v, err := loadVersion(ctx, tx, communityID, id, version)
		if err != nil {
			return err
		}
		prev := &tlog.RedactionRecord{Fields: map[string]tlog.RedactedField{}, Files: []string{}}
		if v.RedactionLeaf != nil {
			if prev, err = loadRedaction(ctx, tx, communityID, "leaf_index = ?", *v.RedactionLeaf); err != nil {
				return err
			}
		}
		// Spans count code points of the NFC text, as canonical content
		// (and so every auditor) reads it.
		title, tf, foundT := tlog.MaskText(norm.NFC.String(v.Title), needles, prev.Fields["title"].Spans)
		body, bf, foundB := tlog.MaskText(norm.NFC.String(v.Body), needles, prev.Fields["body"].Spans)
		for _, n := range needles {
			if !foundT[n] && !foundB[n] {
				return mingbai.FieldError("mask", "“%s”不在第%d版的标题或正文中，请照原文一字不差地复制要遮盖的文字。", n, v.Version)
			}
		}
		if !norm.NFC.IsNormalString(title) || !norm.NFC.IsNormalString(body) {
			return mingbai.FieldError("mask", "遮盖的位置把一个字拆开了，请连同它的附加符号一起遮盖。")
		}
		files := slices.Clone(prev.Files)
		taken := map[string]bool{}
		for _, f := range v.Files {
			taken[f.SHA256] = f.Redacted
		}
		var drop []string
		for _, sum := range in.DropFiles {
			red, ok := taken[sum]
			if !ok {
				return mingbai.FieldError("files", "要撤下的附件不在第%d版中，请刷新页面后重试。", v.Version)
			}
			if !red && !slices.Contains(drop, sum) {
				drop = append(drop, sum)
				files = append(files, sum)
			}
		}
		slices.Sort(files)
		sameSpans := slices.Equal(tf.Spans, prev.Fields["title"].Spans) && slices.Equal(bf.Spans, prev.Fields["body"].Spans)
		if sameSpans && len(drop) == 0 {
			return mingbai.FieldError("mask", "没有要删除的内容：请填写要遮盖的原文文字，或选择要撤下的附件。")
		}
		// The masked content keeps the format the version was hashed in
		// (see contentMatching), which its shown text still matches.
		shown := v.ContentSHA256
		if v.RedactionLeaf != nil {
			shown = prev.RedactedSHA256
		}
		_, format, err := contentMatching(v, shown)
		if err != nil {
			return fmt.Errorf("version content: %w", err)
		}
		masked := *v
		masked.Title, masked.Body = title, body
		content, err := tlog.Canonical(contentOf(&masked, format))
		if err != nil {
			return fmt.Errorf("redacted content: %w", err)
		}
		var seq int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM disclosure_redactions WHERE disclosure_id = ? AND community_id = ?`, id, communityID).Scan(&seq); err != nil {
			return fmt.Errorf("count redactions: %w", err)
		}
		seq++
		now := s.clock()
		rec := &tlog.RedactionRecord{
			Kind: RedactionKind, Community: communityID, Redacts: v.LeafIndex, OriginalSHA256: v.ContentSHA256,
			Previous: v.RedactionLeaf, RedactedSHA256: tlog.ContentHash256(content), Mask: tlog.Mask,
			Fields: map[string]tlog.RedactedField{"title": tf, "body": bf}, Files: files,
			RedactedBy: a.UserID, ByName: a.Name, At: now.UTC().Format(tlog.TimeFormat), What: what, Why: why,
		}
		sum, err := tlog.ContentHash(rec)
		if err != nil {
			return fmt.Errorf("hash redaction: %w", err)
		}
		idx, err := s.log.Append(ctx, tx, tlog.Envelope{
			Kind: RedactionKind, Community: communityID, Object: strconv.FormatInt(id, 10), Version: seq, Time: now, ContentSHA256: sum,
		})
		if err != nil {
			return fmt.Errorf("append redaction leaf: %w", err)
		}
		fields, err := json.Marshal(rec.Fields)
		if err != nil {
			return fmt.Errorf("redaction fields: %w", err)
		}
		filesJSON, err := json.Marshal(rec.Files)
		if err != nil {
			return fmt.Errorf("redaction files: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO disclosure_redactions (community_id, disclosure_id, version, seq, leaf_index, redacts, previous, original_sha256, redacted_sha256, fields, files, redacted_by, redacted_by_name, redacted_at, what, why)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			communityID, id, v.Version, seq, idx, v.LeafIndex, v.RedactionLeaf, v.ContentSHA256, rec.RedactedSHA256, string(fields), string(filesJSON),
			a.UserID, a.Name, now, what, why); err != nil {
			return fmt.Errorf("record redaction: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE disclosure_versions SET title = ?, body = ?, redacted_at = ?, redacted_by = ?, redaction_what = ?, redaction_why = ?, redaction_leaf = ?
			WHERE id = ? AND community_id = ?`, title, body, now, a.UserID, what, why, idx, v.ID, communityID); err != nil {
			return fmt.Errorf("redact version: %w", err)
		}
		for _, sum := range drop {
			if _, err := tx.Exec(ctx, `UPDATE disclosure_version_files SET redacted = 1 WHERE version_id = ? AND community_id = ? AND sha256 = ?`, v.ID, communityID, sum); err != nil {
				return fmt.Errorf("redact file: %w", err)
			}
			live, err := fileUses(ctx, tx, sum)
			if err != nil {
				return err
			}
			if live == 0 {
				orphans = append(orphans, sum)
			}
		}
		if version == head.Version {
			if _, err := tx.Exec(ctx, `UPDATE disclosures SET title = ? WHERE id = ? AND community_id = ?`, title, id, communityID); err != nil {
				return fmt.Errorf("redact head: %w", err)
			}
			if !head.Withdrawn() {
				v.Title, v.Body = title, body
				if err := s.index(ctx, tx, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.files.Remove(orphans...); err != nil {
		return fmt.Errorf("remove redacted files: %w", err)
	}
	return nil
}

// loadRedaction reads one redaction record of the community.
func loadRedaction(ctx context.Context, tx *store.Tx, communityID int64, where string, args ...any) (*tlog.RedactionRecord, error) {
	var r tlog.RedactionRecord
	var fields, files string
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT redacts, previous, original_sha256, redacted_sha256, fields, files, redacted_by, redacted_by_name, redacted_at, what, why
		FROM disclosure_redactions WHERE community_id = ? AND `+where, append([]any{communityID}, args...)...).
		Scan(&r.Redacts, &r.Previous, &r.OriginalSHA256, &r.RedactedSHA256, &fields, &files, &r.RedactedBy, &r.ByName, &at, &r.What, &r.Why)
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该删除记录。")
	}
	if err != nil {
		return nil, fmt.Errorf("redaction record: %w", err)
	}
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return nil, fmt.Errorf("redaction record fields: %w", err)
	}
	if err := json.Unmarshal([]byte(files), &r.Files); err != nil {
		return nil, fmt.Errorf("redaction record files: %w", err)
	}
	r.Kind, r.Community, r.Mask, r.At = RedactionKind, communityID, tlog.Mask, at.UTC().Format(tlog.TimeFormat)
	return &r, nil
}

// redactionLeafContent is the log's ContentSource for redaction leaves:
// the record as stored.
func (s *Service) redactionLeafContent(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该删除记录。")
	}
	r, err := loadRedaction(ctx, tx, e.Community, "disclosure_id = ? AND seq = ?", id, e.Version)
	if err != nil {
		return nil, err
	}
	return tlog.Canonical(r)
}

// redactedContent is what leafContent answers for a redacted version: the
// masked content for fsck to check against the newest redaction leaf.
// The columns the page shows beside it (when, what, why, the attachments
// taken down) must agree with that leaf's record.
func (s *Service) redactedContent(ctx context.Context, tx *store.Tx, v *Version) error {
	content, err := CanonicalContent(v)
	if err != nil {
		return err
	}
	rc := &tlog.RedactedContent{Content: content, By: -1}
	if v.RedactionLeaf == nil {
		return rc
	}
	rc.By = *v.RedactionLeaf
	r, err := loadRedaction(ctx, tx, v.CommunityID, "leaf_index = ?", *v.RedactionLeaf)
	if err != nil {
		if mingbai.ErrorCode(err) == mingbai.ENOTFOUND {
			rc.Problem = fmt.Errorf("the version names redaction leaf %d, which has no record", *v.RedactionLeaf)
			return rc
		}
		return err
	}
	// A version published before format 2 was masked in format 1.
	if rc.Content, _, err = contentMatching(v, r.RedactedSHA256); err != nil {
		return err
	}
	var taken []string
	for _, f := range v.Files {
		if f.Redacted {
			taken = append(taken, f.SHA256)
		}
	}
	slices.Sort(taken)
	switch {
	case v.RedactedAt.UTC().Format(tlog.TimeFormat) != r.At, v.RedactionWhat != r.What, v.RedactionWhy != r.Why,
		v.RedactedBy == nil || *v.RedactedBy != r.RedactedBy:
		rc.Problem = fmt.Errorf("the version's redaction columns (when, who, what, why) differ from redaction leaf %d", *v.RedactionLeaf)
	case !slices.Equal(taken, r.Files) && !(len(taken) == 0 && len(r.Files) == 0):
		rc.Problem = fmt.Errorf("the attachments marked taken down %v differ from those of redaction leaf %d %v", taken, *v.RedactionLeaf, r.Files)
	}
	return rc
}
