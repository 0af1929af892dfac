package qa

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Filter narrows a community's public list.
type Filter struct {
	Status   Status
	Category string
	From, To time.Time // received in [From, To); zero: unbounded
	Query    string    // words in the text
	Page     int       // from 1
}

// PageSize is how many items a list page shows.
const PageSize = 20

// ListPage is one page of a list.
type ListPage struct {
	Items       []*Item
	Total       int
	Page, Pages int
}

func (f Filter) where(communityID int64) (string, []any, error) {
	w := []string{"i.community_id = ?"}
	args := []any{communityID}
	if f.Status != "" {
		if !slices.Contains(Statuses, f.Status) {
			return "", nil, mingbai.FieldError("status", "没有这种办理状态")
		}
		w = append(w, "i.status = ?")
		args = append(args, string(f.Status))
	}
	if f.Category != "" {
		if !validCategory(f.Category, Categories) {
			return "", nil, mingbai.FieldError("category", "没有这个类别")
		}
		w = append(w, "i.category = ?")
		args = append(args, f.Category)
	}
	if !f.From.IsZero() {
		w = append(w, "i.received_at >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		w = append(w, "i.received_at < ?")
		args = append(args, f.To.UTC())
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len([]rune(q)) > 40 {
			return "", nil, mingbai.FieldError("q", "搜索词不能超过 40 个字")
		}
		// Searching stored text for a number would tell whether someone
		// wrote a given phone or ID number, which the pages mask.
		if countDigits(q) >= 5 {
			return "", nil, mingbai.FieldError("q", "不能按电话号码或证件号码搜索")
		}
		for _, word := range strings.Fields(q) {
			// Hidden text must not be found by searching for it.
			w = append(w, "i.hidden = ? AND i.body LIKE ? ESCAPE '\\'")
			args = append(args, false, "%"+likeEscape(word)+"%")
		}
	}
	return "WHERE " + strings.Join(w, " AND "), args, nil
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// List returns a page of a community's items, newest first. Everything in
// it is public; pages show PublicBody and PublicName.
func (s *Service) List(ctx context.Context, communityID int64, f Filter) (*ListPage, error) {
	where, args, err := f.where(communityID)
	if err != nil {
		return nil, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	p := &ListPage{Page: f.Page}
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM qa_items i "+where, args...).Scan(&p.Total); err != nil {
			return fmt.Errorf("count qa items: %w", err)
		}
		var err error
		p.Items, err = queryItems(ctx, tx, where+fmt.Sprintf(" ORDER BY i.received_at DESC, i.id DESC LIMIT %d OFFSET %d", PageSize, (f.Page-1)*PageSize), args...)
		return err
	})
	p.Pages = (p.Total + PageSize - 1) / PageSize
	return p, err
}

// Export returns all of a community's items, oldest first, for the open
// data export (public fields only are written by the caller).
func (s *Service) Export(ctx context.Context, communityID int64) ([]*Item, error) {
	var out []*Item
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = queryItems(ctx, tx, "WHERE i.community_id = ? ORDER BY i.id", communityID)
		return err
	})
	return out, err
}

// View is an item with its timeline.
type View struct {
	Item       *Item
	Events     []Event
	ReferredTo string // name of the unit it was referred to
	Community  string
}

func viewTx(ctx context.Context, tx *store.Tx, it *Item) (*View, error) {
	v := &View{Item: it}
	var err error
	if v.Events, err = timelineTx(ctx, tx, it.CommunityID, it.ID); err != nil {
		return nil, err
	}
	if it.ReferredTo != 0 {
		if v.ReferredTo, err = unitName(ctx, tx, it.ReferredTo); err != nil {
			return nil, err
		}
	}
	v.Community, err = unitName(ctx, tx, it.CommunityID)
	return v, err
}

// Public returns an item of a community as anyone may see it: the page
// shows PublicBody, PublicName and the timeline; contact is cleared.
func (s *Service) Public(ctx context.Context, communityID, id int64) (*View, error) {
	return s.viewWithoutContact(ctx, func(tx *store.Tx) (*Item, error) { return itemTx(ctx, tx, communityID, id) })
}

// viewWithoutContact is the view of the item load finds, its stored
// contact cleared.
func (s *Service) viewWithoutContact(ctx context.Context, load func(*store.Tx) (*Item, error)) (*View, error) {
	var v *View
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := load(tx)
		if err != nil {
			return err
		}
		it.Contact = ""
		v, err = viewTx(ctx, tx, it)
		return err
	})
	return v, err
}

// ForCadre returns an item with the resident's contact, for a cadre of its
// community.
func (s *Service) ForCadre(ctx context.Context, a *mingbai.Actor, communityID, id int64) (*View, error) {
	var v *View
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := cadreItem(ctx, tx, a, communityID, id)
		if err != nil {
			return err
		}
		v, err = viewTx(ctx, tx, it)
		return err
	})
	return v, err
}

// ForReferee returns a referred item to the street or department staff it
// was referred to, with the resident's contact so they can follow up.
func (s *Service) ForReferee(ctx context.Context, a *mingbai.Actor, id int64) (*View, error) {
	var v *View
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		it, err := referredItemTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		v, err = viewTx(ctx, tx, it)
		return err
	})
	return v, err
}

// ByCode returns the item a tracking code follows. The code holder sees
// their own text (hidden or not) but not the stored contact.
func (s *Service) ByCode(ctx context.Context, code string) (*View, error) {
	return s.viewWithoutContact(ctx, func(tx *store.Tx) (*Item, error) { return itemByCodeTx(ctx, tx, code) })
}

// sortByDue orders items overdue first, then by next due date.
func sortByDue(items []*Item, now time.Time) {
	slices.SortStableFunc(items, func(a, b *Item) int {
		ao, bo := a.Overdue(now), b.Overdue(now)
		if ao != bo {
			if ao {
				return -1
			}
			return 1
		}
		if c := a.NextDue().Compare(b.NextDue()); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
}

// Mine returns what an account submitted itself (我的提问), newest first.
func (s *Service) Mine(ctx context.Context, a *mingbai.Actor) ([]*Item, error) {
	if a.Anonymous() {
		return nil, nil
	}
	var out []*Item
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = queryItems(ctx, tx, "WHERE i.user_id = ? ORDER BY i.id DESC LIMIT 200", a.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("items of account %d: %w", a.UserID, err)
	}
	return out, nil
}

// Inbox returns a community's open items for its cadres, overdue first,
// then by due date.
func (s *Service) Inbox(ctx context.Context, a *mingbai.Actor, communityID int64) ([]*Item, error) {
	if !a.Has(mingbai.RoleCadre, communityID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部可以查看待办。")
	}
	return s.itemsByDue(ctx, "WHERE i.community_id = ? AND i.status IN ('received', 'studying', 'referred')", communityID)
}

// itemsByDue returns the items where selects, the most urgent first.
func (s *Service) itemsByDue(ctx context.Context, where string, args ...any) ([]*Item, error) {
	var out []*Item
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = queryItems(ctx, tx, where, args...)
		return err
	})
	sortByDue(out, s.clock())
	return out, err
}

// OverdueItem is an overdue item with its community's name.
type OverdueItem struct {
	*Item
	CommunityName string
	CommunitySlug string
	DaysLate      int // working days past the due date
}

// Late is how late the item is, as the street's list says it: past the
// end of its due day but with no whole working day since (a weekend) it
// is 不到 1 个工作日, never 0.
func (o OverdueItem) Late() string {
	if o.DaysLate < 1 {
		return "不到 1 个工作日"
	}
	return fmt.Sprintf("%d 个工作日", o.DaysLate)
}

// StreetOverdue lists the overdue items of a street's communities for its
// officers: they appear by themselves once a deadline passes.
func (s *Service) StreetOverdue(ctx context.Context, a *mingbai.Actor, streetID int64) ([]OverdueItem, error) {
	if !a.OfficerOf(streetID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本街道干部可以查看。")
	}
	now := s.clock()
	var out []OverdueItem
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		items, err := queryItems(ctx, tx, "WHERE i.street_id = ? AND i.status IN ('received', 'studying', 'referred') AND (i.reply_due < ? OR (i.status = 'received' AND i.ack_due < ?))",
			streetID, now, now)
		if err != nil {
			return err
		}
		sortByDue(items, now)
		names := map[int64][2]string{}
		for _, it := range items {
			if !it.Overdue(now) {
				continue
			}
			n, ok := names[it.CommunityID]
			if !ok {
				if err := tx.QueryRow(ctx, "SELECT name, slug FROM org_units WHERE id = ?", it.CommunityID).Scan(&n[0], &n[1]); err != nil {
					return fmt.Errorf("community name: %w", err)
				}
				names[it.CommunityID] = n
			}
			out = append(out, OverdueItem{Item: it, CommunityName: n[0], CommunitySlug: n[1], DaysLate: s.Calendar().WorkdaysBetween(it.NextDue(), now)})
		}
		return nil
	})
	return out, err
}

// Referrals lists the items referred to the actor's streets and
// departments, open ones first.
func (s *Service) Referrals(ctx context.Context, a *mingbai.Actor) ([]*Item, error) {
	units := append(a.Units(mingbai.RoleStreetOfficer), a.Units(mingbai.RoleClerk)...)
	if len(units) == 0 {
		return nil, nil
	}
	args := make([]any, len(units))
	for i, u := range units {
		args[i] = u
	}
	return s.itemsByDue(ctx, "WHERE i.referred_to IN ("+store.Placeholders(len(units))+") ORDER BY i.id DESC LIMIT 200", args...)
}

// Unit is an org unit an item can be referred to.
type Unit struct {
	ID   int64
	Name string
}

// ReferTargets lists where a community's cadres may refer an item: its
// street and the departments of its district.
func (s *Service) ReferTargets(ctx context.Context, communityID int64) ([]Unit, error) {
	var out []Unit
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		c, err := org.LoadCommunity(ctx, tx, communityID, false)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, name FROM org_units WHERE archived_at IS NULL AND
			((kind = 'street' AND id = ?) OR (kind = 'department' AND district_id = ?)) ORDER BY kind DESC, position, id`, c.ParentID, c.DistrictID)
		if err != nil {
			return fmt.Errorf("refer targets: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var u Unit
			if err := rows.Scan(&u.ID, &u.Name); err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// RecentReplies returns the newest replies of a community for its Atom
// feed; replies to hidden items are left out.
func (s *Service) RecentReplies(ctx context.Context, communityID int64, limit int) ([]FeedEntry, error) {
	var out []FeedEntry
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT e.id FROM qa_events e JOIN qa_items i ON i.id = e.item_id
			WHERE e.community_id = ? AND e.kind = 'reply' AND i.hidden = ? ORDER BY e.id DESC LIMIT ?`, communityID, false, limit)
		if err != nil {
			return fmt.Errorf("recent replies: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			var itemID int64
			if err := tx.QueryRow(ctx, "SELECT item_id FROM qa_events WHERE id = ?", id).Scan(&itemID); err != nil {
				return err
			}
			it, err := itemTx(ctx, tx, communityID, itemID)
			if err != nil {
				return err
			}
			it.Contact = ""
			evs, err := timelineTx(ctx, tx, communityID, itemID)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.ID == id {
					out = append(out, FeedEntry{Item: it, Reply: e})
				}
			}
		}
		return nil
	})
	return out, err
}

// FeedEntry is one reply in a feed.
type FeedEntry struct {
	Item  *Item
	Reply Event
}

// Template is a cadre's answer template.
type Template struct {
	ID    int64
	Title string
	Body  string
}

// Templates lists a community's answer templates, for its cadres.
func (s *Service) Templates(ctx context.Context, a *mingbai.Actor, communityID int64) ([]Template, error) {
	if !a.Has(mingbai.RoleCadre, communityID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部可以使用答复模板。")
	}
	var out []Template
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, title, body FROM qa_templates WHERE community_id = ? ORDER BY id", communityID)
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t Template
			if err := rows.Scan(&t.ID, &t.Title, &t.Body); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// AddTemplate stores an answer template.
func (s *Service) AddTemplate(ctx context.Context, a *mingbai.Actor, communityID int64, title, body string) error {
	if !a.Has(mingbai.RoleCadre, communityID) {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部可以编写答复模板。")
	}
	title, err := zh.Text{Field: "title", Label: "模板名称", Min: 2, Max: 30}.Clean(title)
	if err != nil {
		return err
	}
	if body, err = (zh.Text{Field: "body", Label: "模板内容", Min: 2, Max: MaxBody, Multiline: true}).Clean(body); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO qa_templates (community_id, title, body, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			communityID, title, body, a.UserID, s.clock())
		return err
	})
}
