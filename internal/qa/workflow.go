package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// canHandle reports whether a may work on an item: a cadre of its
// community, or (while or after it is referred) an officer of the street
// or a clerk of the department it was referred to.
func canHandle(a *mingbai.Actor, it *Item) bool {
	if a.Has(mingbai.RoleCadre, it.CommunityID) {
		return true
	}
	return it.ReferredTo != 0 && isReferee(a, it)
}

func isReferee(a *mingbai.Actor, it *Item) bool {
	return it.ReferredTo != 0 && (a.Has(mingbai.RoleStreetOfficer, it.ReferredTo) || a.Has(mingbai.RoleClerk, it.ReferredTo))
}

// cadreItem loads an item for a cadre of its community inside tx: every
// cadre action writes, so an archived community refuses.
func cadreItem(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, id int64) (*Item, error) {
	if !a.Has(mingbai.RoleCadre, communityID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部可以办理。")
	}
	if _, err := org.LoadCommunity(ctx, tx, communityID, true); err != nil {
		return nil, err
	}
	return itemTx(ctx, tx, communityID, id)
}

// openCadreItem is cadreItem for an item not yet answered, which the cadre
// is about to act on (verb: 延期, 答复).
func openCadreItem(ctx context.Context, tx *store.Tx, a *mingbai.Actor, communityID, id int64, verb string) (*Item, error) {
	it, err := cadreItem(ctx, tx, a, communityID, id)
	if err != nil {
		return nil, err
	}
	if it.Status != Received && it.Status != Studying {
		return nil, mingbai.Errorf(mingbai.ECONFLICT, "这条目前是“%s”，不能再%s。", it.Status.Label(), verb)
	}
	return it, nil
}

// Acknowledge marks an item received (受理): it is now in study.
func (s *Service) Acknowledge(ctx context.Context, a *mingbai.Actor, communityID, id int64) error {
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := cadreItem(ctx, tx, a, communityID, id)
		if err != nil {
			return err
		}
		if it.Status != Received {
			return mingbai.Errorf(mingbai.ECONFLICT, "这条已经受理过了。")
		}
		return s.acknowledge(ctx, tx, a, it, s.clock())
	})
}

func (s *Service) acknowledge(ctx context.Context, tx *store.Tx, a *mingbai.Actor, it *Item, now time.Time) error {
	if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, acknowledged_at = ?, updated_at = ? WHERE id = ?", string(Studying), now, now, it.ID); err != nil {
		return fmt.Errorf("acknowledge %d: %w", it.ID, err)
	}
	err := s.addStep(ctx, tx, event{community: it.CommunityID, item: it.ID, kind: EventAcknowledged, unit: it.CommunityID, actor: a.UserID, due: &it.ReplyDue, at: now})
	it.Status = Studying
	return err
}

// Extend moves the reply deadline once, by at most the district's limit,
// with a public reason.
func (s *Service) Extend(ctx context.Context, a *mingbai.Actor, communityID, id int64, workdays int, reason string) error {
	reason, err := zh.Text{Field: "reason", Label: "延期理由", Min: 4, Max: MaxReason, Multiline: true}.Clean(reason)
	if err != nil {
		return err
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := openCadreItem(ctx, tx, a, communityID, id, "延期")
		if err != nil {
			return err
		}
		if it.Extended {
			return mingbai.Errorf(mingbai.ECONFLICT, "每条只能延期一次，这条已经延期过了。")
		}
		_, rules, err := communityRulesTx(ctx, tx, communityID, true)
		if err != nil {
			return err
		}
		if workdays < 1 || workdays > rules.MaxExtensionWorkdays {
			return mingbai.FieldError("workdays", "延期天数应为 1 到 %d 个工作日", rules.MaxExtensionWorkdays)
		}
		now := s.clock()
		if it.Status == Received {
			if err := s.acknowledge(ctx, tx, a, it, now); err != nil {
				return err
			}
		}
		due, prov := s.Calendar().AddWorkdays(it.ReplyDue, workdays)
		if _, err := tx.Exec(ctx, "UPDATE qa_items SET reply_due = ?, extended = ?, due_provisional = ?, updated_at = ? WHERE id = ?",
			due.UTC(), true, it.DueProvisional || prov, now, it.ID); err != nil {
			return fmt.Errorf("extend %d: %w", it.ID, err)
		}
		ev, err := addEvent(ctx, tx, event{community: communityID, item: it.ID, kind: EventExtended, body: reason, unit: communityID, actor: a.UserID, due: &due, at: now})
		if err != nil {
			return err
		}
		_, err = s.appendLeaf(ctx, tx, LeafExtension, ev)
		return err
	})
}

// Answer is a reply with its outcome.
type Answer struct {
	Body    string
	Outcome Outcome
	// Reason is required for NotAdopted; it is added to the reply.
	Reason string
	// ReferTo is the street or department a ReferredTo outcome sends the
	// item to.
	ReferTo int64
}

func cleanAnswer(ans Answer, referee bool) (Answer, error) {
	var err error
	if ans.Body, err = (zh.Text{Field: "body", Label: "回音内容", Min: 2, Max: MaxBody, Multiline: true}).Clean(ans.Body); err != nil {
		return ans, err
	}
	if ans.Reason, err = (zh.Text{Field: "reason", Label: "不采纳的理由", Max: MaxReason, Multiline: true}).Clean(ans.Reason); err != nil {
		return ans, err
	}
	switch ans.Outcome {
	case Adopted, Partly:
	case NotAdopted:
		if ans.Reason == "" {
			return ans, mingbai.FieldError("reason", "不采纳时必须写明理由")
		}
	case ReferredTo:
		if referee {
			return ans, mingbai.FieldError("outcome", "转办事项请直接答复，不能再次转办")
		}
		if ans.ReferTo == 0 {
			return ans, mingbai.FieldError("refer_to", "请选择转办给街道还是哪个部门")
		}
	default:
		return ans, mingbai.FieldError("outcome", "请选择办理结果：采纳、部分采纳、不采纳或转办")
	}
	return ans, nil
}

// Reply answers an item (回音) with its outcome. A referral sends the item
// to the community's street or a department of its district, whose staff
// answer it in the same thread with RefereeReply.
func (s *Service) Reply(ctx context.Context, a *mingbai.Actor, communityID, id int64, ans Answer) error {
	ans, err := cleanAnswer(ans, false)
	if err != nil {
		return err
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := openCadreItem(ctx, tx, a, communityID, id, "答复")
		if err != nil {
			return err
		}
		now := s.clock()
		if it.Status == Received {
			if err := s.acknowledge(ctx, tx, a, it, now); err != nil {
				return err
			}
		}
		if ans.Outcome == ReferredTo {
			c, err := org.LoadCommunity(ctx, tx, communityID, true)
			if err != nil {
				return err
			}
			var kind string
			var district sql.NullInt64
			err = tx.QueryRow(ctx, "SELECT kind, district_id FROM org_units WHERE id = ? AND archived_at IS NULL", ans.ReferTo).Scan(&kind, &district)
			if errors.Is(err, sql.ErrNoRows) || err == nil && !(kind == "street" && ans.ReferTo == c.ParentID || kind == "department" && district.Int64 == c.DistrictID) {
				return mingbai.FieldError("refer_to", "只能转办给本社区所在街道或本区的部门")
			}
			if err != nil {
				return fmt.Errorf("refer to %d: %w", ans.ReferTo, err)
			}
			if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, referred_to = ?, updated_at = ? WHERE id = ?", string(Referred), ans.ReferTo, now, it.ID); err != nil {
				return fmt.Errorf("refer %d: %w", it.ID, err)
			}
			it.ReferredTo = ans.ReferTo
			if err := notifyReferees(ctx, tx, it, now); err != nil {
				return err
			}
		}
		return s.answer(ctx, tx, a, it, ans, communityID, now)
	})
}

// answer records a reply event with its two leaves (the reply and its
// outcome) and, unless it is a referral, closes the item as replied.
func (s *Service) answer(ctx context.Context, tx *store.Tx, a *mingbai.Actor, it *Item, ans Answer, unit int64, now time.Time) error {
	body := ans.Body
	if ans.Reason != "" {
		body += "\n不采纳理由：" + ans.Reason
	}
	ev, err := addEvent(ctx, tx, event{community: it.CommunityID, item: it.ID, kind: EventReply, body: body, outcome: ans.Outcome,
		unit: unit, target: ans.ReferTo, actor: a.UserID, at: now})
	if err != nil {
		return err
	}
	if ans.Outcome != ReferredTo {
		if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, outcome = ?, replied_at = ?, updated_at = ? WHERE id = ?",
			string(Replied), string(ans.Outcome), now, now, it.ID); err != nil {
			return fmt.Errorf("reply %d: %w", it.ID, err)
		}
	}
	if _, err := s.appendLeaf(ctx, tx, LeafReply, ev); err != nil {
		return err
	}
	if _, err := s.appendLeaf(ctx, tx, LeafOutcome, ev); err != nil {
		return err
	}
	if it.UserID != 0 {
		text := fmt.Sprintf("您的%s（查询码 %s）有了回音：%s。", it.Kind.Label(), FormatCode(it.Code), ans.Outcome.Label())
		n := notice.Note{Community: it.CommunityID, Item: it.ID, Kind: "reply", Text: text, Link: "/qa/t/" + it.Code, Dedup: fmt.Sprintf("reply:%d", ev)}
		if err := notice.Add(ctx, tx, it.UserID, n, now); err != nil {
			return err
		}
	}
	return nil
}

// RefereeReply is the answer of the street or department an item was
// referred to, in the item's own thread.
func (s *Service) RefereeReply(ctx context.Context, a *mingbai.Actor, id int64, ans Answer) error {
	ans, err := cleanAnswer(ans, true)
	if err != nil {
		return err
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := referredItemTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if it.Status != Referred {
			return mingbai.Errorf(mingbai.ECONFLICT, "这条已经答复过了。")
		}
		return s.answer(ctx, tx, a, it, ans, it.ReferredTo, s.clock())
	})
}

func referredItemTx(ctx context.Context, tx *store.Tx, a *mingbai.Actor, id int64) (*Item, error) {
	it, err := scanItem(tx.QueryRow(ctx, "SELECT "+itemColumns+" FROM qa_items i WHERE i.id = ? AND i.referred_to IS NOT NULL", id))
	if err := store.RowErr(err, errItemNotFound, fmt.Sprintf("load referred item %d", id)); err != nil {
		return nil, err
	}
	if !isReferee(a, it) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "这条没有转办给您的单位。")
	}
	return it, nil
}

func itemByCodeTx(ctx context.Context, tx *store.Tx, code string) (*Item, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, errMalformedCode
	}
	it, err := scanItem(tx.QueryRow(ctx, "SELECT "+itemColumns+" FROM qa_items i WHERE i.code = ?", code))
	if err := store.RowErr(err, errUnknownCode, "load by code"); err != nil {
		return nil, err
	}
	return it, nil
}

// Confirm records that the resident holding the tracking code accepts the
// answer.
func (s *Service) Confirm(ctx context.Context, code string) error {
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := itemByCodeTx(ctx, tx, code)
		if err != nil {
			return err
		}
		if it.Status != Replied {
			return mingbai.Errorf(mingbai.ECONFLICT, "这条目前是“%s”，还不能确认。", it.Status.Label())
		}
		now := s.clock()
		if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, confirmed_at = ?, updated_at = ? WHERE id = ?", string(Confirmed), now, now, it.ID); err != nil {
			return fmt.Errorf("confirm %d: %w", it.ID, err)
		}
		return s.addStep(ctx, tx, event{community: it.CommunityID, item: it.ID, kind: EventConfirmed, at: now})
	})
}

// CanReopen is the one reopening rule, used by Reopen and by the page that
// shows the button: a replied item, not reopened before, until reopenDays
// after the reply (the last instant included). The error says why not.
func (it *Item) CanReopen(now time.Time, reopenDays int) error {
	if it.Status != Replied || it.RepliedAt == nil {
		return mingbai.Errorf(mingbai.ECONFLICT, "这条目前是“%s”，不能重新提出。", it.Status.Label())
	}
	if it.Reopened {
		return mingbai.Errorf(mingbai.ECONFLICT, "每条只能重新提出一次。如仍不满意，可以向街道反映或提出新的问题。")
	}
	if now.After(it.RepliedAt.AddDate(0, 0, reopenDays)) {
		return mingbai.Errorf(mingbai.ECONFLICT, "回音已超过 %d 天，不能再重新提出。可以提出新的问题。", reopenDays)
	}
	return nil
}

// Reopen sends an answered item back to study, once, within the district's
// reopening period, with the resident's reason. The reply deadline starts
// again.
func (s *Service) Reopen(ctx context.Context, code, reason string) error {
	reason, err := zh.Text{Field: "reason", Label: "重新提出的理由", Min: 4, Max: MaxReason, Multiline: true}.Clean(reason)
	if err != nil {
		return err
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := itemByCodeTx(ctx, tx, code)
		if err != nil {
			return err
		}
		_, rules, err := communityRulesTx(ctx, tx, it.CommunityID, true)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := it.CanReopen(now, rules.ReopenDays); err != nil {
			return err
		}
		due, prov := s.Calendar().AddWorkdays(now, rules.ReplyWorkdays)
		if _, err := tx.Exec(ctx, `UPDATE qa_items SET status = ?, reopened = ?, outcome = '', replied_at = NULL, reply_due = ?,
			due_provisional = ?, referred_to = NULL, updated_at = ? WHERE id = ?`,
			string(Studying), true, due.UTC(), prov, now, it.ID); err != nil {
			return fmt.Errorf("reopen %d: %w", it.ID, err)
		}
		if err := s.addStep(ctx, tx, event{community: it.CommunityID, item: it.ID, kind: EventReopened, body: reason, due: &due, at: now}); err != nil {
			return err
		}
		text := fmt.Sprintf("居民对回音不满意，重新提出了（查询码 %s）：%s", FormatCode(it.Code), truncate(reason, 40))
		return notifyRole(ctx, tx, mingbai.RoleCadre, it.CommunityID, it, "reopened", text, fmt.Sprintf("reopened:%d", it.ID), now)
	})
}

// Hide takes abusive text off the public pages. The fact and the reason
// stay public and go into the log; the text does not.
func (s *Service) Hide(ctx context.Context, a *mingbai.Actor, communityID, id int64, reason string) error {
	reason, err := zh.Text{Field: "reason", Label: "隐藏理由", Min: 4, Max: MaxReason, Multiline: true}.Clean(reason)
	if err != nil {
		return err
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := cadreItem(ctx, tx, a, communityID, id)
		if err != nil {
			return err
		}
		if it.Hidden {
			return mingbai.Errorf(mingbai.ECONFLICT, "这条已经隐藏了。")
		}
		now := s.clock()
		if _, err := tx.Exec(ctx, "UPDATE qa_items SET hidden = ?, updated_at = ? WHERE id = ?", true, now, it.ID); err != nil {
			return fmt.Errorf("hide %d: %w", it.ID, err)
		}
		ev, err := addEvent(ctx, tx, event{community: communityID, item: it.ID, kind: EventHidden, body: reason, unit: communityID, actor: a.UserID, at: now})
		if err != nil {
			return err
		}
		_, err = s.appendLeaf(ctx, tx, LeafHidden, ev)
		return err
	})
}

// Merge folds a duplicate into another open item of the same community;
// the duplicate's page then points to the item that is answered.
func (s *Service) Merge(ctx context.Context, a *mingbai.Actor, communityID, id, into int64) error {
	if id == into {
		return mingbai.FieldError("into", "不能与自己合并")
	}
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		it, err := cadreItem(ctx, tx, a, communityID, id)
		if err != nil {
			return err
		}
		target, err := itemTx(ctx, tx, communityID, into)
		if err != nil {
			return mingbai.FieldError("into", "本社区没有编号为 %d 的提问", into)
		}
		if it.Status != Received && it.Status != Studying {
			return mingbai.Errorf(mingbai.ECONFLICT, "只有尚未答复的事项可以合并。")
		}
		if target.Status == Merged {
			return mingbai.FieldError("into", "第 %d 号本身已合并到其他事项，请合并到第 %d 号", into, target.MergedInto)
		}
		now := s.clock()
		if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, merged_into = ?, updated_at = ? WHERE id = ?", string(Merged), into, now, it.ID); err != nil {
			return fmt.Errorf("merge %d: %w", it.ID, err)
		}
		return s.addStep(ctx, tx, event{community: communityID, item: it.ID, kind: EventMerged, body: mergeBody(into), unit: communityID, actor: a.UserID, at: now})
	})
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
