// Package qa is the 提问栏/回音栏 of a community: residents ask questions and
// make suggestions (意见箱), with or without an account, and follow them by
// a tracking code (查询码); cadres acknowledge, study and reply by deadlines
// counted in working days; the street and departments answer what is
// referred to them in the same thread; every reply, outcome, extension and
// hiding is a leaf in the transparency log. Complaints about a community's
// committee (举报投诉) live here too, in a table of their own that only the
// community's supervision committee and its street can reach.
//
// The service enforces who may do what itself: every method that changes or
// reads non-public data takes the acting account and checks its role on the
// item's community, street or department.
package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// Kind is what a resident sends.
type Kind string

// The kinds of items.
const (
	Question   Kind = "question"   // 提问
	Suggestion Kind = "suggestion" // 意见建议
)

// Label is the Chinese name of a kind.
func (k Kind) Label() string {
	if k == Suggestion {
		return "意见建议"
	}
	return "提问"
}

// Channel is how an item reached the community.
type Channel string

// The channels. Anything but Online is recorded by a cadre for a resident.
const (
	Online   Channel = "online"    // 网上提交
	Paper    Channel = "paper"     // 纸条/意见箱
	Hotline  Channel = "hotline"   // 电话
	InPerson Channel = "in_person" // 当面
)

// Channels lists the channels a cadre may record, in form order.
var Channels = []Channel{Paper, Hotline, InPerson}

// Label is the Chinese name of a channel.
func (c Channel) Label() string {
	switch c {
	case Online:
		return "网上提交"
	case Paper:
		return "纸条/意见箱"
	case Hotline:
		return "电话"
	case InPerson:
		return "当面反映"
	}
	return string(c)
}

// Status is where an item is in its workflow.
type Status string

// The statuses, in workflow order.
const (
	Received  Status = "received"  // 已收到，待受理
	Studying  Status = "studying"  // 研究中 (受理后)
	Referred  Status = "referred"  // 已转办，待街道或部门答复
	Replied   Status = "replied"   // 已回音
	Confirmed Status = "confirmed" // 居民已确认
	Merged    Status = "merged"    // 与另一条合并
)

// Statuses lists the statuses in filter order.
var Statuses = []Status{Received, Studying, Referred, Replied, Confirmed, Merged}

// Label is the Chinese name of a status.
func (s Status) Label() string {
	switch s {
	case Received:
		return "待受理"
	case Studying:
		return "研究中"
	case Referred:
		return "已转办"
	case Replied:
		return "已回音"
	case Confirmed:
		return "居民已确认"
	case Merged:
		return "已合并"
	}
	return string(s)
}

// Open reports whether the item still waits for an answer.
func (s Status) Open() bool { return s == Received || s == Studying || s == Referred }

// Outcome is what became of a question or suggestion.
type Outcome string

// The outcomes.
const (
	Adopted    Outcome = "adopted"     // 采纳
	Partly     Outcome = "partly"      // 部分采纳
	NotAdopted Outcome = "not_adopted" // 不采纳 (reason required)
	ReferredTo Outcome = "referred"    // 转办
)

// Outcomes lists the outcomes a reply may give, in form order.
var Outcomes = []Outcome{Adopted, Partly, NotAdopted, ReferredTo}

// Label is the Chinese name of an outcome.
func (o Outcome) Label() string {
	switch o {
	case Adopted:
		return "采纳"
	case Partly:
		return "部分采纳"
	case NotAdopted:
		return "不采纳"
	case ReferredTo:
		return "转办"
	}
	return ""
}

// Categories are what residents ask about, in form order.
var Categories = []string{"环境卫生", "物业管理", "设施维修", "治安安全", "社区服务", "文体活动", "居务公开", "其他"}

func validCategory(c string, list []string) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// Service is the question, suggestion and complaint service.
type Service struct {
	db  *store.DB
	log *tlog.Log
	// cal is the working-day calendar: the official rows compiled in
	// (base) with the rows district admins added (see calendar.go). It is
	// replaced whole when those rows change.
	cal  atomic.Pointer[zh.Calendar]
	base *zh.Calendar
	now  mingbai.Clock

	hotCache hotCache // prepared statements of Submit, see hot.go
}

// NewService returns the service. Every public fact is appended to log in
// the transaction that makes it public; cal counts working days.
func NewService(db *store.DB, log *tlog.Log, cal *zh.Calendar, now mingbai.Clock) *Service {
	if now == nil {
		now = mingbai.SystemClock
	}
	s := &Service{db: db, log: log, base: cal, now: now}
	s.cal.Store(cal)
	return s
}

// Calendar is the working-day calendar the service counts deadlines on.
func (s *Service) Calendar() *zh.Calendar { return s.cal.Load() }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Rules are a district's deadlines and limits (DOMAIN.md defaults).
type Rules struct {
	AckWorkdays          int // acknowledge within
	ReplyWorkdays        int // reply within
	MaxExtensionWorkdays int // one extension of at most
	ReopenDays           int // a resident may reopen within (calendar days)
	IPPerHour            int // submissions from one address per hour
	AccountPerDay        int // submissions from one account per day
}

// DefaultRules are the defaults of DOMAIN.md.
var DefaultRules = Rules{AckWorkdays: 1, ReplyWorkdays: 7, MaxExtensionWorkdays: 7, ReopenDays: 15, IPPerHour: 10, AccountPerDay: 20}

// communityRulesTx loads community id (refusing an archived one when
// forWrite) and its district's rules.
func communityRulesTx(ctx context.Context, tx *store.Tx, id int64, forWrite bool) (*org.Unit, Rules, error) {
	c, err := org.LoadCommunity(ctx, tx, id, forWrite)
	if err != nil {
		return nil, Rules{}, err
	}
	rules, err := rulesTx(ctx, tx, c.DistrictID)
	return c, rules, err
}

func rulesTx(ctx context.Context, tx *store.Tx, district int64) (Rules, error) {
	return scanRules(tx.QueryRow(ctx, rulesSQL, district), district)
}

func scanRules(row *sql.Row, district int64) (Rules, error) {
	r := DefaultRules
	err := row.Scan(&r.AckWorkdays, &r.ReplyWorkdays, &r.MaxExtensionWorkdays, &r.ReopenDays, &r.IPPerHour, &r.AccountPerDay)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRules, nil
	}
	if err != nil {
		return r, fmt.Errorf("qa rules of district %d: %w", district, err)
	}
	return r, nil
}

// Rules returns the rules of a district.
func (s *Service) Rules(ctx context.Context, district int64) (Rules, error) {
	var r Rules
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = rulesTx(ctx, tx, district)
		return err
	})
	return r, err
}

// SetRules changes a district's rules; only its admin may.
func (s *Service) SetRules(ctx context.Context, a *mingbai.Actor, district int64, r Rules) error {
	if !a.IsDistrictAdmin(district) {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以修改答复时限。")
	}
	switch {
	case r.AckWorkdays < 1 || r.AckWorkdays > 15:
		return mingbai.FieldError("ack_workdays", "受理时限应为 1 到 15 个工作日")
	case r.ReplyWorkdays < 1 || r.ReplyWorkdays > 60:
		return mingbai.FieldError("reply_workdays", "答复时限应为 1 到 60 个工作日")
	case r.MaxExtensionWorkdays < 0 || r.MaxExtensionWorkdays > 30:
		return mingbai.FieldError("max_extension_workdays", "延期最多 0 到 30 个工作日")
	case r.ReopenDays < 1 || r.ReopenDays > 90:
		return mingbai.FieldError("reopen_days", "重新提出的期限应为 1 到 90 天")
	case r.IPPerHour < 1 || r.IPPerHour > 1000:
		return mingbai.FieldError("ip_per_hour", "每小时提交上限应为 1 到 1000 次")
	case r.AccountPerDay < 1 || r.AccountPerDay > 1000:
		return mingbai.FieldError("account_per_day", "每天提交上限应为 1 到 1000 次")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := checkDistrict(ctx, tx, district); err != nil {
			return err
		}
		old, err := rulesTx(ctx, tx, district)
		if err != nil {
			return err
		}
		if old == r {
			return nil
		}
		now := s.clock()
		if _, err := tx.Exec(ctx, "DELETE FROM qa_rules WHERE district_id = ?", district); err != nil {
			return fmt.Errorf("set qa rules: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO qa_rules (district_id, ack_workdays, reply_workdays, max_extension_workdays, reopen_days, ip_per_hour, account_per_day, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, district, r.AckWorkdays, r.ReplyWorkdays, r.MaxExtensionWorkdays, r.ReopenDays, r.IPPerHour, r.AccountPerDay, a.UserID, now)
		if err != nil {
			return fmt.Errorf("set qa rules: %w", err)
		}
		// DOMAIN.md: a changed rule is logged with the change itself.
		for i, f := range r.Fields() {
			if was := old.Fields()[i].Value; was != f.Value {
				if err := logSetting(ctx, tx, district, f.Name, strconv.Itoa(was), strconv.Itoa(f.Value), a.UserID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// unitName returns the name of an org unit ("" when unknown).
func unitName(ctx context.Context, tx *store.Tx, id int64) (string, error) {
	var name string
	err := tx.QueryRow(ctx, "SELECT name FROM org_units WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("unit name %d: %w", id, err)
	}
	return name, nil
}

// nullTime turns a nil time into SQL NULL and stores any other in UTC.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// endOfDay is when something due on the Shanghai date of due becomes late:
// the start of the next day.
func endOfDay(due time.Time) time.Time {
	d := due.In(mingbai.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, mingbai.Shanghai)
}
