package disclosure

import (
	"context"
	"fmt"
	"strings"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// index keeps the search row of v's disclosure: the zh tokens of its
// title, period, body, attachment names, catalog item and community.
func (s *Service) index(ctx context.Context, tx *store.Tx, v *Version) error {
	var itemName, community string
	var district int64
	err := tx.QueryRow(ctx, `SELECT i.name, c.name, c.district_id FROM disclosure_items i, org_units c WHERE i.id = ? AND c.id = ?`, v.ItemID, v.CommunityID).
		Scan(&itemName, &community, &district)
	if err != nil {
		return fmt.Errorf("index disclosure %d: %w", v.DisclosureID, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO disclosure_search (`+SearchColumns+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (disclosure_id) DO UPDATE SET tokens = excluded.tokens`, SearchRow(v, district, itemName, community)...)
	if err != nil {
		return fmt.Errorf("index disclosure %d: %w", v.DisclosureID, err)
	}
	return nil
}

// HeadColumns are the columns of disclosures a new disclosure sets, in the
// order of HeadRow. The board and `mingbai gen` write disclosures through
// both, so the row's layout is written once (as with VersionColumns and
// SearchColumns).
const HeadColumns = "community_id, item_id, state, version, title, period, first_published_at, published_at"

// HeadWidth is the number of HeadColumns.
const HeadWidth = 8

// HeadRow returns d's values for HeadColumns.
func HeadRow(d *Disclosure) []any {
	return []any{d.CommunityID, d.ItemID, d.State, d.Version, d.Title, d.Period, d.FirstPublishedAt, d.PublishedAt}
}

// VersionColumns are the columns of disclosure_versions a published
// version sets, in the order of VersionRow; the redaction columns come
// later, if ever.
const VersionColumns = "disclosure_id, community_id, version, action, item_id, title, period, body, valid_from, valid_to, reason, " +
	"published_by, publisher_name, published_at, content_sha256, leaf_index"

// VersionWidth is the number of VersionColumns.
const VersionWidth = 16

// VersionRow returns v's values for VersionColumns.
func VersionRow(v *Version) []any {
	return []any{v.DisclosureID, v.CommunityID, v.Version, v.Action, v.ItemID, v.Title, v.Period, v.Body, v.ValidFrom, v.ValidTo, v.Reason,
		v.PublishedBy, v.PublisherName, v.PublishedAt, v.ContentSHA256, v.LeafIndex}
}

// SearchColumns are the columns of disclosure_search in the order of
// SearchRow; the board and bulk loaders (mingbai gen) write search rows
// through both, so the row's layout is written once.
const SearchColumns = "disclosure_id, community_id, district_id, tokens"

// SearchWidth is the number of SearchColumns.
const SearchWidth = 4

// SearchRow returns the search row of v's disclosure, in a community of
// district, filed under the catalog item itemName.
func SearchRow(v *Version, district int64, itemName, communityName string) []any {
	return []any{v.DisclosureID, v.CommunityID, district, SearchTokens(v, itemName, communityName)}
}

// SearchTokens returns the tokens of v's search row: the zh tokens of
// its title, period, plain-text body, attachment names (not redacted ones),
// catalog item name and community name. Bulk loaders write the same rows.
func SearchTokens(v *Version, itemName, communityName string) string {
	var text strings.Builder
	for _, part := range []string{v.Title, v.Period, PlainText(v.Body), itemName, communityName} {
		text.WriteString(part)
		text.WriteString("\n")
	}
	for _, f := range v.Files {
		if !f.Redacted {
			text.WriteString(f.Name)
			text.WriteString("\n")
		}
	}
	return strings.Join(zh.Tokens(text.String()), " ")
}

// SearchQuery is a search of one community's board, or of a whole
// district's when CommunityID is 0.
type SearchQuery struct {
	Q           string
	CommunityID int64
	DistrictID  int64
	Page        int // from 1
}

// Hit is one search result.
type Hit struct {
	Disclosure
	CommunitySlug string
	CommunityName string
	ItemName      string
	Section       Section
	Snippet       []zh.Fragment
	TitleMarks    []zh.Fragment
}

// SearchResult is a page of hits.
type SearchResult struct {
	Query  string
	Tokens []string
	Hits   []Hit
	Page   int
	More   bool
}

// PageSize is the length of every paginated list of the board.
const PageSize = 20

// districtMatches is how many of the newest matches a district-wide
// search ranks. A common character matches hundreds of thousands of a
// city's disclosures, and ranking them all took seconds; the newest few
// thousand hold what a resident looks for, and a query with fewer
// matches is ranked whole.
var districtMatches = 3000

// searchQuery is the ranking query of a search and its arguments: ids
// only, best match first, then newest. Reading the page's rows comes
// after: sorting every match with its body made a common word in a big
// community cost tens of milliseconds.
func (s *Service) searchQuery(res *SearchResult, q SearchQuery, newest int) (string, []any) {
	ts := s.db.Dialect.SearchTokens("s", "disclosure_fts", "disclosure_id", res.Tokens, q.CommunityID, newest)
	scope, scopeArg := "s.community_id = ?", q.CommunityID
	if q.CommunityID == 0 {
		scope, scopeArg = "s.district_id = ?", q.DistrictID
	}
	args := append([]any{}, ts.FromArgs...)
	args = append(args, ts.WhereArgs...)
	args = append(args, scopeArg)
	args = append(args, ts.RankArgs...)
	args = append(args, PageSize+1, (res.Page-1)*PageSize)
	return `SELECT d.id
		FROM disclosure_search s` + ts.From + `
		JOIN disclosures d ON d.id = s.disclosure_id
		WHERE ` + ts.Where + ` AND ` + scope + ` AND d.state = 'published'
		ORDER BY ` + ts.Rank + `, d.published_at DESC, d.id DESC LIMIT ? OFFSET ?`, args
}

// searchIDs runs the ranking query and returns the ids in order.
func (s *Service) searchIDs(ctx context.Context, res *SearchResult, q SearchQuery, newest int) ([]any, error) {
	query, args := s.searchQuery(res, q, newest)
	var ids []any
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		ids, err = store.QueryAll(ctx, tx, func(r store.Scanner) (any, error) { return store.ScanInt64(r) }, query, args...)
		return err
	})
	return ids, err
}

// Search finds current (not withdrawn) disclosures holding every query
// token, best match first, then newest.
func (s *Service) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	res := &SearchResult{Query: strings.TrimSpace(q.Q), Page: max(q.Page, 1)}
	if n := len([]rune(res.Query)); n > 100 {
		return nil, mingbai.FieldError("q", "搜索词太长了，请少于 100 个字。")
	}
	res.Tokens = zh.QueryTokens(res.Query)
	if len(res.Tokens) == 0 {
		return res, nil
	}
	if len(res.Tokens) > 32 {
		res.Tokens = res.Tokens[:32]
	}
	// A district's search ranks the newest matches only (districtMatches),
	// unless that leaves the page short: then every match is ranked.
	newest := 0
	if q.CommunityID == 0 {
		newest = districtMatches
	}
	ids, err := s.searchIDs(ctx, res, q, newest)
	if err == nil && newest > 0 && len(ids) <= PageSize {
		ids, err = s.searchIDs(ctx, res, q, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", res.Query, err)
	}
	if len(ids) == 0 {
		return res, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err := s.db.Query(ctx, `SELECT d.id, d.community_id, d.item_id, d.state, d.version, d.title, d.period, d.first_published_at, d.published_at,
			c.slug, c.name, i.name, i.section, v.body
		FROM disclosures d
		JOIN org_units c ON c.id = d.community_id
		JOIN disclosure_items i ON i.id = d.item_id
		JOIN disclosure_versions v ON v.disclosure_id = d.id AND v.version = d.version
		WHERE d.id IN (`+marks+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", res.Query, err)
	}
	defer rows.Close()
	byID := make(map[int64]Hit, len(ids))
	for rows.Next() {
		var h Hit
		var section, body string
		if err := rows.Scan(&h.ID, &h.CommunityID, &h.ItemID, &h.State, &h.Version, &h.Title, &h.Period, &h.FirstPublishedAt, &h.PublishedAt,
			&h.CommunitySlug, &h.CommunityName, &h.ItemName, &section, &body); err != nil {
			return nil, fmt.Errorf("scan hit: %w", err)
		}
		h.Section = Section(section)
		h.Snippet = zh.Highlight(PlainText(body), res.Tokens, 80)
		h.TitleMarks = zh.Highlight(h.Title, res.Tokens, 0)
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", res.Query, err)
	}
	for _, id := range ids {
		if h, ok := byID[id.(int64)]; ok {
			res.Hits = append(res.Hits, h)
		}
	}
	if len(res.Hits) > PageSize {
		res.Hits, res.More = res.Hits[:PageSize], true
	}
	return res, nil
}
