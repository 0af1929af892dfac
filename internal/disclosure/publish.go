package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/blob"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// canPublish reports whether a may draft, publish, correct and withdraw
// disclosures of item it in community c: the party secretary keeps 党务,
// a clerk of the item's department (any department of the district when
// the item names none) keeps 政务, the community's cadres the rest.
func canPublish(a *mingbai.Actor, c *org.Unit, it *Item) bool {
	switch it.Publisher {
	case mingbai.RolePartySecretary:
		return a.Has(mingbai.RolePartySecretary, c.ID)
	case mingbai.RoleClerk:
		if a == nil {
			return false
		}
		for _, g := range a.Grants {
			if g.Role == mingbai.RoleClerk && g.District == c.DistrictID && (it.Department == 0 || g.UnitID == it.Department) {
				return true
			}
		}
		return false
	}
	return a.Has(mingbai.RoleCadre, c.ID)
}

// PublishableItems returns the items of community a may publish.
func (s *Service) PublishableItems(ctx context.Context, a *mingbai.Actor, communityID int64) ([]Item, error) {
	items, err := s.Items(ctx, communityID)
	if err != nil {
		return nil, err
	}
	c, err := s.communityOf(ctx, communityID)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, it := range items {
		if canPublish(a, c, &it) {
			out = append(out, it)
		}
	}
	return out, nil
}

// DraftInput is what a cadre types for a disclosure.
type DraftInput struct {
	ItemID    int64
	Title     string
	Period    string
	Body      string
	ValidFrom string
	ValidTo   string
	// PublicPhones are the phone numbers (zh.Number.Digits) the cadre
	// confirmed as an office's public phone (便民热线): they stay as
	// written. Every other personal number in the text is masked before
	// the draft is stored, so the published version and its leaf never
	// hold it; an ID number is masked whatever this says.
	PublicPhones []string
}

// Limits on disclosure text.
const (
	maxTitle  = 100
	maxPeriod = 40
	maxBody   = 20000
	maxReason = 500
)

type cleanDraft struct {
	title, period, body, from, to string
}

func (in DraftInput) clean() (cleanDraft, error) {
	var d cleanDraft
	var err error
	if in.ItemID <= 0 {
		return d, mingbai.FieldError("item", "请选择公开目录项")
	}
	if d.title, err = (zh.Text{Field: "title", Label: "标题", Min: 2, Max: maxTitle}).Clean(in.Title); err != nil {
		return d, err
	}
	if d.period, err = (zh.Text{Field: "period", Label: "所属期间", Max: maxPeriod}).Clean(in.Period); err != nil {
		return d, err
	}
	if d.body, err = (zh.Text{Field: "body", Label: "正文", Min: 2, Max: maxBody, Multiline: true}).Clean(in.Body); err != nil {
		return d, err
	}
	d.title = zh.MaskTextExcept(d.title, in.PublicPhones)
	d.period = zh.MaskTextExcept(d.period, in.PublicPhones)
	d.body = zh.MaskTextExcept(d.body, in.PublicPhones)
	if d.from, err = cleanDate("valid_from", "公开起始日期", in.ValidFrom); err != nil {
		return d, err
	}
	if d.to, err = cleanDate("valid_to", "公开截止日期", in.ValidTo); err != nil {
		return d, err
	}
	if d.from != "" && d.to != "" && d.to < d.from {
		return d, mingbai.FieldError("valid_to", "公开截止日期不能早于起始日期")
	}
	return d, nil
}

func cleanDate(field, label, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return "", mingbai.FieldError(field, "%s格式应为 年-月-日，例如 2026-07-01", label)
	}
	return t.Format("2006-01-02"), nil
}

// CreateDraft starts a disclosure in community communityID.
func (s *Service) CreateDraft(ctx context.Context, a *mingbai.Actor, communityID int64, in DraftInput) (*Draft, error) {
	d, err := in.clean()
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		c, it, err := s.publishTarget(ctx, tx, a, communityID, in.ItemID)
		if err != nil {
			return err
		}
		now := s.clock()
		id, err = tx.InsertID(ctx, `INSERT INTO disclosure_drafts (community_id, item_id, title, period, body, valid_from, valid_to, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, it.ID, d.title, d.period, d.body, d.from, d.to, a.UserID, now, now)
		if err != nil {
			return fmt.Errorf("insert draft: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Draft(ctx, a, communityID, id)
}

// publishTarget loads the community and the item and checks that a may
// publish it there.
func (s *Service) publishTarget(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, itemID int64) (*org.Unit, *Item, error) {
	c, err := org.LoadCommunity(ctx, tx, communityID, true)
	if err != nil {
		return nil, nil, err
	}
	it, err := itemForCommunity(ctx, tx, communityID, itemID)
	if err != nil {
		if mingbai.ErrorCode(err) == mingbai.ENOTFOUND {
			return nil, nil, mingbai.FieldError("item", "请选择本社区公开目录中的事项")
		}
		return nil, nil, err
	}
	if !canPublish(a, c, it) {
		return nil, nil, mingbai.Errorf(mingbai.EFORBIDDEN, "“%s”由%s负责公开，您的账号不能在%s发布。", it.Name, it.Publisher.Label(), c.Name)
	}
	return c, it, nil
}

// UpdateDraft changes a draft.
func (s *Service) UpdateDraft(ctx context.Context, a *mingbai.Actor, communityID, id int64, in DraftInput) (*Draft, error) {
	d, err := in.clean()
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.draftForActor(ctx, tx, a, communityID, id); err != nil {
			return err
		}
		if _, _, err := s.publishTarget(ctx, tx, a, communityID, in.ItemID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE disclosure_drafts SET item_id = ?, title = ?, period = ?, body = ?, valid_from = ?, valid_to = ?, updated_at = ? WHERE id = ? AND community_id = ?`,
			in.ItemID, d.title, d.period, d.body, d.from, d.to, s.clock(), id, communityID)
		if err != nil {
			return fmt.Errorf("update draft %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Draft(ctx, a, communityID, id)
}

// Draft returns a draft the actor may publish, with its files.
func (s *Service) Draft(ctx context.Context, a *mingbai.Actor, communityID, id int64) (*Draft, error) {
	var d *Draft
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		d, err = s.draftForActor(ctx, tx, a, communityID, id)
		return err
	})
	return d, err
}

func (s *Service) draftForActor(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, id int64) (*Draft, error) {
	var d Draft
	err := tx.QueryRow(ctx, `SELECT id, community_id, item_id, title, period, body, valid_from, valid_to, created_by, updated_at
		FROM disclosure_drafts WHERE id = ? AND community_id = ?`, id, communityID).
		Scan(&d.ID, &d.CommunityID, &d.ItemID, &d.Title, &d.Period, &d.Body, &d.ValidFrom, &d.ValidTo, &d.CreatedBy, &d.UpdatedAt)
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该草稿，可能已经发布或删除。")
	}
	if err != nil {
		return nil, fmt.Errorf("draft %d: %w", id, err)
	}
	if _, _, err := s.publishTarget(ctx, tx, a, communityID, d.ItemID); err != nil {
		if mingbai.ErrorCode(err) == mingbai.EFORBIDDEN {
			return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该草稿，可能已经发布或删除。")
		}
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT sha256, name, content_type, size FROM disclosure_draft_files WHERE draft_id = ? AND community_id = ? ORDER BY id`, id, communityID)
	if err != nil {
		return nil, fmt.Errorf("draft files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Attachment
		if err := rows.Scan(&f.SHA256, &f.Name, &f.ContentType, &f.Size); err != nil {
			return nil, fmt.Errorf("draft file: %w", err)
		}
		d.Files = append(d.Files, f)
	}
	return &d, rows.Err()
}

// Drafts lists the drafts of a community the actor may publish.
func (s *Service) Drafts(ctx context.Context, a *mingbai.Actor, communityID int64) ([]Draft, error) {
	var out []Draft
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		ids, err := store.QueryAll(ctx, tx, store.ScanInt64, `SELECT id FROM disclosure_drafts WHERE community_id = ? ORDER BY updated_at DESC, id DESC`, communityID)
		if err != nil {
			return fmt.Errorf("drafts: %w", err)
		}
		for _, id := range ids {
			d, err := s.draftForActor(ctx, tx, a, communityID, id)
			if mingbai.ErrorCode(err) == mingbai.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, *d)
		}
		return nil
	})
	return out, err
}

// DeleteDraft throws away unpublished work.
func (s *Service) DeleteDraft(ctx context.Context, a *mingbai.Actor, communityID, id int64) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.draftForActor(ctx, tx, a, communityID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM disclosure_draft_files WHERE draft_id = ? AND community_id = ?`, id, communityID); err != nil {
			return fmt.Errorf("delete draft files: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM disclosure_drafts WHERE id = ? AND community_id = ?`, id, communityID); err != nil {
			return fmt.Errorf("delete draft: %w", err)
		}
		return nil
	})
}

// maxFilesPerDraft keeps a disclosure readable on a phone.
const maxFilesPerDraft = 20

// AttachToDraft adds a stored file (from Files().Put) to a draft.
func (s *Service) AttachToDraft(ctx context.Context, a *mingbai.Actor, communityID, draftID int64, f Attachment) error {
	if !blob.ValidSum(f.SHA256) {
		return mingbai.FieldError("file", "附件无效，请重新上传。")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := s.draftForActor(ctx, tx, a, communityID, draftID)
		if err != nil {
			return err
		}
		if len(d.Files) >= maxFilesPerDraft {
			return mingbai.FieldError("file", "每条公开事项最多 %d 个附件。", maxFilesPerDraft)
		}
		for _, g := range d.Files {
			if g.SHA256 == f.SHA256 {
				return mingbai.FieldError("file", "这个文件已经上传过了。")
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO disclosure_draft_files (draft_id, community_id, sha256, name, content_type, size) VALUES (?, ?, ?, ?, ?, ?)`,
			draftID, communityID, f.SHA256, f.Name, f.ContentType, f.Size)
		if err != nil {
			return fmt.Errorf("attach to draft %d: %w", draftID, err)
		}
		return nil
	})
}

// DetachFromDraft removes a file from a draft.
func (s *Service) DetachFromDraft(ctx context.Context, a *mingbai.Actor, communityID, draftID int64, sum string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.draftForActor(ctx, tx, a, communityID, draftID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM disclosure_draft_files WHERE draft_id = ? AND community_id = ? AND sha256 = ?`, draftID, communityID, sum)
		return err
	})
}

// contentFile is an attachment as the leaf's content hash covers it.
type contentFile struct {
	Name        string `json:"name"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// versionContent is the canonical content of a published version: what
// its leaf's content_sha256 is the hash of, and what /log/content serves.
type versionContent struct {
	Kind        string        `json:"kind"`
	Community   int64         `json:"community"`
	Disclosure  int64         `json:"disclosure"`
	Version     int           `json:"version"`
	Action      string        `json:"action"`
	Item        int64         `json:"item"`
	Title       string        `json:"title"`
	Period      string        `json:"period"`
	Body        string        `json:"body"`
	ValidFrom   string        `json:"valid_from"`
	ValidTo     string        `json:"valid_to"`
	Reason      string        `json:"reason"`
	PublishedAt string        `json:"published_at"`
	Attachments []contentFile `json:"attachments"`
	// Format 2 adds the publisher's name, which the page shows beside the
	// version. Format 1 (both fields absent) is how versions were hashed
	// before; their leaves keep verifying under it, and their publisher's
	// name stays outside the log.
	Format        int     `json:"format,omitempty"`
	PublisherName *string `json:"publisher_name,omitempty"`
}

// The formats of a version's canonical content (see versionContent).
const (
	contentFormat1 = 1
	contentFormat2 = 2
)

func contentOf(v *Version, format int) versionContent {
	c := versionContent{
		Kind: LeafKind, Community: v.CommunityID, Disclosure: v.DisclosureID, Version: v.Version, Action: v.Action,
		Item: v.ItemID, Title: v.Title, Period: v.Period, Body: v.Body, ValidFrom: v.ValidFrom, ValidTo: v.ValidTo,
		Reason: v.Reason, PublishedAt: v.PublishedAt.UTC().Format(tlog.TimeFormat), Attachments: []contentFile{},
	}
	if format >= contentFormat2 {
		name := v.PublisherName
		c.Format, c.PublisherName = format, &name
	}
	for _, f := range v.Files {
		c.Attachments = append(c.Attachments, contentFile{f.Name, f.SHA256, f.ContentType, f.Size})
	}
	return c
}

// CanonicalContent returns the canonical JSON a new version's leaf
// hashes, in the current format.
func CanonicalContent(v *Version) ([]byte, error) {
	return tlog.Canonical(contentOf(v, contentFormat2))
}

// contentMatching returns v's canonical content in the format whose hash
// is want (hex), that of its leaf or of its newest redaction: a version
// published before format 2 is rebuilt as it was hashed. When neither
// matches (the row was changed) it returns the current format, which then
// fails the check. The format needs no column of its own: the leaf's hash
// commits to it, so no edit can move a version to the older format.
func contentMatching(v *Version, want string) ([]byte, int, error) {
	c, err := tlog.Canonical(contentOf(v, contentFormat1))
	if err != nil {
		return nil, 0, err
	}
	if sum := sha256.Sum256(c); hex.EncodeToString(sum[:]) == want {
		return c, contentFormat1, nil
	}
	c, err = CanonicalContent(v)
	return c, contentFormat2, err
}

// leafContent is the log's ContentSource for disclosure leaves.
func (s *Service) leafContent(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开事项。")
	}
	v, err := loadVersion(ctx, tx, e.Community, id, int(e.Version))
	if err != nil {
		return nil, err
	}
	if v.Redacted() {
		return nil, s.redactedContent(ctx, tx, v)
	}
	for _, f := range v.Files {
		if f.Redacted {
			return nil, fmt.Errorf("attachment %s is marked taken down, but the version has no redaction", f.SHA256)
		}
	}
	c, _, err := contentMatching(v, hex.EncodeToString(e.ContentSHA256[:]))
	return c, err
}

// appendVersion hashes v, appends its leaf and stores it with its files.
// v.LeafIndex and v.ContentSHA256 are filled in.
func (s *Service) appendVersion(ctx context.Context, tx *store.Tx, v *Version, corrects, withdraws *int64) error {
	if s.log == nil {
		return mingbai.Errorf(mingbai.EUNAVAILABLE, "公开日志未启用，暂时不能发布。")
	}
	sum, err := tlog.ContentHash(contentOf(v, contentFormat2))
	if err != nil {
		return fmt.Errorf("hash version: %w", err)
	}
	idx, err := s.log.Append(ctx, tx, tlog.Envelope{
		Kind: LeafKind, Community: v.CommunityID, Object: strconv.FormatInt(v.DisclosureID, 10), Version: int64(v.Version),
		Time: v.PublishedAt, ContentSHA256: sum, Corrects: corrects, Withdraws: withdraws,
	})
	if err != nil {
		return fmt.Errorf("append leaf: %w", err)
	}
	v.LeafIndex, v.ContentSHA256 = idx, hex.EncodeToString(sum[:])
	v.ID, err = tx.InsertID(ctx, "INSERT INTO disclosure_versions ("+VersionColumns+") VALUES ("+store.Placeholders(VersionWidth)+") RETURNING id",
		VersionRow(v)...)
	if err != nil {
		return fmt.Errorf("insert version: %w", err)
	}
	for i, f := range v.Files {
		_, err := tx.Exec(ctx, `INSERT INTO disclosure_version_files (version_id, community_id, position, sha256, name, content_type, size) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.CommunityID, i, f.SHA256, f.Name, f.ContentType, f.Size)
		if err != nil {
			return fmt.Errorf("insert version file: %w", err)
		}
	}
	return nil
}

// maskIDs masks every personal number in a draft's text but the phones it
// still shows. A draft is masked when saved (DraftInput.PublicPhones), so a
// phone it shows was confirmed public; a draft saved before masking
// existed may hold anything, and an ID must never reach the board.
func maskIDs(s string) string {
	var phones []string
	for _, n := range zh.FindNumbers(s) {
		if n.Keepable() {
			phones = append(phones, n.Digits)
		}
	}
	return zh.MaskTextExcept(s, phones)
}

// Publish makes draft id public as version 1 of a new disclosure, with
// its leaf in the same transaction, and removes the draft. The draft
// preview lists the phones its text keeps, so what is published is what
// the cadre saw.
func (s *Service) Publish(ctx context.Context, a *mingbai.Actor, communityID, draftID int64) (*Version, error) {
	var v *Version
	err := s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		d, err := s.draftForActor(ctx, tx, a, communityID, draftID)
		if err != nil {
			return err
		}
		now := s.clock()
		head := &Disclosure{CommunityID: communityID, ItemID: d.ItemID, State: "published", Version: 1,
			Title: maskIDs(d.Title), Period: maskIDs(d.Period), FirstPublishedAt: now, PublishedAt: now}
		id, err := tx.InsertID(ctx, "INSERT INTO disclosures ("+HeadColumns+") VALUES ("+store.Placeholders(HeadWidth)+") RETURNING id",
			HeadRow(head)...)
		if err != nil {
			return fmt.Errorf("insert disclosure: %w", err)
		}
		v = &Version{
			DisclosureID: id, CommunityID: communityID, Version: 1, Action: "publish", ItemID: d.ItemID,
			Title: maskIDs(d.Title), Period: maskIDs(d.Period), Body: maskIDs(d.Body), ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
			PublishedBy: a.UserID, PublisherName: a.Name, PublishedAt: now, Files: d.Files,
		}
		if err := s.appendVersion(ctx, tx, v, nil, nil); err != nil {
			return err
		}
		if err := s.index(ctx, tx, v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM disclosure_draft_files WHERE draft_id = ? AND community_id = ?`, draftID, communityID); err != nil {
			return fmt.Errorf("delete published draft files: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM disclosure_drafts WHERE id = ? AND community_id = ?`, draftID, communityID); err != nil {
			return fmt.Errorf("delete published draft: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// CorrectInput is a correction: the new text and why.
type CorrectInput struct {
	Title     string
	Period    string
	Body      string
	ValidFrom string
	ValidTo   string
	Reason    string
	// Version is the version the cadre corrected; if another version was
	// published meanwhile, the correction is refused rather than lost.
	Version int
	// Drop are the hashes of the corrected version's attachments that the
	// new version leaves out (a wrong PDF or photo). They stay on the old
	// version, downloadable as published.
	Drop []string
	// Add are files stored with Files().Put that the new version attaches
	// after the kept ones.
	Add []Attachment
	// PublicPhones are the phones the cadre confirmed as public, as in
	// DraftInput: every other personal number in the new text and the
	// reason is masked.
	PublicPhones []string
}

// maxCorrectUploads bounds the new files of one correction form, so the
// form's body limit stays sane; a cadre with more corrects twice.
const maxCorrectUploads = 5

// MaxCorrectUploads is maxCorrectUploads for the web layer's body limit.
const MaxCorrectUploads = maxCorrectUploads

// Correct publishes a new version of disclosure id with a required reason.
// The old versions stay readable; the new leaf names the corrected one and
// commits to the new version's attachment list. A correction that changes
// only the attachments is a correction too.
func (s *Service) Correct(ctx context.Context, a *mingbai.Actor, communityID, id int64, in CorrectInput) (*Version, error) {
	reason, err := zh.Text{Field: "reason", Label: "更正原因", Min: 4, Max: maxReason, Multiline: true}.Clean(in.Reason)
	if err != nil {
		return nil, err
	}
	reason = zh.MaskTextExcept(reason, in.PublicPhones)
	if len(in.Add) > maxCorrectUploads {
		return nil, mingbai.FieldError("file", "一次更正最多上传 %d 个新附件。", maxCorrectUploads)
	}
	for _, f := range in.Add {
		if _, ok := allowedTypes[f.ContentType]; !ok || !blob.ValidSum(f.SHA256) || f.Size <= 0 || f.Size > MaxFileSize {
			return nil, mingbai.FieldError("file", "附件无效，请重新上传。")
		}
	}
	return s.newVersion(ctx, a, communityID, id, in.Version, correction(in, reason, 0))
}

// CheckCorrect runs every check of Correct without writing anything, for
// a correction that will add uploads new files: the web layer calls it
// before storing uploads, so a form with a mistake leaves no file behind.
func (s *Service) CheckCorrect(ctx context.Context, a *mingbai.Actor, communityID, id int64, in CorrectInput, uploads int) error {
	reason, err := zh.Text{Field: "reason", Label: "更正原因", Min: 4, Max: maxReason, Multiline: true}.Clean(in.Reason)
	if err != nil {
		return err
	}
	if uploads > maxCorrectUploads {
		return mingbai.FieldError("file", "一次更正最多上传 %d 个新附件。", maxCorrectUploads)
	}
	in.Add = nil
	return s.db.Read(ctx, func(tx *store.Tx) error {
		_, _, _, err := s.prepareVersion(ctx, tx, a, communityID, id, in.Version, correction(in, reason, uploads))
		return err
	})
}

// correction makes the new version of a correction from the corrected
// one. pending counts uploads not yet stored (CheckCorrect).
func correction(in CorrectInput, reason string, pending int) func(prev *Version) (*Version, error) {
	return func(prev *Version) (*Version, error) {
		d, err := DraftInput{ItemID: prev.ItemID, Title: in.Title, Period: in.Period, Body: in.Body, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, PublicPhones: in.PublicPhones}.clean()
		if err != nil {
			return nil, err
		}
		// A redacted attachment is not carried over: it was taken down.
		current := map[string]bool{}
		for _, f := range prev.Files {
			if !f.Redacted {
				current[f.SHA256] = true
			}
		}
		drop := map[string]bool{}
		for _, sum := range in.Drop {
			if !current[sum] {
				return nil, mingbai.FieldError("files", "要删去的附件不在第%d版中，请刷新页面后重试。", prev.Version)
			}
			drop[sum] = true
		}
		files := []Attachment{}
		for _, f := range prev.Files {
			if !f.Redacted && !drop[f.SHA256] {
				files = append(files, f)
			}
		}
		for _, f := range in.Add {
			for _, g := range files {
				if g.SHA256 == f.SHA256 {
					return nil, mingbai.FieldError("file", "“%s”与已有附件“%s”是同一个文件。", f.Name, g.Name)
				}
			}
			files = append(files, f)
		}
		if len(files)+pending > maxFilesPerDraft {
			return nil, mingbai.FieldError("file", "每条公开事项最多 %d 个附件，请先删去不需要的附件。", maxFilesPerDraft)
		}
		sameText := d.title == prev.Title && d.period == prev.Period && d.body == prev.Body && d.from == prev.ValidFrom && d.to == prev.ValidTo
		if sameText && len(drop) == 0 && len(in.Add)+pending == 0 {
			return nil, mingbai.FieldError("body", "更正后的内容和附件与原来相同，请修改后再提交。")
		}
		return &Version{Action: "correct", Title: d.title, Period: d.period, Body: d.body, ValidFrom: d.from, ValidTo: d.to, Reason: reason, Files: files}, nil
	}
}

// Withdraw publishes a withdrawal of disclosure id that says why. The
// withdrawn text stays readable in the history.
func (s *Service) Withdraw(ctx context.Context, a *mingbai.Actor, communityID, id int64, version int, reason string) (*Version, error) {
	reason, err := zh.Text{Field: "reason", Label: "撤回原因", Min: 4, Max: maxReason, Multiline: true}.Clean(reason)
	if err != nil {
		return nil, err
	}
	reason = zh.MaskText(reason)
	return s.newVersion(ctx, a, communityID, id, version, func(prev *Version) (*Version, error) {
		return &Version{Action: "withdraw", Title: prev.Title, Period: prev.Period, Body: "", ValidFrom: prev.ValidFrom, ValidTo: prev.ValidTo, Reason: reason}, nil
	})
}

// prepareVersion loads and checks what a new version of disclosure id
// needs and makes it (without storing anything): the disclosure's head,
// the version it follows and the new version with its number, item and
// publisher filled in.
func (s *Service) prepareVersion(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, id int64, expect int, make func(prev *Version) (*Version, error)) (*Disclosure, *Version, *Version, error) {
	head, err := loadDisclosure(ctx, tx, communityID, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, _, err := s.publishTarget(ctx, tx, a, communityID, head.ItemID); err != nil {
		return nil, nil, nil, err
	}
	if head.Withdrawn() {
		return nil, nil, nil, mingbai.Errorf(mingbai.ECONFLICT, "该事项已撤回，不能再更正或撤回。")
	}
	if expect != 0 && expect != head.Version {
		return nil, nil, nil, mingbai.Errorf(mingbai.ECONFLICT, "该事项已有新的版本（第 %d 版），请刷新后在新版本上操作。", head.Version)
	}
	prev, err := loadVersion(ctx, tx, communityID, id, head.Version)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := make(prev)
	if err != nil {
		return nil, nil, nil, err
	}
	v.DisclosureID, v.CommunityID, v.Version, v.ItemID = id, communityID, head.Version+1, head.ItemID
	v.PublishedBy, v.PublisherName = a.UserID, a.Name
	return head, prev, v, nil
}

func (s *Service) newVersion(ctx context.Context, a *mingbai.Actor, communityID, id int64, expect int, make func(prev *Version) (*Version, error)) (*Version, error) {
	var v *Version
	err := s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		head, prev, nv, err := s.prepareVersion(ctx, tx, a, communityID, id, expect, make)
		if err != nil {
			return err
		}
		v = nv
		now := s.clock()
		v.PublishedAt = now
		leaf := prev.LeafIndex
		var corrects, withdraws *int64
		if v.Action == "withdraw" {
			withdraws = &leaf
		} else {
			corrects = &leaf
		}
		if err := s.appendVersion(ctx, tx, v, corrects, withdraws); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE disclosures SET state = ?, version = ?, title = ?, period = ?, published_at = ? WHERE id = ? AND community_id = ? AND version = ?`,
			StateAfter(v.Action), v.Version, v.Title, v.Period, now, id, communityID, head.Version)
		if err != nil {
			return fmt.Errorf("update disclosure head: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return mingbai.Errorf(mingbai.ECONFLICT, "该事项刚被他人更新，请刷新后再试。")
		}
		if v.Action == "withdraw" {
			_, err = tx.Exec(ctx, `DELETE FROM disclosure_search WHERE disclosure_id = ? AND community_id = ?`, id, communityID)
			return err
		}
		return s.index(ctx, tx, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// fileUses counts the drafts and unredacted versions that show the file
// sum; at none it may leave the disk.
func fileUses(ctx context.Context, tx *store.Tx, sum string) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM disclosure_version_files WHERE sha256 = ? AND redacted = 0) + (SELECT COUNT(*) FROM disclosure_draft_files WHERE sha256 = ?)`, sum, sum).Scan(&n); err != nil {
		return 0, fmt.Errorf("count uses of file %s: %w", sum, err)
	}
	return n, nil
}

// ForgetUploads removes files stored for a form that then failed (a
// correction another version overtook, say) if no draft or version shows
// them, so that a failed form leaves nothing on disk. A file that is in
// use, by this community or another, stays.
func (s *Service) ForgetUploads(ctx context.Context, files []Attachment) error {
	var unused []string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		unused = unused[:0]
		for _, f := range files {
			if f.SHA256 == "" {
				continue
			}
			n, err := fileUses(ctx, tx, f.SHA256)
			if err != nil {
				return err
			}
			if n == 0 {
				unused = append(unused, f.SHA256)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.files.Remove(unused...); err != nil {
		return fmt.Errorf("remove unused uploads: %w", err)
	}
	return nil
}

const disclosureColumns = `id, community_id, item_id, state, version, title, period, first_published_at, published_at`

func scanDisclosure(sc store.Scanner) (*Disclosure, error) {
	var d Disclosure
	err := sc.Scan(&d.ID, &d.CommunityID, &d.ItemID, &d.State, &d.Version, &d.Title, &d.Period, &d.FirstPublishedAt, &d.PublishedAt)
	return &d, err
}

func loadDisclosure(ctx context.Context, tx *store.Tx, communityID, id int64) (*Disclosure, error) {
	d, err := scanDisclosure(tx.QueryRow(ctx, `SELECT `+disclosureColumns+` FROM disclosures WHERE id = ? AND community_id = ?`, id, communityID))
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开事项。")
	}
	if err != nil {
		return nil, fmt.Errorf("disclosure %d: %w", id, err)
	}
	return d, nil
}

const versionColumns = `id, disclosure_id, community_id, version, action, item_id, title, period, body, valid_from, valid_to, reason, published_by, publisher_name, published_at, content_sha256, leaf_index, redacted_at, redacted_by, redaction_what, redaction_why, redaction_leaf`

// queryVersions returns the versions query selects (versionColumns), with
// their files.
func queryVersions(ctx context.Context, tx *store.Tx, query string, args ...any) ([]Version, error) {
	vs, err := store.QueryAll(ctx, tx, scanVersion, query, args...)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	if err := loadFiles(ctx, tx, vs); err != nil {
		return nil, err
	}
	out := make([]Version, len(vs))
	for i, v := range vs {
		out[i] = *v
	}
	return out, nil
}

func scanVersion(sc store.Scanner) (*Version, error) {
	var v Version
	err := sc.Scan(&v.ID, &v.DisclosureID, &v.CommunityID, &v.Version, &v.Action, &v.ItemID, &v.Title, &v.Period, &v.Body, &v.ValidFrom, &v.ValidTo,
		&v.Reason, &v.PublishedBy, &v.PublisherName, &v.PublishedAt, &v.ContentSHA256, &v.LeafIndex, &v.RedactedAt, &v.RedactedBy, &v.RedactionWhat, &v.RedactionWhy, &v.RedactionLeaf)
	return &v, err
}

func loadVersion(ctx context.Context, tx *store.Tx, communityID, id int64, n int) (*Version, error) {
	v, err := scanVersion(tx.QueryRow(ctx, `SELECT `+versionColumns+` FROM disclosure_versions WHERE disclosure_id = ? AND community_id = ? AND version = ?`, id, communityID, n))
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该版本。")
	}
	if err != nil {
		return nil, fmt.Errorf("version %d of disclosure %d: %w", n, id, err)
	}
	if err := loadFiles(ctx, tx, []*Version{v}); err != nil {
		return nil, err
	}
	return v, nil
}

func loadFiles(ctx context.Context, tx *store.Tx, vs []*Version) error {
	for _, v := range vs {
		rows, err := tx.Query(ctx, `SELECT sha256, name, content_type, size, redacted FROM disclosure_version_files WHERE version_id = ? AND community_id = ? ORDER BY position`, v.ID, v.CommunityID)
		if err != nil {
			return fmt.Errorf("version files: %w", err)
		}
		for rows.Next() {
			var f Attachment
			var red int
			if err := rows.Scan(&f.SHA256, &f.Name, &f.ContentType, &f.Size, &red); err != nil {
				rows.Close()
				return fmt.Errorf("version file: %w", err)
			}
			f.Redacted = red != 0
			v.Files = append(v.Files, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Disclosure returns a disclosure of the community with every version,
// oldest first. Anyone may read it: withdrawn and corrected versions stay
// public.
func (s *Service) Disclosure(ctx context.Context, communityID, id int64) (*Disclosure, []Version, error) {
	var d *Disclosure
	var out []Version
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = loadDisclosure(ctx, tx, communityID, id); err != nil {
			return err
		}
		out, err = queryVersions(ctx, tx, `SELECT `+versionColumns+` FROM disclosure_versions WHERE disclosure_id = ? AND community_id = ? ORDER BY version`, id, communityID)
		return err
	})
	return d, out, err
}

// FileOf returns attachment sum as published in community (on any
// version, not redacted), so the web layer serves only public files.
func (s *Service) FileOf(ctx context.Context, communityID int64, sum string) (*Attachment, error) {
	var f Attachment
	err := s.db.QueryRow(ctx, `SELECT sha256, name, content_type, size FROM disclosure_version_files WHERE community_id = ? AND sha256 = ? AND redacted = 0 ORDER BY id LIMIT 1`, communityID, sum).
		Scan(&f.SHA256, &f.Name, &f.ContentType, &f.Size)
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该附件，可能已依法撤下。")
	}
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", sum, err)
	}
	return &f, nil
}

// DraftFile returns an attachment of a draft the actor may see.
func (s *Service) DraftFile(ctx context.Context, a *mingbai.Actor, communityID, draftID int64, sum string) (*Attachment, error) {
	d, err := s.Draft(ctx, a, communityID, draftID)
	if err != nil {
		return nil, err
	}
	for _, f := range d.Files {
		if f.SHA256 == sum {
			return &f, nil
		}
	}
	return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该附件。")
}
