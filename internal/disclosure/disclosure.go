// Package disclosure is the board of 居务公开: the disclosure catalog
// (公开目录) every community must follow, the disclosures (公开事项) cadres
// publish against it, their versions (corrections, withdrawals, redactions:
// nothing published is changed in place), attachments stored by their
// SHA-256, the freshness of every catalog item, and search.
//
// Each published version appends one leaf of kind "disclosure" to the
// transparency log in the same transaction that makes it public, and each
// change of a catalog item one leaf of kind "catalog_item" (catalog_log.go).
package disclosure

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// LeafKind is the kind of this package's log leaves.
const LeafKind = "disclosure"

// Section is one of the four parts of every board.
type Section string

// The four sections, in board order.
const (
	Party      Section = "party"
	Government Section = "government"
	Affairs    Section = "affairs"
	Finance    Section = "finance"
)

// Sections lists the sections in the order boards show them.
var Sections = []Section{Party, Government, Affairs, Finance}

// Label is the Chinese name of the section.
func (s Section) Label() string {
	switch s {
	case Party:
		return "党务"
	case Government:
		return "政务"
	case Affairs:
		return "事务"
	case Finance:
		return "财务"
	}
	return string(s)
}

// Valid reports whether s is one of the four sections.
func (s Section) Valid() bool { return s.Label() != string(s) }

// Cadence is how often a catalog item must be published.
type Cadence string

// The cadences of DOMAIN.md.
const (
	Monthly    Cadence = "monthly"
	Quarterly  Cadence = "quarterly"
	HalfYearly Cadence = "halfyearly"
	Yearly     Cadence = "yearly"
	Event      Cadence = "event"    // within N working days of the event
	Standing   Cadence = "standing" // kept up and updated on change
)

// Cadences lists the cadences in the order forms offer them.
var Cadences = []Cadence{Monthly, Quarterly, HalfYearly, Yearly, Event, Standing}

// Label is the Chinese name of the cadence.
func (c Cadence) Label() string {
	switch c {
	case Monthly:
		return "每月"
	case Quarterly:
		return "每季度"
	case HalfYearly:
		return "每半年"
	case Yearly:
		return "每年"
	case Event:
		return "事后限期"
	case Standing:
		return "长期公开，变动即更新"
	}
	return string(c)
}

// Valid reports whether c is a known cadence.
func (c Cadence) Valid() bool { return c.Label() != string(c) }

// months is the length of a periodic cadence in months, 0 for the others.
func (c Cadence) months() int {
	switch c {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case HalfYearly:
		return 6
	case Yearly:
		return 12
	}
	return 0
}

// Item is one catalog item (公开目录项).
type Item struct {
	ID          int64
	DistrictID  int64
	CommunityID int64 // 0: the district's catalog, binding on every community
	Section     Section
	Code        string
	Name        string
	Elements    string // content elements (要素)
	Basis       string // legal basis (公开依据)
	Cadence     Cadence
	// Timing says when in its period a periodic item is due: after the
	// period ends (statements, results) or at its start (plans, goals).
	Timing     Timing
	EventDays  int          // for Event: working days after the event
	Publisher  mingbai.Role // cadre, party_secretary or clerk
	Department int64        // for clerk items: the department
	Channels   string       // 公开栏、网站、会议…
	Audience   string       // public or specific
	Mode       string       // proactive or on_request
	Position   int
	ArchivedAt *time.Time
	// Version counts the item's logged changes (see CatalogKind); 0 for
	// an item made before the catalog was logged and unchanged since.
	Version int
}

// TimeLimit says the item's time limit in words.
func (it *Item) TimeLimit() string {
	switch {
	case it.Cadence == Event:
		return fmt.Sprintf("事项形成或变更后 %d 个工作日内", it.EventDays)
	case it.Cadence.months() == 0:
		return it.Cadence.Label()
	case it.Timing == TimingStart:
		return it.Cadence.Label() + "，期初公开"
	}
	return it.Cadence.Label() + "，期满后公开"
}

// Timing is when in its period a periodic catalog item is due.
type Timing string

// The timings: TimingAfter is the default.
const (
	TimingAfter Timing = "after" // within GraceWorkdays after the period ends
	TimingStart Timing = "start" // within StartWorkdays of the period's first day
)

// Label is the timing in words, for the catalog's forms.
func (t Timing) Label() string {
	if t == TimingStart {
		return "期初公开（如年度计划、目标：每期开始后限期公开）"
	}
	return "期满后公开（如收支、结果：每期结束后限期公开）"
}

// AudienceLabel is the audience in words.
func (it *Item) AudienceLabel() string {
	if it.Audience == "specific" {
		return "特定对象"
	}
	return "全社会"
}

// ModeLabel is proactive or on request in words.
func (it *Item) ModeLabel() string {
	if it.Mode == "on_request" {
		return "依申请公开"
	}
	return "主动公开"
}

// Attachment is a file of a draft or a version, stored by its SHA-256.
type Attachment struct {
	SHA256      string
	Name        string
	ContentType string
	Size        int64
	Redacted    bool
}

// IsImage reports whether the attachment is a picture.
func (a Attachment) IsImage() bool {
	return a.ContentType == "image/jpeg" || a.ContentType == "image/png" || a.ContentType == "image/gif" || a.ContentType == "image/webp"
}

// SizeLabel is the size in words a resident reads.
func (a Attachment) SizeLabel() string {
	switch {
	case a.Size >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(a.Size)/(1<<20))
	case a.Size >= 1<<10:
		return fmt.Sprintf("%d KB", (a.Size+1023)>>10)
	}
	return fmt.Sprintf("%d 字节", a.Size)
}

// Draft is unpublished work on a new disclosure.
type Draft struct {
	ID          int64
	CommunityID int64
	ItemID      int64
	Title       string
	Period      string
	Body        string
	ValidFrom   string // YYYY-MM-DD or ""
	ValidTo     string
	CreatedBy   int64
	UpdatedAt   time.Time
	Files       []Attachment
}

// Disclosure is one matter on the board with its newest version's head.
type Disclosure struct {
	ID               int64
	CommunityID      int64
	ItemID           int64
	State            string // published or withdrawn
	Version          int
	Title            string
	Period           string
	FirstPublishedAt time.Time
	PublishedAt      time.Time
}

// Withdrawn reports whether the disclosure was withdrawn.
func (d *Disclosure) Withdrawn() bool { return d.State == "withdrawn" }

// StateAfter is the state a disclosure is in once its newest version has
// action: a withdrawal withdraws it, anything else leaves it published.
// The board, fsck and `mingbai gen` all derive a head's state from it.
func StateAfter(action string) string {
	if action == "withdraw" {
		return "withdrawn"
	}
	return "published"
}

// Version is one published version of a disclosure.
type Version struct {
	ID            int64
	DisclosureID  int64
	CommunityID   int64
	Version       int
	Action        string // publish, correct or withdraw
	ItemID        int64
	Title         string
	Period        string
	Body          string
	ValidFrom     string
	ValidTo       string
	Reason        string
	PublishedBy   int64
	PublisherName string
	PublishedAt   time.Time
	ContentSHA256 string
	LeafIndex     int64
	RedactedAt    *time.Time
	RedactedBy    *int64
	RedactionWhat string
	RedactionWhy  string
	// RedactionLeaf is the newest redaction leaf of this version (see
	// RedactionKind), nil when it was never redacted.
	RedactionLeaf *int64
	Files         []Attachment
}

// ActionLabel is the version's action in words.
func (v *Version) ActionLabel() string {
	switch v.Action {
	case "correct":
		return "更正"
	case "withdraw":
		return "撤回"
	}
	return "发布"
}

// Redacted reports whether personal data was removed from this version.
func (v *Version) Redacted() bool { return v.RedactedAt != nil }

// Service is the board's service. It checks who may do what itself; the
// web layer's route policies are a first gate only.
type Service struct {
	db    *store.DB
	log   *tlog.Log
	cal   *zh.Calendar
	calOf func() *zh.Calendar // when set, the shared calendar (UseCalendar)
	files *FileStore
	now   mingbai.Clock
	rules Rules
}

// Rules are the thresholds a district may change; DefaultRules are the
// defaults of DOMAIN.md.
type Rules struct {
	// GraceWorkdays is how many working days after the end of the period
	// following the last disclosure a periodic item becomes overdue.
	GraceWorkdays int
	// StartWorkdays is how many working days after its period begins an
	// item due at the start (a plan) becomes overdue.
	StartWorkdays int
	// SoonWorkdays: an item due within this many working days is 即将到期.
	SoonWorkdays int
	// EventWorkdays is the default time limit of event items.
	EventWorkdays int
}

// DefaultRules are DOMAIN.md's defaults.
var DefaultRules = Rules{GraceWorkdays: 10, StartWorkdays: 20, SoonWorkdays: 10, EventWorkdays: 20}

// NewService returns the board's service. Attachments live under
// dataDir/files; log is where published versions append their leaves.
func NewService(db *store.DB, log *tlog.Log, cal *zh.Calendar, dataDir string, now mingbai.Clock) *Service {
	if now == nil {
		now = mingbai.SystemClock
	}
	if cal == nil {
		cal = zh.NewCalendar()
	}
	return &Service{db: db, log: log, cal: cal, files: NewFileStore(dataDir), now: now, rules: DefaultRules}
}

// ContentSources rebuilds the content of the board's leaves, for the
// log's UseSources.
func (s *Service) ContentSources() map[string]tlog.ContentSource {
	return map[string]tlog.ContentSource{
		LeafKind: s.leafContent, CatalogKind: s.itemLeafContent, RedactionKind: s.redactionLeafContent,
	}
}

// Files returns the attachment store.
func (s *Service) Files() *FileStore { return s.files }

// Calendar returns the working-day calendar the service counts with.
func (s *Service) Calendar() *zh.Calendar {
	if s.calOf != nil {
		return s.calOf()
	}
	return s.cal
}

// UseCalendar makes the service count with the calendar f returns at each
// use, so that the holiday rows a district admin enters through the 提问栏's
// settings (which swap its calendar) move the board's due dates too: one
// calendar for every service.
func (s *Service) UseCalendar(f func() *zh.Calendar) { s.calOf = f }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// communityOf loads community id in a transaction of its own, for reads.
func (s *Service) communityOf(ctx context.Context, id int64) (c *org.Unit, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		c, err = org.LoadCommunity(ctx, tx, id, false)
		return err
	})
	return c, err
}
