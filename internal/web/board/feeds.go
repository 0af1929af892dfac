package board

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/export"
	"mingbai/internal/web"
)

// Feeds, the JSON API, exports and the printed board. docs/board.md
// defines every field.

func (s *handlers) registerDisclosureDataRoutes() {
	s.Handle("GET /c/{community}/feed.atom", web.Public, s.Cached(s.boardAtom))
	s.Handle("GET /c/{community}/feed/{section}", web.Public, s.Cached(s.boardAtom))
	s.Handle("GET /c/{community}/export.csv", web.Public, s.exportDownload(export.CSV))
	s.Handle("GET /c/{community}/export.xlsx", web.Public, s.exportDownload(export.XLSX))
	s.Handle("GET /c/{community}/print", web.Public, s.printPage)
	s.Handle("GET /api/v1/c/{community}/catalog", web.Public, s.apiCatalog)
	s.Handle("GET /api/v1/c/{community}/catalog/{item}", web.Public, s.apiCatalogItem)
	s.Handle("GET /api/v1/c/{community}/disclosures", web.Public, s.apiDisclosures)
	s.Handle("GET /api/v1/c/{community}/disclosures/{id}", web.Public, s.apiDisclosure)
	s.Handle("GET /search", web.Public, s.districtSearch)
}

// maxFeed and maxExport bound feeds and exports.
const (
	maxFeed   = 50
	maxExport = 10000
)

type boardFeed struct {
	XMLName xml.Name         `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string           `xml:"title"`
	ID      string           `xml:"id"`
	Updated string           `xml:"updated"`
	Links   []boardFeedLink  `xml:"link"`
	Author  boardFeedAuthor  `xml:"author"`
	Entries []boardFeedEntry `xml:"entry"`
}

type boardFeedLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type boardFeedAuthor struct {
	Name string `xml:"name"`
}

type boardFeedEntry struct {
	Title    string        `xml:"title"`
	ID       string        `xml:"id"`
	Updated  string        `xml:"updated"`
	Link     boardFeedLink `xml:"link"`
	Category struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr"`
	} `xml:"category"`
	Summary string `xml:"summary"`
}

// boardAtom lists a community's newest versions, new, corrected and
// withdrawn, each entry one version of one disclosure.
func (s *handlers) boardAtom(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	var sec disclosure.Section
	title := st.Community.Name + "居务公开"
	if slug := r.PathValue("section"); slug != "" {
		x, ok := web.SectionBySlug(slug)
		if !ok {
			return web.ErrNotFound
		}
		sec, title = disclosure.Section(x.Slug), st.Community.Name+x.Label+"公开"
	}
	versions, err := s.disclosure.AllVersions(r.Context(), st.Community.ID, sec, maxFeed)
	if err != nil {
		return err
	}
	base := s.BaseURL(r)
	home := base + "/c/" + st.Community.Slug
	f := boardFeed{Title: title, ID: home + "/feed/" + string(sec), Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links: []boardFeedLink{{Rel: "alternate", Href: home}, {Rel: "self", Href: base + r.URL.Path}}, Author: boardFeedAuthor{st.Community.Name + "居民委员会"}}
	if len(versions) > 0 {
		f.Updated = versions[0].PublishedAt.UTC().Format(time.RFC3339)
	}
	for _, v := range versions {
		url := fmt.Sprintf("%s/d/%d/v/%d", home, v.DisclosureID, v.Version)
		e := boardFeedEntry{Title: v.ActionLabel() + "：" + v.Title, ID: url, Updated: v.PublishedAt.UTC().Format(time.RFC3339), Link: boardFeedLink{Href: url}}
		e.Category.Term, e.Category.Label = v.Action, v.ActionLabel()
		summary := disclosure.PlainText(v.Body)
		if v.Reason != "" {
			summary = v.ActionLabel() + "原因：" + v.Reason + "。" + summary
		}
		if r := []rune(summary); len(r) > 200 {
			summary = string(r[:200]) + "……"
		}
		e.Summary = summary
		f.Entries = append(f.Entries, e)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(f); err != nil {
		return fmt.Errorf("atom: %w", err)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write(b.Bytes())
	return nil
}

// exportRows is a community's versions as rows, the same for CSV and XLSX.
func (s *handlers) exportRows(r *http.Request) ([][]string, error) {
	st := web.State(r)
	items, err := s.disclosure.Items(r.Context(), st.Community.ID)
	if err != nil {
		return nil, err
	}
	names := map[int64]disclosure.Item{}
	for _, it := range items {
		names[it.ID] = it
	}
	versions, err := s.disclosure.AllVersions(r.Context(), st.Community.ID, "", maxExport)
	if err != nil {
		return nil, err
	}
	out := [][]string{{"disclosure_id", "version", "action", "section", "item", "title", "period", "published_at", "valid_from", "valid_to", "reason", "redacted_at", "redaction_what", "leaf_index", "content_sha256", "attachments", "url"}}
	base := s.BaseURL(r) + "/c/" + st.Community.Slug
	for _, v := range versions {
		it := names[v.ItemID]
		red := ""
		if v.RedactedAt != nil {
			red = v.RedactedAt.UTC().Format(time.RFC3339)
		}
		var files []string
		for _, f := range v.Files {
			if !f.Redacted {
				files = append(files, f.Name+" sha256:"+f.SHA256)
			}
		}
		out = append(out, []string{
			strconv.FormatInt(v.DisclosureID, 10), strconv.Itoa(v.Version), v.Action, it.Section.Label(), it.Name, v.Title, v.Period,
			v.PublishedAt.UTC().Format(time.RFC3339), v.ValidFrom, v.ValidTo, v.Reason, red, v.RedactionWhat,
			strconv.FormatInt(v.LeafIndex, 10), v.ContentSHA256, strings.Join(files, "; "),
			fmt.Sprintf("%s/d/%d/v/%d", base, v.DisclosureID, v.Version),
		})
	}
	return out, nil
}

// exportDownload answers with a community's disclosures as a file in
// format f.
func (s *handlers) exportDownload(f export.Format) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		rows, err := s.exportRows(r)
		if err != nil {
			return err
		}
		web.AttachmentHeader(w, web.State(r).Community.Name+"公开事项", f)
		return export.Write(w, f, export.Table{Name: "公开事项", Header: rows[0], Rows: rows[1:]})
	}
}

// ---- JSON API ----

type apiItem struct {
	apiItemSpec
	Freshness  string `json:"freshness"`
	FreshLabel string `json:"freshness_label"`
	Due        string `json:"due,omitempty"`
	Latest     *int64 `json:"latest_disclosure,omitempty"`
}

// apiItemSpec is what a catalog item asks for: the fields each of its
// logged versions records.
type apiItemSpec struct {
	ID        int64  `json:"id"`
	Section   string `json:"section"`
	Name      string `json:"name"`
	Elements  string `json:"elements"`
	Basis     string `json:"basis"`
	Cadence   string `json:"cadence"`
	Timing    string `json:"timing"` // after or start: see disclosure.Timing
	EventDays int    `json:"event_days,omitempty"`
	TimeLimit string `json:"time_limit"`
	Publisher string `json:"publisher"`
	Channels  string `json:"channels"`
	Audience  string `json:"audience"`
	Mode      string `json:"mode"`
	Own       bool   `json:"community_own"`
}

func itemSpec(it *disclosure.Item) apiItemSpec {
	return apiItemSpec{ID: it.ID, Section: string(it.Section), Name: it.Name, Elements: it.Elements, Basis: it.Basis, Cadence: string(it.Cadence), Timing: string(it.Timing),
		EventDays: it.EventDays, TimeLimit: it.TimeLimit(), Publisher: string(it.Publisher), Channels: it.Channels, Audience: it.Audience, Mode: it.Mode,
		Own: it.CommunityID != 0}
}

// apiItemVersion is one logged change of a catalog item.
type apiItemVersion struct {
	Version       int         `json:"version"`
	Action        string      `json:"action"`
	ChangedAt     string      `json:"changed_at"`
	ChangedBy     string      `json:"changed_by,omitempty"`
	Changes       []string    `json:"changes"`
	LeafIndex     int64       `json:"leaf_index"`
	ContentSHA256 string      `json:"content_sha256"`
	Item          apiItemSpec `json:"item"`
}

// apiCatalogItem is one catalog item with every logged change of it,
// oldest first: what an auditor checks a community's compliance against.
func (s *handlers) apiCatalogItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.communityItem(r)
	if err != nil {
		return err
	}
	hist, err := s.disclosure.ItemHistory(r.Context(), web.State(r).Community.ID, it.ID)
	if err != nil {
		return err
	}
	out := struct {
		Item       apiItemSpec      `json:"item"`
		ArchivedAt string           `json:"archived_at,omitempty"`
		Versions   []apiItemVersion `json:"versions"`
	}{Item: itemSpec(it), Versions: []apiItemVersion{}}
	if it.ArchivedAt != nil {
		out.ArchivedAt = it.ArchivedAt.UTC().Format(time.RFC3339)
	}
	for _, v := range hist {
		changes := v.Changes
		if changes == nil {
			changes = []string{}
		}
		out.Versions = append(out.Versions, apiItemVersion{Version: v.Version, Action: v.Action, ChangedAt: v.ChangedAt.UTC().Format(time.RFC3339),
			ChangedBy: v.ChangerName, Changes: changes, LeafIndex: v.LeafIndex, ContentSHA256: v.ContentSHA256, Item: itemSpec(&v.Item)})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *handlers) apiCatalog(w http.ResponseWriter, r *http.Request) error {
	board, err := s.disclosure.Board(r.Context(), web.State(r).Community.ID)
	if err != nil {
		return err
	}
	out := []apiItem{}
	for _, sec := range board {
		for _, bi := range sec.Items {
			it := apiItem{apiItemSpec: itemSpec(&bi.Item), Freshness: bi.Fresh.State, FreshLabel: bi.Fresh.Label()}
			if !bi.Fresh.Due.IsZero() {
				it.Due = bi.Fresh.Due.Format("2006-01-02")
			}
			if bi.Latest != nil {
				it.Latest = &bi.Latest.ID
			}
			out = append(out, it)
		}
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Items []apiItem `json:"items"`
	}{out})
	return nil
}

type apiDisclosureHead struct {
	ID               int64  `json:"id"`
	Item             int64  `json:"item"`
	State            string `json:"state"`
	Version          int    `json:"version"`
	Title            string `json:"title"`
	Period           string `json:"period"`
	FirstPublishedAt string `json:"first_published_at"`
	PublishedAt      string `json:"published_at"`
	URL              string `json:"url"`
}

func (s *handlers) apiHead(r *http.Request, d *disclosure.Disclosure) apiDisclosureHead {
	return apiDisclosureHead{ID: d.ID, Item: d.ItemID, State: d.State, Version: d.Version, Title: d.Title, Period: d.Period,
		FirstPublishedAt: d.FirstPublishedAt.UTC().Format(time.RFC3339), PublishedAt: d.PublishedAt.UTC().Format(time.RFC3339),
		URL: fmt.Sprintf("%s/c/%s/d/%d", s.BaseURL(r), web.State(r).Community.Slug, d.ID)}
}

func (s *handlers) apiDisclosures(w http.ResponseWriter, r *http.Request) error {
	var sec disclosure.Section
	if v := r.URL.Query().Get("section"); v != "" {
		if !disclosure.Section(v).Valid() {
			return mingbai.FieldError("section", "栏目只能是 party、government、affairs 或 finance。")
		}
		sec = disclosure.Section(v)
	}
	list, err := s.disclosure.Recent(r.Context(), web.State(r).Community.ID, sec, queryPage(r))
	if err != nil {
		return err
	}
	out := struct {
		Disclosures []apiDisclosureHead `json:"disclosures"`
		Page        int                 `json:"page"`
		Next        string              `json:"next,omitempty"`
	}{Disclosures: []apiDisclosureHead{}, Page: list.Page}
	for i := range list.Disclosures {
		out.Disclosures = append(out.Disclosures, s.apiHead(r, &list.Disclosures[i]))
	}
	_, out.Next = pager(r, list.Page, list.More)
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

type apiVersion struct {
	Version       int       `json:"version"`
	Action        string    `json:"action"`
	Title         string    `json:"title"`
	Period        string    `json:"period"`
	Body          string    `json:"body"`
	ValidFrom     string    `json:"valid_from"`
	ValidTo       string    `json:"valid_to"`
	Reason        string    `json:"reason"`
	PublishedAt   string    `json:"published_at"`
	LeafIndex     int64     `json:"leaf_index"`
	ContentSHA256 string    `json:"content_sha256"`
	Redacted      *apiRedac `json:"redacted,omitempty"`
	Attachments   []apiFile `json:"attachments"`
}

type apiRedac struct {
	At   string `json:"at"`
	What string `json:"what"`
	Why  string `json:"why"`
}

type apiFile struct {
	Name        string `json:"name"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url,omitempty"`
	Redacted    bool   `json:"redacted"`
}

func (s *handlers) apiDisclosure(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, versions, err := s.disclosure.Disclosure(r.Context(), st.Community.ID, id)
	if err != nil {
		return err
	}
	out := struct {
		apiDisclosureHead
		Versions []apiVersion `json:"versions"`
	}{apiDisclosureHead: s.apiHead(r, d)}
	for _, v := range versions {
		av := apiVersion{Version: v.Version, Action: v.Action, Title: v.Title, Period: v.Period, Body: v.Body, ValidFrom: v.ValidFrom, ValidTo: v.ValidTo,
			Reason: v.Reason, PublishedAt: v.PublishedAt.UTC().Format(time.RFC3339), LeafIndex: v.LeafIndex, ContentSHA256: v.ContentSHA256, Attachments: []apiFile{}}
		if v.RedactedAt != nil {
			av.Redacted = &apiRedac{At: v.RedactedAt.UTC().Format(time.RFC3339), What: v.RedactionWhat, Why: v.RedactionWhy}
		}
		for _, f := range v.Files {
			af := apiFile{Name: f.Name, SHA256: f.SHA256, ContentType: f.ContentType, Size: f.Size, Redacted: f.Redacted}
			if !f.Redacted {
				af.URL = s.BaseURL(r) + "/c/" + st.Community.Slug + "/files/" + f.SHA256
			}
			av.Attachments = append(av.Attachments, af)
		}
		out.Versions = append(out.Versions, av)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ---- District-wide search ----

type districtSearchData struct {
	web.Page
	Districts []districtChoice
	District  int64
	Query     string
	searchHits
}

type districtChoice struct {
	ID   int64
	Name string
}

func (s *handlers) districtSearch(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.org.Districts(r.Context())
	if err != nil {
		return err
	}
	d := &districtSearchData{Page: s.NewPage(r, "搜索全区公开内容"), Query: r.URL.Query().Get("q")}
	for _, x := range ds {
		d.Districts = append(d.Districts, districtChoice{x.ID, x.Name})
	}
	if len(ds) == 0 {
		s.Render(w, r, http.StatusOK, "board_dsearch", d)
		return nil
	}
	d.District = ds[0].ID
	if v := r.URL.Query().Get("district"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return mingbai.FieldError("district", "请选择区。")
		}
		d.District = id
	}
	status := http.StatusOK
	if d.Query != "" {
		var err error
		if status, err = s.search(r, disclosure.SearchQuery{Q: d.Query, DistrictID: d.District, Page: queryPage(r)}, &d.searchHits); err != nil {
			return err
		}
	}
	s.Render(w, r, status, "board_dsearch", d)
	return nil
}

// ---- The printed board ----

type printData struct {
	boardPage
	Size     string // A3 or A4
	Sections []printSection
	Head     disclosure.LogHead
	HeadQR   template.HTML
	Printed  time.Time
}

type printSection struct {
	web.Section
	Items []printItem
}

type printItem struct {
	Item    disclosure.BoardItem
	Version *disclosure.Version
	Body    template.HTML
	URL     string
	QR      template.HTML
}

// qrSVG draws text as a QR code in an SVG of black squares, with the quiet
// zone the standard asks for. The SVG is built here from booleans only, so
// it is safe HTML.
func qrSVG(text, label string) (template.HTML, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	n := c.Size + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`,
		n, n, template.HTMLEscapeString(label), n, n)
	// One rectangle per horizontal run of dark modules, not per module:
	// a version's address makes some 520 dark modules in about 290 runs,
	// and the printed board carries a code per item (TestQRSVGRuns).
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+4, y+4, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

// printPage is the window board (橱窗) of a community on A3 or A4 paper:
// the current disclosures by section, each with a QR code to its exact
// version, and the log's checkpoint at the foot with its own QR code.
func (s *handlers) printPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	size := r.URL.Query().Get("size")
	if size != "A4" {
		size = "A3"
	}
	board, versions, err := s.disclosure.Current(r.Context(), st.Community.ID)
	if err != nil {
		return err
	}
	head, err := s.disclosure.LogHead(r.Context())
	if err != nil {
		return err
	}
	d := &printData{boardPage: s.newBoardPage(r, st.Community.Name+"居务公开栏", "print"), Size: size, Head: head, Printed: s.now()}
	base := s.BaseURL(r)
	for _, sec := range board {
		sc, _ := web.SectionBySlug(string(sec.Section))
		ps := printSection{Section: sc}
		for _, bi := range sec.Items {
			v := versions[func() int64 {
				if bi.Latest == nil {
					return 0
				}
				return bi.Latest.ID
			}()]
			if v == nil {
				continue
			}
			url := fmt.Sprintf("%s/c/%s/d/%d/v/%d", base, st.Community.Slug, v.DisclosureID, v.Version)
			code, err := qrSVG(url, "扫码查看第"+strconv.Itoa(v.Version)+"版原文")
			if err != nil {
				return err
			}
			ps.Items = append(ps.Items, printItem{Item: bi, Version: v, Body: disclosure.RenderMarkdown(v.Body), URL: url, QR: code})
		}
		d.Sections = append(d.Sections, ps)
	}
	if head.Size > 0 {
		code, err := qrSVG(fmt.Sprintf("%s/log/checkpoint#size=%d&root=%s", base, head.Size, head.RootHex), "扫码核对公开日志")
		if err != nil {
			return err
		}
		d.HeadQR = code
	}
	s.Render(w, r, http.StatusOK, "board_print", d)
	return nil
}
