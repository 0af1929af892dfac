package qa

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/store"
)

// itemLink is where a cadre opens an item.
func itemLink(ctx context.Context, tx *store.Tx, it *Item) (string, error) {
	var slug string
	if err := tx.QueryRow(ctx, "SELECT slug FROM org_units WHERE id = ?", it.CommunityID).Scan(&slug); err != nil {
		return "", fmt.Errorf("community slug: %w", err)
	}
	return fmt.Sprintf("/c/%s/qa/items/%d", slug, it.ID), nil
}

// notifyRole notifies every holder of role on unit about an item.
func notifyRole(ctx context.Context, tx *store.Tx, role mingbai.Role, unit int64, it *Item, kind, text, dedup string, now time.Time) error {
	link, err := itemLink(ctx, tx, it)
	if err != nil {
		return err
	}
	return notice.ToRole(ctx, tx, role, unit, notice.Note{Community: it.CommunityID, Item: it.ID, Kind: kind, Text: text, Link: link, Dedup: dedup}, now)
}

// notifyReferees tells the unit an item was referred to.
func notifyReferees(ctx context.Context, tx *store.Tx, it *Item, now time.Time) error {
	n := notice.Note{Community: it.CommunityID, Item: it.ID, Kind: "referred",
		Text:  fmt.Sprintf("有一条%s转办给您单位，请在原帖中答复。", it.Kind.Label()),
		Link:  fmt.Sprintf("/qa/referred/%d", it.ID),
		Dedup: fmt.Sprintf("referred:%d:%d", it.ID, it.ReferredTo)}
	for _, role := range []mingbai.Role{mingbai.RoleStreetOfficer, mingbai.RoleClerk} {
		if err := notice.ToRole(ctx, tx, role, it.ReferredTo, n, now); err != nil {
			return err
		}
	}
	return nil
}

// Sweep notifies cadres of items due within a working day (reminders) and
// cadres and street officers of items overdue. It is idempotent: each
// reminder or overdue notice is made once per deadline. It returns how
// many items are due or overdue.
//
// It runs every minute, so it first works out what is owed in a read
// transaction, in a few queries however many items are due, and takes
// the write lock only when some notice is still to be made: a sweep that
// finds nothing new costs a few milliseconds and holds up no writer.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.clock()
	soon, _ := s.Calendar().AddWorkdays(now, 1)
	var (
		items []*Item
		owed  []owedNotice
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		items, err = queryItems(ctx, tx, "WHERE i.status IN ('received', 'studying', 'referred') AND i.reply_due < ? ORDER BY i.reply_due, i.id", endOfDay(soon).UTC())
		if err != nil {
			return err
		}
		owed, err = owedNotices(ctx, tx, items, now)
		return err
	})
	if err != nil || len(owed) == 0 {
		return len(items), err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		// notify checks each notice again: another sweep may have made it
		// since the read.
		for _, n := range owed {
			nt := notice.Note{Community: n.item.CommunityID, Item: n.item.ID, Kind: n.kind, Text: n.text, Link: n.link, Dedup: n.dedup}
			if err := notice.Add(ctx, tx, n.user, nt, now); err != nil {
				return err
			}
		}
		return nil
	})
	return len(items), err
}

// owedNotice is a reminder or overdue notice not yet made.
type owedNotice struct {
	user                    int64
	item                    *Item
	kind, text, link, dedup string
}

// owedNotices lists the notices items due or overdue call for, to every
// current holder of the role, less those made already.
func owedNotices(ctx context.Context, tx *store.Tx, items []*Item, now time.Time) ([]owedNotice, error) {
	if len(items) == 0 {
		return nil, nil
	}
	type roleUnit struct {
		role mingbai.Role
		unit int64
	}
	holdersOf := map[roleUnit][]int64{}
	rows, err := tx.Query(ctx, `SELECT g.role, g.unit_id, g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.role IN (?, ?) AND g.revoked_at IS NULL AND u.status = 'active' ORDER BY g.user_id`,
		string(mingbai.RoleCadre), string(mingbai.RoleStreetOfficer))
	if err != nil {
		return nil, fmt.Errorf("sweep: holders: %w", err)
	}
	for rows.Next() {
		var k roleUnit
		var user int64
		if err := rows.Scan(&k.role, &k.unit, &user); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sweep: holders: %w", err)
		}
		holdersOf[k] = append(holdersOf[k], user)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweep: holders: %w", err)
	}

	communities := map[int64]string{}
	itemIDs := make([]int64, 0, len(items))
	for _, it := range items {
		communities[it.CommunityID] = ""
		itemIDs = append(itemIDs, it.ID)
	}
	communityIDs := make([]int64, 0, len(communities))
	for id := range communities {
		communityIDs = append(communityIDs, id)
	}
	err = tx.QueryIn(ctx, "SELECT id, slug FROM org_units WHERE id IN ", communityIDs, func(rows *sql.Rows) error {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		communities[id] = slug
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: community slugs: %w", err)
	}
	type userNotice struct {
		user  int64
		dedup string
	}
	made := map[userNotice]bool{}
	err = tx.QueryIn(ctx, "SELECT user_id, dedup FROM notices WHERE dedup <> '' AND item_id IN ", itemIDs, func(rows *sql.Rows) error {
		var n userNotice
		if err := rows.Scan(&n.user, &n.dedup); err != nil {
			return err
		}
		made[n] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: notices made: %w", err)
	}

	var owed []owedNotice
	owe := func(role mingbai.Role, unit int64, it *Item, kind, text, link, dedup string) {
		for _, user := range holdersOf[roleUnit{role, unit}] {
			if !made[userNotice{user, dedup}] {
				owed = append(owed, owedNotice{user: user, item: it, kind: kind, text: text, link: link, dedup: dedup})
			}
		}
	}
	for _, it := range items {
		slug := communities[it.CommunityID]
		if slug == "" {
			return nil, fmt.Errorf("sweep: item %d: community %d has no slug", it.ID, it.CommunityID)
		}
		link := fmt.Sprintf("/c/%s/qa/items/%d", slug, it.ID)
		due := it.ReplyDue.In(mingbai.Shanghai).Format("1月2日")
		if it.Overdue(now) {
			text := fmt.Sprintf("第 %d 号%s已超过答复期限（%s），请尽快回音。", it.ID, it.Kind.Label(), due)
			key := fmt.Sprintf("overdue:%d:%d", it.ID, it.ReplyDue.Unix())
			owe(mingbai.RoleCadre, it.CommunityID, it, "overdue", text, link, key)
			// The street's officers are told, but the item is the
			// community's to answer: no link to a page they cannot act on.
			owe(mingbai.RoleStreetOfficer, it.StreetID, it, "overdue", "下辖社区"+text, "", key)
		} else {
			text := fmt.Sprintf("第 %d 号%s将于 %s 到期，请按时回音。", it.ID, it.Kind.Label(), due)
			owe(mingbai.RoleCadre, it.CommunityID, it, "due_soon", text, link, fmt.Sprintf("due:%d:%d", it.ID, it.ReplyDue.Unix()))
		}
	}
	return owed, nil
}
