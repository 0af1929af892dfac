package qa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Limits on what a resident may send.
const (
	MaxBody     = 2000 // characters of a question, suggestion or complaint
	minBody     = 5
	MaxNickname = 20
	MaxContact  = 60
	MaxReason   = 500
	// DuplicateWindow is how long the same text to the same community
	// counts as a repeated submission.
	DuplicateWindow = 24 * time.Hour
)

// Item is a question or suggestion. Contact, UserID and Body of a hidden
// item are private: public pages use PublicBody and PublicName.
type Item struct {
	ID             int64
	CommunityID    int64
	StreetID       int64
	Kind           Kind
	Code           string
	Category       string
	Body           string
	Nickname       string
	Contact        string
	Channel        Channel
	UserID         int64
	RecordedBy     int64
	Status         Status
	ReceivedAt     time.Time
	AckDue         time.Time
	AcknowledgedAt *time.Time
	ReplyDue       time.Time
	DueProvisional bool
	Extended       bool
	RepliedAt      *time.Time
	Outcome        Outcome
	ReferredTo     int64
	Reopened       bool
	ConfirmedAt    *time.Time
	Hidden         bool
	MergedInto     int64
	Photos         int
}

// ItemColumns are the columns of qa_items an item sets when it is stored,
// in the order of ItemRow. The 提问栏, its demo and `mingbai gen` write
// items through both, so the row's layout is written once; a new
// submission adds its ip and submit_key.
const ItemColumns = "community_id, street_id, district_id, kind, code, category, body, body_hash, nickname, contact, channel, " +
	"user_id, recorded_by, status, received_at, ack_due, acknowledged_at, reply_due, due_provisional, replied_at, outcome, confirmed_at, updated_at"

// ItemWidth is the number of ItemColumns.
const ItemWidth = 23

// ItemRow returns the values of ItemColumns for it, in district, last
// changed at updated.
func ItemRow(it *Item, district int64, updated time.Time) []any {
	return []any{it.CommunityID, it.StreetID, district, string(it.Kind), it.Code, it.Category, it.Body, bodyHash(it.Body), it.Nickname, it.Contact,
		string(it.Channel), nullInt(it.UserID), nullInt(it.RecordedBy), string(it.Status), it.ReceivedAt.UTC(), it.AckDue.UTC(),
		nullTime(it.AcknowledgedAt), it.ReplyDue.UTC(), it.DueProvisional, nullTime(it.RepliedAt), string(it.Outcome), nullTime(it.ConfirmedAt), updated.UTC()}
}

// PublicBody is the text a public page shows: phone and ID numbers masked,
// nothing at all for a hidden item.
func (it *Item) PublicBody() string {
	if it.Hidden {
		return ""
	}
	return zh.MaskText(it.Body)
}

// PublicName is how a public page names the resident: the name or
// nickname masked (张*), or 居民.
func (it *Item) PublicName() string {
	if strings.TrimSpace(it.Nickname) == "" {
		return "居民"
	}
	return zh.MaskText(zh.MaskName(it.Nickname))
}

// NextDue is the next deadline: acknowledgement while received, the reply
// after that.
func (it *Item) NextDue() time.Time {
	if it.Status == Received && it.AckDue.Before(it.ReplyDue) {
		return it.AckDue
	}
	return it.ReplyDue
}

// Overdue reports whether the item is open past a deadline at now.
func (it *Item) Overdue(now time.Time) bool {
	if !it.Status.Open() {
		return false
	}
	if it.Status == Received && !now.Before(endOfDay(it.AckDue)) {
		return true
	}
	return !now.Before(endOfDay(it.ReplyDue))
}

// RepliedOnTime reports whether the reply came by its due date.
func (it *Item) RepliedOnTime() bool {
	return it.RepliedAt != nil && it.RepliedAt.Before(endOfDay(it.ReplyDue))
}

// FormatCode shows a tracking code in two groups of five, easier to read
// over the phone.
func FormatCode(code string) string {
	if len(code) == codeLen {
		return code[:5] + "-" + code[5:]
	}
	return code
}

// codeAlphabet leaves out 0/O, 1/I/L and U/V, which are easily confused
// when read aloud or handwritten.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

const codeLen = 10

// CodeAlphabet and CodeLen describe tracking codes, for bulk loaders that
// draw their own (from a seeded generator).
const (
	CodeAlphabet = codeAlphabet
	CodeLen      = codeLen
)

// newCode returns a random tracking code: 29^10 ≈ 4×10^14 codes, so
// guessing one is hopeless at any rate a server allows.
func newCode() string {
	var b [codeLen]byte
	max := byte(256 - 256%len(codeAlphabet))
	out := make([]byte, 0, codeLen)
	for len(out) < codeLen {
		rand.Read(b[:])
		for _, c := range b {
			if c < max && len(out) < codeLen {
				out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
			}
		}
	}
	return string(out)
}

// NormalizeCode turns what a resident typed (lower case, spaces, hyphens,
// the full-width letters and digits a Chinese input method gives) into a
// stored code, or "" if it cannot be one.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '！' && r <= '～' { // full-width ASCII
			r = r - '！' + '!'
		}
		switch {
		case r == ' ' || r == '-' || r == '\u3000':
		case r < utf8.RuneSelf && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != codeLen {
		return ""
	}
	return b.String()
}

// bodyHash identifies the same text sent twice, ignoring spacing.
// BodyHash is the duplicate-detection hash of a question's body, as
// qa_items.body_hash stores it.
func BodyHash(body string) string { return bodyHash(body) }

func bodyHash(body string) string {
	h := sha256.Sum256([]byte(strings.Join(strings.FieldsFunc(body, unicode.IsSpace), "")))
	return hex.EncodeToString(h[:])
}

// Submission is a question or suggestion as sent.
type Submission struct {
	Kind     Kind
	Category string
	Body     string
	Nickname string // a name or nickname, shown masked
	Contact  string // phone or email, never shown publicly
	Photos   [][]byte
	// Channel is Online unless a cadre records a submission that came on
	// paper, by phone or in person.
	Channel Channel
	IP      string
	// Honeypot is a form field people never see; a bot fills it.
	Honeypot string
	// Key is the form's submission key (NewSubmitKey), or "" if the
	// client sent none: the same key again returns the first receipt.
	Key string
}

// Receipt is what a resident keeps: the tracking code.
type Receipt struct {
	ID   int64
	Code string
}

// Submit stores a question or suggestion to a community and returns its
// tracking code. Anyone may submit; a cadre of the community may record one
// that came on paper, by phone or in person, naming the channel.
func (s *Service) Submit(ctx context.Context, a *mingbai.Actor, communityID int64, sub Submission) (*Receipt, error) {
	if sub.Honeypot != "" {
		return nil, mingbai.Errorf(mingbai.EINVALID, "提交没有成功，请刷新页面后重新填写。")
	}
	if sub.Kind == "" {
		sub.Kind = Question
	}
	if sub.Kind != Question && sub.Kind != Suggestion {
		return nil, mingbai.FieldError("kind", "请选择“提问”或“意见建议”")
	}
	if !validCategory(sub.Category, Categories) {
		return nil, mingbai.FieldError("category", "请选择一个类别")
	}
	body, err := zh.Text{Field: "body", Label: "内容", Min: minBody, Max: MaxBody, Multiline: true}.Clean(sub.Body)
	if err != nil {
		return nil, err
	}
	nick, err := zh.Text{Field: "nickname", Label: "称呼", Max: MaxNickname}.Clean(sub.Nickname)
	if err != nil {
		return nil, err
	}
	contact, err := zh.Text{Field: "contact", Label: "联系方式", Max: MaxContact}.Clean(sub.Contact)
	if err != nil {
		return nil, err
	}
	if strings.Contains(nick, "\n") || strings.Contains(contact, "\n") {
		return nil, mingbai.FieldError("nickname", "称呼和联系方式不能换行")
	}
	key, err := submitKeyHash(sub.Key)
	if err != nil {
		return nil, err
	}
	photos, err := checkPhotos(ctx, sub.Photos)
	if err != nil {
		return nil, err
	}
	if sub.Channel == "" {
		sub.Channel = Online
	}
	recorder := int64(0)
	switch sub.Channel {
	case Online:
	case Paper, Hotline, InPerson:
		if !a.Has(mingbai.RoleCadre, communityID) {
			return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部可以代居民登记纸条、电话或当面反映的事项。")
		}
		recorder = a.UserID
	default:
		return nil, mingbai.FieldError("channel", "请选择收到的途径")
	}
	hash := bodyHash(body)
	st, err := s.hot(ctx)
	if err != nil {
		return nil, err
	}
	var rc Receipt
	err = s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		c, err := org.ScanCommunity(tx.QueryRowStmt(ctx, st.community, communityID), communityID, true)
		if err != nil {
			return err
		}
		rules, err := scanRules(tx.QueryRowStmt(ctx, st.rules, c.DistrictID), c.DistrictID)
		if err != nil {
			return err
		}
		// A form sent again after its first sending was stored: the
		// first receipt, without counting or refusing it as a repeat.
		if found, err := bySubmitKey(ctx, tx, "qa_items", communityID, key, hash, &rc); found || err != nil {
			return err
		}
		now := s.clock()
		if recorder == 0 {
			if err := throttle(ctx, tx, st, a, sub.IP, rules, now); err != nil {
				return err
			}
		}
		var dup int
		if err := tx.QueryRowStmt(ctx, st.duplicate, communityID, hash, now.Add(-DuplicateWindow)).Scan(&dup); err != nil {
			return fmt.Errorf("duplicate check: %w", err)
		}
		if dup > 0 {
			return mingbai.FieldError("body", "同样的内容 24 小时内已经提交过，无需重复提交。请用查询码查看办理进度。")
		}
		cal := s.Calendar()
		ackDue, p1 := cal.AddWorkdays(now, rules.AckWorkdays)
		replyDue, p2 := cal.AddWorkdays(now, rules.ReplyWorkdays)
		var uid int64
		if !a.Anonymous() && recorder == 0 {
			uid = a.UserID
		}
		for attempt := 0; ; attempt++ {
			code := newCode()
			it := &Item{CommunityID: communityID, StreetID: c.ParentID, Kind: sub.Kind, Code: code, Category: sub.Category, Body: body,
				Nickname: nick, Contact: contact, Channel: sub.Channel, UserID: uid, RecordedBy: recorder, Status: Received,
				ReceivedAt: now, AckDue: ackDue, ReplyDue: replyDue, DueProvisional: p1 || p2}
			err := tx.QueryRowStmt(ctx, st.insertItem, append(ItemRow(it, c.DistrictID, now), sub.IP, key)...).Scan(&rc.ID)
			if err == nil {
				rc.Code = code
				break
			}
			if !errors.Is(err, sql.ErrNoRows) || attempt >= 3 {
				return fmt.Errorf("insert qa item: %w", err)
			}
			// No row: the code is taken, or the same form was stored by
			// a concurrent request (a double click) that has committed.
			if found, err := bySubmitKey(ctx, tx, "qa_items", communityID, key, hash, &rc); found || err != nil {
				return err
			}
		}
		for i, p := range photos {
			sum := sha256.Sum256(p.data)
			if _, err := tx.Exec(ctx, "INSERT INTO qa_photos (community_id, item_id, position, mime, sha256, data) VALUES (?, ?, ?, ?, ?, ?)",
				communityID, rc.ID, i+1, p.mime, hex.EncodeToString(sum[:]), p.data); err != nil {
				return fmt.Errorf("insert qa photo: %w", err)
			}
		}
		var eventID int64
		received := EventFacts{Community: communityID, Item: rc.ID, Kind: EventReceived, Body: string(sub.Channel), Due: &replyDue, At: now}
		if err := tx.QueryRowStmt(ctx, st.insertEvent, EventRow(received, recorder)...).Scan(&eventID); err != nil {
			return fmt.Errorf("add qa event %s: %w", EventReceived, err)
		}
		return s.appendQuestionLeaf(ctx, tx, rc.ID)
	})
	if err != nil {
		return nil, err
	}
	return &rc, nil
}

// limit is one rate limit a submission counts against.
type limit struct {
	key    string
	max    int
	window time.Duration
	msg    string
}

// limits are the rate limits of a submission from ip by a.
func limits(a *mingbai.Actor, ip string, rules Rules) []limit {
	var out []limit
	if ip != "" {
		out = append(out, limit{"ip:" + ip, rules.IPPerHour, time.Hour,
			fmt.Sprintf("这台设备一小时内已提交 %d 次，请过一小时再提交。急事请直接拨打社区居委会电话。", rules.IPPerHour)})
	}
	if !a.Anonymous() {
		out = append(out, limit{fmt.Sprintf("user:%d", a.UserID), rules.AccountPerDay, 24 * time.Hour,
			fmt.Sprintf("您的账号今天已提交 %d 次，请明天再提交。急事请直接拨打社区居委会电话。", rules.AccountPerDay)})
	}
	return out
}

// NewSubmitKey returns a random submission key for a form being shown:
// 128 bits, as hard to guess as a tracking code and so as secret, since a
// sending with it returns the first sending's code.
func NewSubmitKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidSubmitKey reports whether key is a key NewSubmitKey could have made.
func ValidSubmitKey(key string) bool {
	b, err := hex.DecodeString(key)
	return err == nil && len(b) == 16 && hex.EncodeToString(b) == key
}

// submitKeyHash checks a submission key and returns the SHA-256 that the
// item keeps (nil for no key).
func submitKeyHash(key string) (any, error) {
	if key == "" {
		return nil, nil
	}
	if !ValidSubmitKey(key) {
		return nil, mingbai.Errorf(mingbai.EINVALID, "提交没有成功，请重新提交这张表。")
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]), nil
}

// ErrFormUsed refuses a form sent again with other text than it was first
// sent with: a resident who went back after sending it and wrote a new
// question would otherwise silently get the first one's receipt. The form
// shown again carries a new key.
var ErrFormUsed = &mingbai.Error{Code: mingbai.ECONFLICT, Message: "这张表已经提交过了，上次提交的内容已收到。如要再提一件事，请在这张新表上重新填写并提交。"}

// bySubmitKey finds the receipt of the submission to a community with the
// key hash (of submitKeyHash) in table, qa_items or qa_complaints. The same
// key with another text (bodyHash) is ErrFormUsed.
func bySubmitKey(ctx context.Context, tx *store.Tx, table string, communityID int64, key any, bodyHash string, rc *Receipt) (bool, error) {
	if key == nil {
		return false, nil
	}
	var hash string
	err := tx.QueryRow(ctx, "SELECT id, code, body_hash FROM "+table+" WHERE community_id = ? AND submit_key = ?", communityID, key).Scan(&rc.ID, &rc.Code, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find %s by submission key: %w", table, err)
	}
	if hash != bodyHash {
		*rc = Receipt{}
		return false, ErrFormUsed
	}
	return true, nil
}

// throttle counts a submission against the address and account limits,
// in the submitting transaction, so a refused submission leaves nothing.
func throttle(ctx context.Context, tx *store.Tx, st *hotStatements, a *mingbai.Actor, ip string, rules Rules, now time.Time) error {
	for _, l := range limits(a, ip, rules) {
		var n int
		if err := tx.QueryRowStmt(ctx, st.throttleCount, l.key, now.Add(-l.window)).Scan(&n); err != nil {
			return fmt.Errorf("throttle %s: %w", l.key, err)
		}
		if n >= l.max {
			return mingbai.Errorf(mingbai.ETOOMANY, "%s", l.msg)
		}
		if _, err := tx.ExecStmt(ctx, st.throttleAdd, l.key, now); err != nil {
			return fmt.Errorf("throttle %s: %w", l.key, err)
		}
	}
	return nil
}

// CheckThrottle refuses, counting nothing, a submission to a community
// from ip by a that the rate limits would refuse now. The web layer asks
// before it reads the request body, so a refused request costs neither
// parsing nor decoding its photos; Submit counts and checks again in its
// transaction.
func (s *Service) CheckThrottle(ctx context.Context, a *mingbai.Actor, communityID int64, ip string) error {
	return s.db.Read(ctx, func(tx *store.Tx) error {
		_, rules, err := communityRulesTx(ctx, tx, communityID, false)
		if err != nil {
			return err
		}
		now := s.clock()
		for _, l := range limits(a, ip, rules) {
			var n int
			if err := tx.QueryRow(ctx, throttleCountSQL, l.key, now.Add(-l.window)).Scan(&n); err != nil {
				return fmt.Errorf("throttle %s: %w", l.key, err)
			}
			if n >= l.max {
				return mingbai.Errorf(mingbai.ETOOMANY, "%s", l.msg)
			}
		}
		return nil
	})
}

// PurgeThrottle removes rate-limit rows older than a day.
func (s *Service) PurgeThrottle(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM qa_throttle WHERE at < ?", s.clock().Add(-24*time.Hour))
		return err
	})
}

const itemColumns = `i.id, i.community_id, i.street_id, i.kind, i.code, i.category, i.body, i.nickname, i.contact, i.channel,
	i.user_id, i.recorded_by, i.status, i.received_at, i.ack_due, i.acknowledged_at, i.reply_due, i.due_provisional, i.extended,
	i.replied_at, i.outcome, i.referred_to, i.reopened, i.confirmed_at, i.hidden, i.merged_into,
	(SELECT COUNT(*) FROM qa_photos p WHERE p.item_id = i.id)`

type scanner interface{ Scan(...any) error }

func scanItem(sc scanner) (*Item, error) {
	var it Item
	var kind, channel, status, outcome string
	var uid, rec, ref, merged sql.NullInt64
	var ack, replied, confirmed sql.NullTime
	err := sc.Scan(&it.ID, &it.CommunityID, &it.StreetID, &kind, &it.Code, &it.Category, &it.Body, &it.Nickname, &it.Contact, &channel,
		&uid, &rec, &status, &it.ReceivedAt, &it.AckDue, &ack, &it.ReplyDue, &it.DueProvisional, &it.Extended,
		&replied, &outcome, &ref, &it.Reopened, &confirmed, &it.Hidden, &merged, &it.Photos)
	if err != nil {
		return nil, err
	}
	it.Kind, it.Channel, it.Status, it.Outcome = Kind(kind), Channel(channel), Status(status), Outcome(outcome)
	it.UserID, it.RecordedBy, it.ReferredTo, it.MergedInto = uid.Int64, rec.Int64, ref.Int64, merged.Int64
	it.AcknowledgedAt, it.RepliedAt, it.ConfirmedAt = timePtr(ack), timePtr(replied), timePtr(confirmed)
	return &it, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func queryItems(ctx context.Context, tx *store.Tx, where string, args ...any) ([]*Item, error) {
	rows, err := tx.Query(ctx, "SELECT "+itemColumns+" FROM qa_items i "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("query qa items: %w", err)
	}
	defer rows.Close()
	var out []*Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("scan qa item: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

var errItemNotFound = mingbai.Errorf(mingbai.ENOTFOUND, "找不到这条提问或意见。")

// itemTx loads an item of a community; an item of another community is
// not found.
func itemTx(ctx context.Context, tx *store.Tx, communityID, id int64) (*Item, error) {
	it, err := scanItem(tx.QueryRow(ctx, "SELECT "+itemColumns+" FROM qa_items i WHERE i.community_id = ? AND i.id = ?", communityID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errItemNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load qa item %d: %w", id, err)
	}
	return it, nil
}

// DisplayCode is the tracking code as FormatCode shows it.
func (it *Item) DisplayCode() string { return FormatCode(it.Code) }

// DueDate is the next deadline as a Shanghai date.
func (it *Item) DueDate() string { return it.NextDue().In(mingbai.Shanghai).Format("2006年1月2日") }

// PhotoNums are the positions of the item's photos, 1 to Photos.
func (it *Item) PhotoNums() []int {
	out := make([]int, it.Photos)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
