package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"mingbai"
	"mingbai/internal/notice"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Complaints (举报投诉) about a community's committee go to its supervision
// committee (居务监督委员会) and its street, never to its cadres: every
// method here refuses an actor who is a cadre of the complaint's community,
// whatever other roles that actor holds. The complainant's identity (name,
// contact, account) is shown only to the street officer who handles it.

// ComplaintCategories are what complaints are about, in form order.
var ComplaintCategories = []string{"财务问题", "工作作风", "违规办事", "优亲厚友", "公开不实", "其他"}

// ComplaintStatus is where a complaint is.
type ComplaintStatus string

// The statuses.
const (
	ComplaintReceived  ComplaintStatus = "received"
	ComplaintHandling  ComplaintStatus = "handling"
	ComplaintConcluded ComplaintStatus = "concluded"
)

// Label is the Chinese name of a status.
func (s ComplaintStatus) Label() string {
	switch s {
	case ComplaintReceived:
		return "已收到"
	case ComplaintHandling:
		return "办理中"
	case ComplaintConcluded:
		return "已办结"
	}
	return string(s)
}

// Complaint outcomes.
const (
	Substantiated   = "substantiated"   // 属实
	PartlyFound     = "partly"          // 部分属实
	Unsubstantiated = "unsubstantiated" // 不属实
)

// ComplaintOutcomes lists the outcomes in form order.
var ComplaintOutcomes = []string{Substantiated, PartlyFound, Unsubstantiated}

// ComplaintOutcomeLabel is the Chinese name of an outcome.
func ComplaintOutcomeLabel(o string) string {
	switch o {
	case Substantiated:
		return "属实"
	case PartlyFound:
		return "部分属实"
	case Unsubstantiated:
		return "不属实"
	}
	return "—"
}

// Complaint is a complaint as its reader may see it: Name, Contact and
// UserID are empty unless the reader is its handler.
type Complaint struct {
	ID            int64
	CommunityID   int64
	CommunityName string
	StreetID      int64
	Code          string
	Category      string
	Body          string
	Anonymous     bool
	Name          string
	Contact       string
	UserID        int64
	Status        ComplaintStatus
	HandlerID     int64
	HandlerName   string
	Outcome       string
	Conclusion    string
	ReceivedAt    time.Time
	TakenAt       *time.Time
	ConcludedAt   *time.Time
	// IdentityShown says the reader is the handler and sees the identity.
	IdentityShown bool
}

// ComplaintSubmission is a complaint as sent.
type ComplaintSubmission struct {
	Category  string
	Body      string
	Anonymous bool
	Name      string
	Contact   string
	IP        string
	Honeypot  string
	Key       string // the form's submission key, as Submission.Key
}

// Complain stores a complaint about a community's committee. It may be
// anonymous; otherwise a name or contact is required so the handler can
// answer.
func (s *Service) Complain(ctx context.Context, a *mingbai.Actor, communityID int64, sub ComplaintSubmission) (*Receipt, error) {
	if sub.Honeypot != "" {
		return nil, mingbai.Errorf(mingbai.EINVALID, "提交没有成功，请刷新页面后重新填写。")
	}
	if !slices.Contains(ComplaintCategories, sub.Category) {
		return nil, mingbai.FieldError("category", "请选择一个类别")
	}
	body, err := zh.Text{Field: "body", Label: "举报内容", Min: 10, Max: MaxBody, Multiline: true}.Clean(sub.Body)
	if err != nil {
		return nil, err
	}
	name, err := zh.Text{Field: "name", Label: "姓名", Max: MaxNickname}.Clean(sub.Name)
	if err != nil {
		return nil, err
	}
	contact, err := zh.Text{Field: "contact", Label: "联系方式", Max: MaxContact}.Clean(sub.Contact)
	if err != nil {
		return nil, err
	}
	key, err := submitKeyHash(sub.Key)
	if err != nil {
		return nil, err
	}
	var uid any
	if sub.Anonymous {
		name, contact = "", ""
	} else {
		if name == "" && contact == "" {
			return nil, mingbai.FieldError("name", "实名举报请填写姓名或联系方式；不愿留名可以选择匿名")
		}
		if !a.Anonymous() {
			uid = a.UserID
		}
	}
	st, err := s.hot(ctx)
	if err != nil {
		return nil, err
	}
	var rc Receipt
	err = s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		c, rules, err := communityRulesTx(ctx, tx, communityID, true)
		if err != nil {
			return err
		}
		hash := bodyHash(body)
		if found, err := bySubmitKey(ctx, tx, "qa_complaints", communityID, key, hash, &rc); found || err != nil {
			return err
		}
		now := s.clock()
		if err := throttle(ctx, tx, st, a, sub.IP, rules, now); err != nil {
			return err
		}
		var dup int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM qa_complaints WHERE community_id = ? AND body_hash = ? AND received_at > ?",
			communityID, hash, now.Add(-DuplicateWindow)).Scan(&dup); err != nil {
			return fmt.Errorf("duplicate complaint check: %w", err)
		}
		if dup > 0 {
			return mingbai.FieldError("body", "同样的内容 24 小时内已经提交过，无需重复提交。")
		}
		for attempt := 0; ; attempt++ {
			code := newCode()
			err := tx.Savepoint(ctx, "qa_ccode", func() error {
				var err error
				rc.ID, err = tx.InsertID(ctx, `INSERT INTO qa_complaints (community_id, street_id, district_id, code, category, body, body_hash,
					anonymous, name, contact, user_id, ip, status, received_at, submit_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					communityID, c.ParentID, c.DistrictID, code, sub.Category, body, hash, sub.Anonymous, name, contact, uid, sub.IP, string(ComplaintReceived), now, key)
				return err
			})
			if err == nil {
				rc.Code = code
				break
			}
			if !store.IsUniqueViolation(err) || attempt >= 3 {
				return fmt.Errorf("insert complaint: %w", err)
			}
			// The code is taken, or the same form was stored by a
			// concurrent request (a double click) that has committed.
			if found, err := bySubmitKey(ctx, tx, "qa_complaints", communityID, key, hash, &rc); found || err != nil {
				return err
			}
		}
		text := fmt.Sprintf("%s收到一件新的举报投诉（%s），请及时办理。", c.Name, sub.Category)
		n := notice.Note{Community: communityID, Kind: "complaint", Text: text,
			Link: fmt.Sprintf("/complaints/%d", rc.ID), Dedup: fmt.Sprintf("complaint:%d", rc.ID)}
		if err := notice.ToRole(ctx, tx, mingbai.RoleStreetOfficer, c.ParentID, n, now); err != nil {
			return err
		}
		if err := notice.ToRole(ctx, tx, mingbai.RoleSupervisor, communityID, n, now); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rc, nil
}

const complaintColumns = `c.id, c.community_id, u.name, c.street_id, c.code, c.category, c.body, c.anonymous, c.name, c.contact, c.user_id,
	c.status, c.handler_id, COALESCE(h.name, ''), c.outcome, c.conclusion, c.received_at, c.taken_at, c.concluded_at`

const complaintFrom = ` FROM qa_complaints c JOIN org_units u ON u.id = c.community_id LEFT JOIN users h ON h.id = c.handler_id `

func scanComplaint(sc scanner) (*Complaint, error) {
	var c Complaint
	var status string
	var uid, handler sql.NullInt64
	var taken, concluded sql.NullTime
	err := sc.Scan(&c.ID, &c.CommunityID, &c.CommunityName, &c.StreetID, &c.Code, &c.Category, &c.Body, &c.Anonymous, &c.Name, &c.Contact, &uid,
		&status, &handler, &c.HandlerName, &c.Outcome, &c.Conclusion, &c.ReceivedAt, &taken, &concluded)
	if err != nil {
		return nil, err
	}
	c.Status, c.UserID, c.HandlerID = ComplaintStatus(status), uid.Int64, handler.Int64
	c.TakenAt, c.ConcludedAt = timePtr(taken), timePtr(concluded)
	return &c, nil
}

// canReadComplaint: an officer of the complaint's street or a supervisor
// of its community, and never a cadre of that community.
func canReadComplaint(a *mingbai.Actor, c *Complaint) bool {
	if a.Anonymous() || a.Has(mingbai.RoleCadre, c.CommunityID) {
		return false
	}
	return a.OfficerOf(c.StreetID) || a.Has(mingbai.RoleSupervisor, c.CommunityID)
}

// redact clears the complainant's identity unless a handles it.
func redact(a *mingbai.Actor, c *Complaint) {
	if c.HandlerID != 0 && c.HandlerID == a.UserID && a.OfficerOf(c.StreetID) {
		c.IdentityShown = true
		return
	}
	c.Name, c.Contact, c.UserID = "", "", 0
}

var errComplaintNotFound = mingbai.Errorf(mingbai.ENOTFOUND, "找不到这件举报投诉。")

func complaintTx(ctx context.Context, tx *store.Tx, a *mingbai.Actor, id int64) (*Complaint, error) {
	c, err := scanComplaint(tx.QueryRow(ctx, "SELECT "+complaintColumns+complaintFrom+"WHERE c.id = ?", id))
	if err := store.RowErr(err, errComplaintNotFound, fmt.Sprintf("load complaint %d", id)); err != nil {
		return nil, err
	}
	if !canReadComplaint(a, c) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "举报投诉只有本社区居务监督委员会和街道可以查看。")
	}
	return c, nil
}

// Complaint returns one complaint to someone who may read it.
func (s *Service) Complaint(ctx context.Context, a *mingbai.Actor, id int64) (*Complaint, error) {
	var c *Complaint
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = complaintTx(ctx, tx, a, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	redact(a, c)
	return c, nil
}

// StreetComplaints lists the complaints about a street's communities, for
// its officers, leaving out communities where the officer is also a cadre.
func (s *Service) StreetComplaints(ctx context.Context, a *mingbai.Actor, streetID int64) ([]*Complaint, error) {
	if !a.OfficerOf(streetID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本街道干部可以查看举报投诉。")
	}
	return s.complaints(ctx, a, "c.street_id = ?", streetID)
}

// CommunityComplaints lists the complaints about a community for its
// supervision committee.
func (s *Service) CommunityComplaints(ctx context.Context, a *mingbai.Actor, communityID int64) ([]*Complaint, error) {
	if !a.Has(mingbai.RoleSupervisor, communityID) || a.Has(mingbai.RoleCadre, communityID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区居务监督委员会成员可以查看举报投诉。")
	}
	return s.complaints(ctx, a, "c.community_id = ?", communityID)
}

func (s *Service) complaints(ctx context.Context, a *mingbai.Actor, cond string, id int64) ([]*Complaint, error) {
	var out []*Complaint
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+complaintColumns+complaintFrom+"WHERE "+cond+" ORDER BY c.id DESC LIMIT 500", id)
		if err != nil {
			return fmt.Errorf("complaints: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				return fmt.Errorf("scan complaint: %w", err)
			}
			if canReadComplaint(a, c) {
				redact(a, c)
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	return out, err
}

// TakeComplaint makes an officer of the complaint's street its handler,
// who alone then sees the complainant's identity.
func (s *Service) TakeComplaint(ctx context.Context, a *mingbai.Actor, id int64) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		c, err := complaintTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.OfficerOf(c.StreetID) {
			return mingbai.Errorf(mingbai.EFORBIDDEN, "举报投诉由街道干部承办；监督委员会成员可以查看和跟进。")
		}
		if c.HandlerID != 0 {
			return mingbai.Errorf(mingbai.ECONFLICT, "这件已由%s承办。", c.HandlerName)
		}
		now := s.clock()
		_, err = tx.Exec(ctx, "UPDATE qa_complaints SET handler_id = ?, status = ?, taken_at = ? WHERE id = ? AND handler_id IS NULL",
			a.UserID, string(ComplaintHandling), now, id)
		return err
	})
}

// ConcludeComplaint records the handler's finding. The conclusion text
// stays with the handlers; only the outcome is counted publicly.
func (s *Service) ConcludeComplaint(ctx context.Context, a *mingbai.Actor, id int64, outcome, conclusion string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		c, err := complaintTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if c.HandlerID != a.UserID {
			return mingbai.Errorf(mingbai.EFORBIDDEN, "只有承办人可以办结。")
		}
		if !slices.Contains(ComplaintOutcomes, outcome) {
			return mingbai.FieldError("outcome", "请选择核查结果：属实、部分属实或不属实")
		}
		conclusion, err := zh.Text{Field: "conclusion", Label: "办理结论", Min: 4, Max: MaxBody, Multiline: true}.Clean(conclusion)
		if err != nil {
			return err
		}
		if c.Status == ComplaintConcluded {
			return mingbai.Errorf(mingbai.ECONFLICT, "这件已经办结。")
		}
		_, err = tx.Exec(ctx, "UPDATE qa_complaints SET status = ?, outcome = ?, conclusion = ?, concluded_at = ? WHERE id = ?",
			string(ComplaintConcluded), outcome, conclusion, s.clock(), id)
		return err
	})
}

// ComplaintReceipt is what the complainant sees by tracking code: status
// and outcome, nothing about who handles it.
type ComplaintReceipt struct {
	Code        string
	Community   string
	Category    string
	Status      ComplaintStatus
	Outcome     string
	Conclusion  string
	ReceivedAt  time.Time
	ConcludedAt *time.Time
}

// DisplayCode is the code in two groups of five, as a question's.
func (rc *ComplaintReceipt) DisplayCode() string { return FormatCode(rc.Code) }

// IsComplaintCode reports whether code (normalized) is a complaint's, so
// one lookup (查进度) takes the codes of questions and complaints alike.
func (s *Service) IsComplaintCode(ctx context.Context, code string) (bool, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM qa_complaints WHERE code = ?", code).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("look up code: %w", err)
	}
	return n > 0, nil
}

// TrackComplaint returns a complaint's progress to the holder of its code.
func (s *Service) TrackComplaint(ctx context.Context, code string) (*ComplaintReceipt, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, errMalformedCode
	}
	var r ComplaintReceipt
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var status string
		var concluded sql.NullTime
		err := tx.QueryRow(ctx, `SELECT c.code, u.name, c.category, c.status, c.outcome, c.conclusion, c.received_at, c.concluded_at
			FROM qa_complaints c JOIN org_units u ON u.id = c.community_id WHERE c.code = ?`, code).
			Scan(&r.Code, &r.Community, &r.Category, &status, &r.Outcome, &r.Conclusion, &r.ReceivedAt, &concluded)
		if errors.Is(err, sql.ErrNoRows) {
			return errUnknownCode
		}
		r.Status, r.ConcludedAt = ComplaintStatus(status), timePtr(concluded)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ComplaintStats are the public, aggregate figures of complaints: counts
// by category and outcome and the median handling time, no identities and
// no texts.
type ComplaintStats struct {
	Received, Concluded int
	ByCategory          []CategoryCount
	ByOutcome           []CategoryCount
	MedianDays          float64 // calendar days from receipt to conclusion, -1 when none
}

// CategoryCount is one row of an aggregate.
type CategoryCount struct {
	Label string
	N     int
}

// ComplaintStatistics counts the complaints received in [from, to) in a
// scope.
func (s *Service) ComplaintStatistics(ctx context.Context, sc Scope, from, to time.Time) (*ComplaintStats, error) {
	cond, id := sc.where()
	st := &ComplaintStats{MedianDays: -1}
	byCat := map[string]int{}
	byOut := map[string]int{}
	var days []float64
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT category, outcome, received_at, concluded_at FROM qa_complaints WHERE "+cond+" AND received_at >= ? AND received_at < ?", id, from.UTC(), to.UTC())
		if err != nil {
			return fmt.Errorf("complaint stats: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var cat, out string
			var rec time.Time
			var con sql.NullTime
			if err := rows.Scan(&cat, &out, &rec, &con); err != nil {
				return err
			}
			st.Received++
			byCat[cat]++
			if con.Valid {
				st.Concluded++
				byOut[out]++
				days = append(days, con.Time.Sub(rec).Hours()/24)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, c := range ComplaintCategories {
		if byCat[c] > 0 {
			st.ByCategory = append(st.ByCategory, CategoryCount{c, byCat[c]})
		}
	}
	for _, o := range ComplaintOutcomes {
		st.ByOutcome = append(st.ByOutcome, CategoryCount{ComplaintOutcomeLabel(o), byOut[o]})
	}
	if n := len(days); n > 0 {
		slices.Sort(days)
		st.MedianDays = days[n/2]
		if n%2 == 0 {
			st.MedianDays = (days[n/2-1] + days[n/2]) / 2
		}
		st.MedianDays = float64(int(st.MedianDays*10+0.5)) / 10
	}
	return st, nil
}

// OutcomeLabel is the Chinese name of the complaint's outcome.
func (c *Complaint) OutcomeLabel() string { return ComplaintOutcomeLabel(c.Outcome) }

// OutcomeLabel is the Chinese name of the complaint's outcome.
func (r *ComplaintReceipt) OutcomeLabel() string { return ComplaintOutcomeLabel(r.Outcome) }
