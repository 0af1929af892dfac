package disclosure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// CatalogKind is the kind of the log leaves of catalog changes. The
// catalog is what compliance (overdue, never published) is judged
// against, so every change of an item is a published fact: loading the
// default catalog, creating, editing, archiving and restoring each append
// one leaf per item, in the transaction that makes the change.
const CatalogKind = "catalog_item"

// The actions of catalog item versions.
const (
	ItemLoaded   = "load"     // part of the district's default catalog
	ItemBaseline = "baseline" // made before the catalog was logged, logged as it stood
	ItemCreated  = "create"   // added by a district admin or a community's cadre
	ItemEdited   = "edit"     // any field changed
	ItemArchived = "archive"  // taken out of the catalog
	ItemRestored = "restore"  // put back
)

// ItemVersion is a catalog item as one change left it, with its leaf.
type ItemVersion struct {
	Item
	Action        string
	ChangedBy     int64
	ChangerName   string
	ChangedAt     time.Time
	ContentSHA256 string
	LeafIndex     int64
	// Changes says, field by field, what this version changed from the
	// one before (ItemHistory fills it in).
	Changes []string
}

// ActionLabel is the change in words.
func (v *ItemVersion) ActionLabel() string {
	switch v.Action {
	case ItemLoaded:
		return "载入区默认目录"
	case ItemBaseline:
		return "记入公开日志（此前已设立）"
	case ItemCreated:
		return "新增"
	case ItemEdited:
		return "修改"
	case ItemArchived:
		return "停用"
	case ItemRestored:
		return "恢复"
	}
	return v.Action
}

// itemContent is the canonical content of a catalog item version: what
// its leaf's content_sha256 is the hash of.
type itemContent struct {
	Kind       string `json:"kind"`
	District   int64  `json:"district"`
	Community  int64  `json:"community"`
	Item       int64  `json:"item"`
	Version    int    `json:"version"`
	Action     string `json:"action"`
	Section    string `json:"section"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Elements   string `json:"elements"`
	Basis      string `json:"basis"`
	Cadence    string `json:"cadence"`
	EventDays  int    `json:"event_days"`
	Publisher  string `json:"publisher"`
	Department int64  `json:"department"`
	Channels   string `json:"channels"`
	Audience   string `json:"audience"`
	Mode       string `json:"mode"`
	Archived   bool   `json:"archived"`
	ChangedAt  string `json:"changed_at"`
	// Format 2 adds the name of whoever made the change, which the item's
	// history shows; versions logged before (both fields absent) keep
	// verifying as format 1, as versionContent does.
	Format      int     `json:"format,omitempty"`
	ChangerName *string `json:"changer_name,omitempty"`
	// Format 3 adds when in its period the item is due (Timing).
	Timing *string `json:"timing,omitempty"`
}

// itemFormat3 is the catalog's third content format: see itemContent.
const itemFormat3 = 3

func itemContentOf(v *ItemVersion, format int) itemContent {
	c := itemContent{
		Kind: CatalogKind, District: v.DistrictID, Community: v.CommunityID, Item: v.ID, Version: v.Version, Action: v.Action,
		Section: string(v.Section), Code: v.Code, Name: v.Name, Elements: v.Elements, Basis: v.Basis,
		Cadence: string(v.Cadence), EventDays: v.EventDays, Publisher: string(v.Publisher), Department: v.Department,
		Channels: v.Channels, Audience: v.Audience, Mode: v.Mode, Archived: v.ArchivedAt != nil,
		ChangedAt: v.ChangedAt.UTC().Format(tlog.TimeFormat),
	}
	if format >= contentFormat2 {
		name := v.ChangerName
		c.Format, c.ChangerName = format, &name
	}
	if format >= itemFormat3 {
		timing := string(v.Timing)
		c.Timing = &timing
	}
	return c
}

func itemContentIn(v *ItemVersion, format int) ([]byte, error) {
	return tlog.Canonical(itemContentOf(v, format))
}

// itemFormat is the format whose content of v hashes to want: an older
// one for items logged before the current format, else the current one
// (see contentMatching). A version logged in an older format has no
// timing, so it can only match with the default.
func itemFormat(v *ItemVersion, want [32]byte) (int, error) {
	if v.Timing == TimingAfter {
		for _, f := range []int{contentFormat1, contentFormat2} {
			c, err := itemContentIn(v, f)
			if err != nil {
				return 0, err
			}
			if sha256.Sum256(c) == want {
				return f, nil
			}
		}
	}
	return itemFormat3, nil
}

// logItem appends the leaf of a change of catalog item it, whose Version
// is already the new version, and keeps the item as it now is. a is nil
// when nobody in particular made the change (the default catalog loads on
// first use).
func (s *Service) logItem(ctx context.Context, tx *store.Tx, it *Item, action string, a *mingbai.Actor, now time.Time) error {
	row, err := s.itemLeaf(ctx, tx, it, action, a, now)
	if err != nil {
		return err
	}
	return insertItemVersions(ctx, tx, row)
}

// LogUnloggedItems appends a leaf for every catalog item made before the
// catalog was logged, as it stands now, so that its later changes are
// checked against a logged start. The server runs it at start; once every
// item is logged it finds nothing. It returns how many items it logged.
func (s *Service) LogUnloggedItems(ctx context.Context) (int, error) {
	var n int
	err := s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		n = 0
		items, err := store.QueryAll(ctx, tx, scanItem, `SELECT `+itemColumns+` FROM disclosure_items WHERE version = 0 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("unlogged catalog items: %w", err)
		}
		now := s.clock()
		var versions [][]any
		for _, it := range items {
			res, err := tx.Exec(ctx, `UPDATE disclosure_items SET version = 1 WHERE id = ? AND version = 0`, it.ID)
			if err != nil {
				return fmt.Errorf("catalog item %d: %w", it.ID, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				continue // logged meanwhile by another process
			}
			it.Version = 1
			row, err := s.itemLeaf(ctx, tx, it, ItemBaseline, nil, now)
			if err != nil {
				return err
			}
			versions = append(versions, row)
		}
		n = len(versions)
		if n == 0 {
			return nil
		}
		return insertItemVersions(ctx, tx, versions...)
	})
	return n, err
}

// itemLeaf appends the leaf of a change of catalog item it and returns
// the values of its disclosure_item_versions row, for insertItemVersions.
func (s *Service) itemLeaf(ctx context.Context, tx *store.Tx, it *Item, action string, a *mingbai.Actor, now time.Time) ([]any, error) {
	if s.log == nil {
		return nil, mingbai.Errorf(mingbai.EUNAVAILABLE, "公开日志未启用，暂时不能修改公开目录。")
	}
	v := &ItemVersion{Item: *it, Action: action, ChangedAt: now}
	if a != nil {
		v.ChangedBy, v.ChangerName = a.UserID, a.Name
	}
	sum, err := tlog.ContentHash(itemContentOf(v, itemFormat3))
	if err != nil {
		return nil, fmt.Errorf("hash catalog item: %w", err)
	}
	idx, err := s.log.Append(ctx, tx, tlog.Envelope{
		Kind: CatalogKind, Community: it.CommunityID, Object: strconv.FormatInt(it.ID, 10), Version: int64(it.Version),
		Time: now, ContentSHA256: sum,
	})
	if err != nil {
		return nil, fmt.Errorf("append catalog leaf: %w", err)
	}
	archived := 0
	if it.ArchivedAt != nil {
		archived = 1
	}
	return []any{it.ID, it.DistrictID, it.CommunityID, it.Version, action, string(it.Section), it.Code, it.Name, it.Elements, it.Basis,
		string(it.Cadence), string(it.Timing), it.EventDays, string(it.Publisher), it.Department, it.Channels, it.Audience, it.Mode, archived,
		v.ChangedBy, v.ChangerName, now, hex.EncodeToString(sum[:]), idx}, nil
}

// insertItemVersions writes rows made by itemLeaf, a few per statement.
func insertItemVersions(ctx context.Context, tx *store.Tx, rows ...[]any) error {
	var args []any
	for _, r := range rows {
		args = append(args, r...)
	}
	if err := tx.InsertRows(ctx, `INSERT INTO disclosure_item_versions (`+itemVersionColumns+`)`, "", 24, args, nil); err != nil {
		return fmt.Errorf("insert catalog item versions: %w", err)
	}
	return nil
}

const itemVersionColumns = `item_id, district_id, community_id, version, action, section, code, name, elements, basis, cadence, timing, event_days, publisher, department_id, channels, audience, mode, archived, changed_by, changer_name, changed_at, content_sha256, leaf_index`

func scanItemVersion(sc store.Scanner) (*ItemVersion, error) {
	var v ItemVersion
	var section, cadence, timing, publisher string
	var archived int
	err := sc.Scan(&v.ID, &v.DistrictID, &v.CommunityID, &v.Version, &v.Action, &section, &v.Code, &v.Name, &v.Elements, &v.Basis,
		&cadence, &timing, &v.EventDays, &publisher, &v.Department, &v.Channels, &v.Audience, &v.Mode, &archived,
		&v.ChangedBy, &v.ChangerName, &v.ChangedAt, &v.ContentSHA256, &v.LeafIndex)
	if err != nil {
		return nil, err
	}
	v.Section, v.Cadence, v.Timing, v.Publisher = Section(section), Cadence(cadence), Timing(timing), mingbai.Role(publisher)
	if archived != 0 {
		at := v.ChangedAt
		v.ArchivedAt = &at
	}
	return &v, nil
}

// itemLeafContent is the log's ContentSource for catalog leaves. The
// newest logged version of an item is rebuilt from the live catalog row,
// the one compliance is judged against, so a cadence changed in the
// database behind the log's back no longer matches its leaf; older
// versions come from their kept rows.
func (s *Service) itemLeafContent(ctx context.Context, tx *store.Tx, e tlog.Envelope) ([]byte, error) {
	id, err := strconv.ParseInt(e.Object, 10, 64)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
	}
	v, err := scanItemVersion(tx.QueryRow(ctx, `SELECT `+itemVersionColumns+` FROM disclosure_item_versions WHERE item_id = ? AND version = ? AND community_id = ?`,
		id, e.Version, e.Community))
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项的这一版。")
	}
	if err != nil {
		return nil, fmt.Errorf("catalog item %d version %d: %w", id, e.Version, err)
	}
	var newest int
	if err := tx.QueryRow(ctx, `SELECT MAX(version) FROM disclosure_item_versions WHERE item_id = ?`, id).Scan(&newest); err != nil {
		return nil, fmt.Errorf("catalog item %d newest version: %w", id, err)
	}
	format, err := itemFormat(v, e.ContentSHA256)
	if err != nil {
		return nil, err
	}
	if newest == v.Version {
		live, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM disclosure_items WHERE id = ? AND community_id = ?`, id, e.Community))
		if isNoRows(err) {
			return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
		}
		if err != nil {
			return nil, fmt.Errorf("catalog item %d: %w", id, err)
		}
		at := v.ChangedAt
		live.Version = v.Version // the counter is bookkeeping; the leaf names the version
		if live.ArchivedAt != nil {
			live.ArchivedAt = &at
		}
		// The live row (the catalog pages) and the newest version row (the
		// item's history) are both shown: both must be what the leaf says.
		lv := *v
		lv.Item = *live
		fromLive, err := itemContentIn(&lv, format)
		if err != nil {
			return nil, err
		}
		fromRow, err := itemContentIn(v, format)
		if err != nil {
			return nil, err
		}
		// Serve whichever of the two no longer matches the leaf, so fsck
		// names the change wherever it was made.
		if sum := sha256.Sum256(fromLive); !bytes.Equal(fromLive, fromRow) && sum == e.ContentSHA256 {
			return fromRow, nil
		}
		return fromLive, nil
	}
	return itemContentIn(v, format)
}

// ItemHistory returns every logged change of catalog item id as seen from
// community, oldest first, each with what it changed. Anyone may read it.
func (s *Service) ItemHistory(ctx context.Context, communityID, id int64) ([]ItemVersion, error) {
	var out []ItemVersion
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := itemForCommunity(ctx, tx, communityID, id)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+itemVersionColumns+` FROM disclosure_item_versions WHERE item_id = ? AND district_id = ? AND community_id = ? ORDER BY version`,
			it.ID, it.DistrictID, it.CommunityID)
		if err != nil {
			return fmt.Errorf("catalog item history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanItemVersion(rows)
			if err != nil {
				return fmt.Errorf("scan catalog item version: %w", err)
			}
			if n := len(out); n > 0 {
				v.Changes = itemChanges(&out[n-1].Item, &v.Item)
			}
			out = append(out, *v)
		}
		return rows.Err()
	})
	return out, err
}

// itemChanges says in words which fields differ from a to b.
func itemChanges(a, b *Item) []string {
	var out []string
	field := func(label, old, new string) {
		if old != new {
			if old == "" {
				old = "（空）"
			}
			if new == "" {
				new = "（空）"
			}
			out = append(out, fmt.Sprintf("%s：%s → %s", label, old, new))
		}
	}
	field("栏目", a.Section.Label(), b.Section.Label())
	field("事项名称", a.Name, b.Name)
	field("公开要素", a.Elements, b.Elements)
	field("公开依据", a.Basis, b.Basis)
	field("公开时限", a.TimeLimit(), b.TimeLimit())
	field("公开主体", a.Publisher.Label(), b.Publisher.Label())
	if a.Department != b.Department {
		out = append(out, "负责部门已更换")
	}
	field("公开渠道", a.Channels, b.Channels)
	field("公开对象", a.AudienceLabel(), b.AudienceLabel())
	field("公开方式", a.ModeLabel(), b.ModeLabel())
	return out
}

// sameItem reports whether an edit leaves every logged field as it was.
func sameItem(a, b *Item) bool {
	return a.Section == b.Section && a.Name == b.Name && a.Elements == b.Elements && a.Basis == b.Basis &&
		a.Cadence == b.Cadence && a.Timing == b.Timing && a.EventDays == b.EventDays && a.Publisher == b.Publisher && a.Department == b.Department &&
		a.Channels == b.Channels && a.Audience == b.Audience && a.Mode == b.Mode
}
