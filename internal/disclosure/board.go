package disclosure

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Freshness is how a catalog item stands against its time limit.
type Freshness struct {
	State       string    // fresh, soon, overdue or never
	Due         time.Time // when the next disclosure is due (Shanghai date), zero if none
	DaysOverdue int
	Provisional bool // the due date counts a year whose holidays are not yet announced
}

// Label is the state in words, so it never depends on colour alone.
func (f Freshness) Label() string {
	switch f.State {
	case "fresh":
		return "本期已公开"
	case "soon":
		return "即将到期"
	case "overdue":
		return fmt.Sprintf("逾期%d天", f.DaysOverdue)
	}
	return "从未公开"
}

// Late reports whether the item needs a disclosure now.
func (f Freshness) Late() bool { return f.State == "overdue" || f.State == "never" }

// civilDate is the Shanghai calendar date of t at midnight UTC, so dates
// compare and count days without time-of-day noise.
func civilDate(t time.Time) time.Time {
	y, m, d := t.In(mingbai.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// periodStart is the first day of the cadence period holding day.
func periodStart(c Cadence, day time.Time) time.Time {
	m := c.months()
	month := (int(day.Month())-1)/m*m + 1
	return time.Date(day.Year(), time.Month(month), 1, 0, 0, 0, 0, time.UTC)
}

// Freshness says where item it stands at now, given when its newest
// disclosure was first published (zero: never). A periodic item must be
// published once per period. One due after its period ends (the default:
// statements, results) is due within the grace working days after each
// period ends. One due
// at the start of its period (plans, goals) is due within StartWorkdays
// of each period's first day; a disclosure made in the last twelfth of a
// period (a plan for next year published in December) counts for the
// next. Event and standing items have no schedule: once published they
// are current until an event (not tracked here) calls for another.
func (s *Service) Freshness(it *Item, last, now time.Time) Freshness {
	m := it.Cadence.months()
	if it.Timing == TimingStart && m > 0 {
		return s.startFreshness(it, last, now)
	}
	if last.IsZero() {
		return Freshness{State: "never"}
	}
	if m == 0 {
		return Freshness{State: "fresh"}
	}
	// A statement or result reports on a period that has ended: one
	// published in period P covers P-1, unless it came in P's last third
	// (a quarter's report in its last month), when it covers P. The next
	// period's report is due GraceWorkdays after that period ends.
	lead := time.Duration(m) * 10 * 24 * time.Hour
	next := periodStart(it.Cadence, civilDate(last).Add(lead))
	due, prov := s.Calendar().AddWorkdays(next.AddDate(0, m, -1), s.rules.GraceWorkdays)
	return s.standing(civilDate(due), prov, civilDate(now))
}

// startFreshness is Freshness of a periodic item due at the start of
// each period.
func (s *Service) startFreshness(it *Item, last, now time.Time) Freshness {
	m := it.Cadence.months()
	today := civilDate(now)
	current := periodStart(it.Cadence, today)
	dueIn := func(period time.Time) (time.Time, bool, time.Time) {
		due, prov := s.Calendar().AddWorkdays(period.AddDate(0, 0, -1), s.rules.StartWorkdays)
		return civilDate(due), prov, today
	}
	if !last.IsZero() {
		lead := time.Duration(m) * 30 * 24 * time.Hour / 12
		if counted := periodStart(it.Cadence, civilDate(last).Add(lead)); !counted.Before(current) {
			return s.standing(dueIn(counted.AddDate(0, m, 0)))
		}
	}
	f := s.standing(dueIn(current))
	if f.State == "fresh" {
		// This period's disclosure is not out and its time has come.
		f.State = "soon"
	}
	if last.IsZero() && f.State != "overdue" {
		f.State = "never"
	}
	return f
}

// standing is the state of an item due on due, seen on today.
func (s *Service) standing(due time.Time, provisional bool, today time.Time) Freshness {
	f := Freshness{Due: due, Provisional: provisional}
	soon, _ := s.Calendar().AddWorkdays(today, s.rules.SoonWorkdays)
	switch {
	case today.After(due):
		f.State = "overdue"
		f.DaysOverdue = int(today.Sub(due).Hours() / 24)
	case !civilDate(soon).Before(due):
		f.State = "soon"
	default:
		f.State = "fresh"
	}
	return f
}

// BoardItem is one catalog item on a board with its newest disclosure.
type BoardItem struct {
	Item
	Latest *Disclosure // nil when never published
	Fresh  Freshness
}

// BoardSection is one of the four sections of a board.
type BoardSection struct {
	Section Section
	Items   []BoardItem
}

// Board returns the four sections of a community's board with every live
// catalog item, its newest current disclosure and its freshness.
func (s *Service) Board(ctx context.Context, communityID int64) ([]BoardSection, error) {
	items, err := s.Items(ctx, communityID)
	if err != nil {
		return nil, err
	}
	latest := map[int64]*Disclosure{}
	// One indexed look-up per catalog item for its newest current
	// disclosure, so the board costs the same with 20 or 20,000 of them.
	rows, err := s.db.QueryPrepared(ctx, `SELECT `+disclosureColumns+` FROM disclosures WHERE id IN (
			SELECT (SELECT d.id FROM disclosures d WHERE d.community_id = ? AND d.item_id = i.id AND d.state = 'published'
				ORDER BY d.first_published_at DESC, d.id DESC LIMIT 1)
			FROM disclosure_items i WHERE i.district_id = (SELECT district_id FROM org_units WHERE id = ?) AND i.community_id IN (0, ?) AND i.archived_at IS NULL)`,
		communityID, communityID, communityID)
	if err != nil {
		return nil, fmt.Errorf("board of %d: %w", communityID, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDisclosure(rows)
		if err != nil {
			return nil, fmt.Errorf("scan board row: %w", err)
		}
		latest[d.ItemID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]BoardSection, len(Sections))
	for i, sec := range Sections {
		out[i].Section = sec
	}
	for _, it := range items {
		bi := BoardItem{Item: it, Latest: latest[it.ID]}
		var last time.Time
		if bi.Latest != nil {
			last = bi.Latest.FirstPublishedAt
		}
		bi.Fresh = s.Freshness(&bi.Item, last, now)
		for i := range out {
			if out[i].Section == it.Section {
				out[i].Items = append(out[i].Items, bi)
			}
		}
	}
	return out, nil
}

// List is a page of disclosures.
type List struct {
	Disclosures []Disclosure
	Page        int
	More        bool
}

func (s *Service) list(ctx context.Context, page int, where string, args ...any) (*List, error) {
	l := &List{Page: max(page, 1)}
	args = append(args, PageSize+1, (l.Page-1)*PageSize)
	rows, err := s.db.Query(ctx, `SELECT `+disclosureColumns+` FROM disclosures WHERE `+where+` ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list disclosures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDisclosure(rows)
		if err != nil {
			return nil, fmt.Errorf("scan disclosure: %w", err)
		}
		l.Disclosures = append(l.Disclosures, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(l.Disclosures) > PageSize {
		l.Disclosures, l.More = l.Disclosures[:PageSize], true
	}
	return l, nil
}

// ItemDisclosures lists every disclosure of one catalog item in a
// community, withdrawn ones too, newest first.
func (s *Service) ItemDisclosures(ctx context.Context, communityID, itemID int64, page int) (*List, error) {
	return s.list(ctx, page, `community_id = ? AND item_id = ?`, communityID, itemID)
}

// Recent lists a community's disclosures by their newest version, new and
// corrected and withdrawn alike; section "" means all four.
func (s *Service) Recent(ctx context.Context, communityID int64, section Section, page int) (*List, error) {
	if section == "" {
		return s.list(ctx, page, `community_id = ?`, communityID)
	}
	return s.list(ctx, page, `community_id = ? AND item_id IN (SELECT id FROM disclosure_items WHERE section = ?)`, communityID, string(section))
}

// Archive lists the disclosures first published in one quarter of a year
// (quarter 0: the whole year).
func (s *Service) Archive(ctx context.Context, communityID int64, year, quarter, page int) (*List, error) {
	if year < 2000 || year > 2100 || quarter < 0 || quarter > 4 {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "没有这个年份或季度的公开内容。")
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, mingbai.Shanghai)
	to := from.AddDate(1, 0, 0)
	if quarter > 0 {
		from = from.AddDate(0, 3*(quarter-1), 0)
		to = from.AddDate(0, 3, 0)
	}
	return s.list(ctx, page, `community_id = ? AND first_published_at >= ? AND first_published_at < ?`, communityID, from.UTC(), to.UTC())
}

// ArchivePeriod is a year and quarter with how many disclosures it has.
type ArchivePeriod struct {
	Year, Quarter, Count int
}

// ArchivePeriods lists the quarters that have disclosures, newest first.
func (s *Service) ArchivePeriods(ctx context.Context, communityID int64) ([]ArchivePeriod, error) {
	rows, err := s.db.Query(ctx, `SELECT first_published_at FROM disclosures WHERE community_id = ?`, communityID)
	if err != nil {
		return nil, fmt.Errorf("archive periods: %w", err)
	}
	defer rows.Close()
	counts := map[[2]int]int{}
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("archive periods: %w", err)
		}
		t = t.In(mingbai.Shanghai)
		counts[[2]int{t.Year(), (int(t.Month())-1)/3 + 1}]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []ArchivePeriod
	for k, n := range counts {
		out = append(out, ArchivePeriod{k[0], k[1], n})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].Year > out[j-1].Year || out[j].Year == out[j-1].Year && out[j].Quarter > out[j-1].Quarter); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// PageVersion is the version of a community's public pages: its newest
// leaf of the kinds they show (every publication, correction, withdrawal,
// redaction and catalog item), the number of redacted versions, its
// district's catalog version, and the date (freshness changes with it). A cache revalidating with it never serves stale data.
func (s *Service) PageVersion(ctx context.Context, communityID int64) (string, error) {
	// Every anonymous page view runs this: it stays prepared.
	// Only the kinds its cached pages show count: a question, a ledger
	// entry or a budget is a leaf of the community too, and must not send
	// the board to be rendered again.
	rows, err := s.db.QueryPrepared(ctx, `SELECT
			(SELECT COALESCE(MAX(idx), -1) FROM tlog_leaves WHERE community_id = ? AND kind = '`+LeafKind+`'),
			(SELECT COALESCE(MAX(idx), -1) FROM tlog_leaves WHERE community_id = ? AND kind = '`+RedactionKind+`'),
			(SELECT COALESCE(MAX(idx), -1) FROM tlog_leaves WHERE community_id = ? AND kind = '`+CatalogKind+`'),
			(SELECT COUNT(*) FROM disclosure_versions WHERE community_id = ? AND redacted_at IS NOT NULL),
			(SELECT COALESCE(MAX(k.version), 0) FROM disclosure_catalogs k JOIN org_units c ON c.district_id = k.district_id WHERE c.id = ?)`,
		communityID, communityID, communityID, communityID, communityID)
	if err != nil {
		return "", fmt.Errorf("page version of %d: %w", communityID, err)
	}
	defer rows.Close()
	var published, redacted, items, redactions, catalog int64
	if !rows.Next() {
		return "", fmt.Errorf("page version of %d: no row: %w", communityID, rows.Err())
	}
	if err := rows.Scan(&published, &redacted, &items, &redactions, &catalog); err != nil {
		return "", fmt.Errorf("page version of %d: %w", communityID, err)
	}
	leaves := max(published, redacted, items)
	return fmt.Sprintf("%d.%d.%d.%s", leaves, redactions, catalog, civilDate(s.now()).Format("20060102")), nil
}

// LogHead is the newest signed checkpoint, as the printed board shows it.
type LogHead struct {
	Size     int64
	RootHex  string // the whole root hash in hex
	KeyID    string // the signing key's id (hash), hex
	KeyName  string
	SignedAt time.Time
}

// Root16 is the first 16 hex digits of the root hash.
func (h LogHead) Root16() string {
	if len(h.RootHex) < 16 {
		return h.RootHex
	}
	return h.RootHex[:16]
}

// LogHead returns the log's newest checkpoint, or a zero head before the
// first one is signed.
func (s *Service) LogHead(ctx context.Context) (LogHead, error) {
	var h LogHead
	if s.log == nil {
		return h, nil
	}
	var root []byte
	err := s.db.QueryRow(ctx, `SELECT size, root, signed_at FROM tlog_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&h.Size, &root, &h.SignedAt)
	if isNoRows(err) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("newest checkpoint: %w", err)
	}
	h.RootHex = hex.EncodeToString(root)
	// A verifier key is name+keyhash+key: the key hash is its id.
	parts := strings.SplitN(s.log.VerifierKey(), "+", 3)
	if len(parts) == 3 {
		h.KeyName, h.KeyID = parts[0], parts[1]
	}
	return h, nil
}

// Current returns the newest published (not withdrawn) disclosure of
// every catalog item of a community, with its version's content, for the
// printed board.
func (s *Service) Current(ctx context.Context, communityID int64) ([]BoardSection, map[int64]*Version, error) {
	board, err := s.Board(ctx, communityID)
	if err != nil {
		return nil, nil, err
	}
	versions := map[int64]*Version{}
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		for _, sec := range board {
			for _, bi := range sec.Items {
				if bi.Latest == nil {
					continue
				}
				v, err := loadVersion(ctx, tx, communityID, bi.Latest.ID, bi.Latest.Version)
				if err != nil {
					return err
				}
				versions[bi.Latest.ID] = v
			}
		}
		return nil
	})
	return board, versions, err
}

// AllVersions lists every version of a community's disclosures, newest
// first, for exports and feeds; limit bounds the list.
func (s *Service) AllVersions(ctx context.Context, communityID int64, section Section, limit int) ([]Version, error) {
	q := `SELECT ` + versionColumns + ` FROM disclosure_versions WHERE community_id = ?`
	args := []any{communityID}
	if section != "" {
		q += ` AND item_id IN (SELECT id FROM disclosure_items WHERE section = ?)`
		args = append(args, string(section))
	}
	q += ` ORDER BY published_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	var out []Version
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = queryVersions(ctx, tx, q, args...)
		return err
	})
	return out, err
}
