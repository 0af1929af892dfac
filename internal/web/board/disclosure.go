package board

import (
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/export"
	"mingbai/internal/org"
	"mingbai/internal/web"
	"mingbai/internal/zh"
)

// The board: catalog, disclosures with their versions, drafts, the
// public board of a community, archive and search. See internal/disclosure.

// disclosurePages are the board's pages.
var disclosurePages = map[string][]string{
	"home":             {"board/home.html", "board/unitlist.html"},
	"street":           {"board/street.html", "board/unitlist.html"},
	"community":        {"board/community.html"},
	"board":            {"board/board.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_item":       {"board/item.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_disclosure": {"board/disclosure.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html", "partials/verify.html"},
	"board_correct":    {"board/correct.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_redact":     {"board/redact.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_drafts":     {"board/drafts.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_draft":      {"board/draft.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_catalog":    {"board/catalog.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_item_edit":  {"board/item_edit.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_archive":    {"board/archive.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_search":     {"board/search.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_todo":       {"board/todo.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_matrix":     {"board/matrix.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"admin_catalog":    {"board/admin_catalog.html", "board/parts.html", "partials/boarditems.html", "partials/fields.html"},
	"board_dsearch":    {"board/dsearch.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
	"board_print":      {"board/print.html", "board/parts.html", "partials/boarditems.html", "partials/boarditems.html"},
}

// maxUpload is the body limit of an attachment upload: the file and a
// little form around it.
const maxUpload = disclosure.MaxFileSize + 1<<20

// maxCorrectBody is the body limit of a correction: its text and new
// files of 40 MB in all (two of the largest; up to
// disclosure.MaxCorrectUploads smaller ones). A larger limit would let one
// request hold a server's disk and memory longer for a rare need: more
// files can follow in a second correction.
const maxCorrectBody = 2*disclosure.MaxFileSize + 1<<20

var (
	// publisherOfCommunity: whoever may publish something in the
	// {community}: its cadres and party secretary, and clerks of the
	// departments of its district. The service checks the item itself.
	publisherOfCommunity = web.Policy{Name: "publisher of the community", Allow: func(a *mingbai.Actor, st *web.RequestState) bool {
		return st.Community != nil && isPublisher(a, st.Community)
	}}
	// redactorOfCommunity: a publisher of the community or an admin of
	// its district.
	redactorOfCommunity = web.Policy{Name: "publisher or district admin", Allow: func(a *mingbai.Actor, st *web.RequestState) bool {
		return st.Community != nil && (isPublisher(a, st.Community) || a.IsDistrictAdmin(st.Community.DistrictID))
	}}
)

func isPublisher(a *mingbai.Actor, c *org.Unit) bool {
	if a.Has(mingbai.RoleCadre, c.ID) || a.Has(mingbai.RolePartySecretary, c.ID) {
		return true
	}
	for _, g := range a.Grants {
		if g.Role == mingbai.RoleClerk && g.District == c.DistrictID {
			return true
		}
	}
	return false
}

func (s *handlers) registerDisclosureRoutes() {
	if s.disclosure == nil {
		return
	}
	// Public.
	s.Handle("GET /c/{community}/catalog", web.Public, s.Cached(s.catalogPage))
	s.Handle("GET /c/{community}/items/{item}", web.Public, s.Cached(s.itemPage))
	s.Handle("GET /c/{community}/d/{id}", web.Public, s.Cached(s.disclosurePage))
	s.Handle("GET /c/{community}/d/{id}/v/{version}", web.Public, s.Cached(s.disclosurePage))
	s.Handle("GET /c/{community}/files/{sum}", web.Public, s.publicFile)
	s.Handle("GET /c/{community}/thumbs/{sum}", web.Public, s.publicThumb)
	s.Handle("GET /c/{community}/archive", web.Public, s.Cached(s.archivePage))
	s.Handle("GET /c/{community}/search", web.Public, s.Cached(s.searchPage))

	// Publishing.
	s.Handle("GET /c/{community}/drafts", publisherOfCommunity, s.draftsPage)
	s.Handle("POST /c/{community}/drafts", publisherOfCommunity, s.createDraft)
	s.Handle("GET /c/{community}/drafts/{draft}", publisherOfCommunity, s.draftPage)
	s.Handle("POST /c/{community}/drafts/{draft}", publisherOfCommunity, s.updateDraft)
	s.HandleUpload("POST /c/{community}/drafts/{draft}/files", publisherOfCommunity, maxUpload, s.uploadDraftFile)
	s.Handle("GET /c/{community}/drafts/{draft}/files/{sum}", publisherOfCommunity, s.draftFile)
	s.Handle("POST /c/{community}/drafts/{draft}/files/{sum}/remove", publisherOfCommunity, s.removeDraftFile)
	s.Handle("POST /c/{community}/drafts/{draft}/publish", publisherOfCommunity, s.publishDraft)
	s.Handle("POST /c/{community}/drafts/{draft}/delete", publisherOfCommunity, s.deleteDraft)
	s.Handle("GET /c/{community}/d/{id}/correct", publisherOfCommunity, s.correctPage)
	s.HandleUpload("POST /c/{community}/d/{id}/correct", publisherOfCommunity, maxCorrectBody, s.correct)
	s.Handle("POST /c/{community}/d/{id}/withdraw", publisherOfCommunity, s.withdraw)
	s.Handle("GET /c/{community}/d/{id}/v/{version}/redact", redactorOfCommunity, s.redactPage)
	s.Handle("POST /c/{community}/d/{id}/v/{version}/redact", redactorOfCommunity, s.redact)

	// The community's own catalog items.
	s.Handle("POST /c/{community}/catalog", web.CadreOfCommunity, s.saveCommunityItem)
	s.Handle("GET /c/{community}/catalog/{item}", web.CadreOfCommunity, s.communityItemEditPage)
	s.Handle("POST /c/{community}/catalog/{item}", web.CadreOfCommunity, s.saveCommunityItem)

	// The district's catalog.
	s.Handle("GET /admin/catalog", web.DistrictAdmin, s.adminCatalogPage)
	s.Handle("POST /admin/catalog", web.DistrictAdmin, s.saveDistrictItem)
	s.Handle("GET /admin/catalog/{item}", web.DistrictAdmin, s.adminItemEditPage)
	s.Handle("POST /admin/catalog/{item}", web.DistrictAdmin, s.saveDistrictItem)
	s.Handle("POST /admin/catalog/{item}/archive", web.DistrictAdmin, s.archiveDistrictItem)

	// Compliance.
	s.Handle("GET /c/{community}/todo", publisherOfCommunity, s.todoPage)
	s.Handle("GET /s/{street}/compliance", web.OverseerOfStreet, s.matrixPage)
	s.Handle("GET /s/{street}/compliance.csv", web.OverseerOfStreet, s.matrixDownload(export.CSV))
	s.Handle("GET /s/{street}/compliance.xlsx", web.OverseerOfStreet, s.matrixDownload(export.XLSX))

	s.registerDisclosureDataRoutes()
}

// boardPage is what every board page embeds.
type boardPage struct {
	web.Page
	Community *org.Unit
	Street    *org.Unit
	Sections  []web.Section
	Current   string // the tab shown: "", a section slug, "search", "archive", "catalog"
	Publisher bool   // the actor may publish here
	Cadre     bool
	Query     string // the search box's text
}

// boardNotices are the board's messages after a redirect with ?done=KEY.
var boardNotices = map[string]string{
	"published": "已发布，并已记入公开日志。",
	"corrected": "已发布更正，原版本仍可查看。",
	"withdrawn": "已撤回，撤回原因已公开。",
	"redacted":  "已删除该版本中的个人信息，日志中的原哈希保持不变。",
	"deleted":   "草稿已删除。",
}

func (s *handlers) newBoardPage(r *http.Request, title, current string) boardPage {
	st := web.State(r)
	a := web.Actor(r)
	p := s.NewPage(r, title)
	if n, ok := boardNotices[r.URL.Query().Get("done")]; ok {
		p.Notice = n
	}
	p.Feeds = web.CommunityFeeds(st.Community, current)
	return boardPage{
		Page: p, Community: st.Community, Street: st.Street, Sections: web.Sections, Current: current,
		Publisher: isPublisher(a, st.Community), Cadre: a.Has(mingbai.RoleCadre, st.Community.ID),
	}
}

type boardData struct {
	boardPage
	Board    []boardSection
	Query    string
	CanTodo  bool
	Drafts   int
	Checkout string
}

type boardSection struct {
	web.Section
	Items []disclosure.BoardItem
}

func (s *handlers) boardPage(w http.ResponseWriter, r *http.Request, sec *web.Section) error {
	st := web.State(r)
	cur := ""
	title := st.Community.Name
	if sec != nil {
		cur = sec.Slug
		title = sec.Label + "公开 · " + st.Community.Name
	}
	board, err := s.disclosure.Board(r.Context(), st.Community.ID)
	if err != nil {
		return err
	}
	d := &boardData{boardPage: s.newBoardPage(r, title, cur)}
	for _, bs := range board {
		sc, _ := web.SectionBySlug(string(bs.Section))
		if sec != nil && sec.Slug != sc.Slug {
			continue
		}
		d.Board = append(d.Board, boardSection{Section: sc, Items: bs.Items})
	}
	s.Render(w, r, http.StatusOK, "board", d)
	return nil
}

type itemData struct {
	boardPage
	Item    *disclosure.Item
	Section web.Section
	List    *disclosure.List
	Fresh   disclosure.Freshness
	PrevURL string
	NextURL string
	// History is every logged change of the catalog item, newest first.
	History []disclosure.ItemVersion
}

func (s *handlers) itemPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	it, err := s.communityItem(r)
	if err != nil {
		return err
	}
	id := it.ID
	page := queryPage(r)
	list, err := s.disclosure.ItemDisclosures(r.Context(), st.Community.ID, id, page)
	if err != nil {
		return err
	}
	hist, err := s.disclosure.ItemHistory(r.Context(), st.Community.ID, id)
	if err != nil {
		return err
	}
	slices.Reverse(hist)
	d := &itemData{boardPage: s.newBoardPage(r, it.Name+" · "+st.Community.Name, string(it.Section)), Item: it, List: list, History: hist}
	d.Section, _ = web.SectionBySlug(string(it.Section))
	var last time.Time
	for _, x := range list.Disclosures {
		if !x.Withdrawn() && x.FirstPublishedAt.After(last) {
			last = x.FirstPublishedAt
		}
	}
	if page == 1 {
		d.Fresh = s.disclosure.Freshness(it, last, s.now())
	}
	d.PrevURL, d.NextURL = pager(r, list.Page, list.More)
	s.Render(w, r, http.StatusOK, "board_item", d)
	return nil
}

func queryPage(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 || p > 100000 {
		return 1
	}
	return p
}

// pager returns the links to the previous and next page of a list.
func pager(r *http.Request, page int, more bool) (prev, next string) {
	q := r.URL.Query()
	if page > 1 {
		q.Set("page", strconv.Itoa(page-1))
		prev = r.URL.Path + "?" + q.Encode()
	}
	if more {
		q.Set("page", strconv.Itoa(page+1))
		next = r.URL.Path + "?" + q.Encode()
	}
	return prev, next
}

type disclosureData struct {
	boardPage
	Disclosure *disclosure.Disclosure
	Item       *disclosure.Item
	Section    web.Section
	Versions   []disclosure.Version
	Shown      *disclosure.Version
	Body       template.HTML
	Diff       *disclosure.VersionDiff
	Latest     bool
	CanPublish bool
	CanRedact  bool
	Form       *web.Form
	Files      []fileView
	// LastVersion is the newest version; NextVersion the number a
	// correction would get.
	LastVersion *disclosure.Version
	NextVersion int
	// History is Versions with the attachments each added and removed.
	History []versionEntry
	// Drop are the attachments a correction form leaves out, as the
	// cadre ticked them.
	Drop map[string]bool
	// RedactFiles are the shown version's attachments the redact form
	// can take down.
	RedactFiles []redactFile
}

// redactFile is an attachment on the redact form, with the other versions
// of the disclosure that still publish the same file. A file is served by
// its content, so while any of them keeps it, taking it off one version
// does not take it off the site: the form says so.
type redactFile struct {
	disclosure.Attachment
	Elsewhere []int
}

func redactFiles(d *disclosureData) []redactFile {
	var out []redactFile
	for _, f := range d.Shown.Files {
		if f.Redacted {
			continue
		}
		rf := redactFile{Attachment: f}
		for _, v := range d.Versions {
			if v.Version == d.Shown.Version {
				continue
			}
			for _, g := range v.Files {
				if g.SHA256 == f.SHA256 && !g.Redacted {
					rf.Elsewhere = append(rf.Elsewhere, v.Version)
					break
				}
			}
		}
		out = append(out, rf)
	}
	return out
}

// versionEntry is one line of a disclosure's version history.
type versionEntry struct {
	*disclosure.Version
	AddedFiles, RemovedFiles []disclosure.Attachment
}

// fileView is an attachment with its links.
type fileView struct {
	disclosure.Attachment
	URL, Thumb string
}

func (s *handlers) loadDisclosure(r *http.Request) (*disclosureData, error) {
	st := web.State(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, versions, err := s.disclosure.Disclosure(r.Context(), st.Community.ID, id)
	if err != nil {
		return nil, err
	}
	it, err := s.disclosure.Item(r.Context(), st.Community.ID, d.ItemID)
	if err != nil {
		return nil, err
	}
	n := d.Version
	if r.PathValue("version") != "" {
		v, err := strconv.Atoi(r.PathValue("version"))
		if err != nil || v < 1 || v > len(versions) {
			return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该版本。")
		}
		n = v
	}
	a := web.Actor(r)
	data := &disclosureData{
		boardPage:  s.newBoardPage(r, d.Title+" · "+st.Community.Name, string(it.Section)),
		Disclosure: d, Item: it, Versions: versions, Shown: &versions[n-1], Latest: n == d.Version,
		CanPublish: isPublisher(a, st.Community),
		CanRedact:  isPublisher(a, st.Community) || a.IsDistrictAdmin(st.Community.DistrictID),
		Form:       web.NewForm(r),
	}
	data.Section, _ = web.SectionBySlug(string(it.Section))
	data.Body = disclosure.RenderMarkdown(data.Shown.Body)
	data.LastVersion, data.NextVersion = &versions[len(versions)-1], d.Version+1
	for i := range versions {
		e := versionEntry{Version: &versions[i]}
		if i > 0 && versions[i].Action == "correct" {
			e.AddedFiles, e.RemovedFiles = disclosure.FileChanges(&versions[i-1], &versions[i])
		}
		data.History = append(data.History, e)
	}
	for _, f := range data.Shown.Files {
		base := "/c/" + st.Community.Slug
		data.Files = append(data.Files, fileView{Attachment: f, URL: base + "/files/" + f.SHA256, Thumb: base + "/thumbs/" + f.SHA256})
	}
	// A correction is shown with what it changed; a withdrawal with the
	// text it took down is in the history already.
	if n > 1 && data.Shown.Action == "correct" {
		diff := disclosure.Compare(&versions[n-2], data.Shown)
		data.Diff = &diff
	}
	return data, nil
}

func (s *handlers) disclosurePage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "board_disclosure", d)
	return nil
}

// serveFile sends a stored attachment. Files are named by their hash, so
// a URL's content never changes and may be cached for good; the sniffed
// type was checked at upload, and nosniff keeps browsers to it.
func (s *handlers) serveFile(w http.ResponseWriter, r *http.Request, f *disclosure.Attachment, thumb bool) error {
	open := s.disclosure.Files().Open
	ctype := f.ContentType
	if thumb {
		open, ctype = s.disclosure.Files().OpenThumb, "image/jpeg"
	}
	file, err := open(f.SHA256)
	if err != nil {
		return err
	}
	defer file.Close()
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	disp := "inline"
	if !f.IsImage() && ctype != "application/pdf" {
		disp = "attachment"
	}
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	if web.Actor(r).Anonymous() {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	http.ServeContent(w, r, "", time.Time{}, file)
	return nil
}

func (s *handlers) publicFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.disclosure.FileOf(r.Context(), web.State(r).Community.ID, r.PathValue("sum"))
	if err != nil {
		return err
	}
	return s.serveFile(w, r, f, false)
}

func (s *handlers) publicThumb(w http.ResponseWriter, r *http.Request) error {
	f, err := s.disclosure.FileOf(r.Context(), web.State(r).Community.ID, r.PathValue("sum"))
	if err != nil {
		return err
	}
	if !f.IsImage() {
		return web.ErrNotFound
	}
	if err := s.serveFile(w, r, f, true); mingbai.ErrorCode(err) == mingbai.ENOTFOUND {
		return s.serveFile(w, r, f, false)
	} else {
		return err
	}
}

type archiveData struct {
	boardPage
	Periods []disclosure.ArchivePeriod
	Year    int
	Quarter int
	List    *disclosure.List
	PrevURL string
	NextURL string
}

func (s *handlers) archivePage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	periods, err := s.disclosure.ArchivePeriods(r.Context(), st.Community.ID)
	if err != nil {
		return err
	}
	d := &archiveData{boardPage: s.newBoardPage(r, "公开档案 · "+st.Community.Name, "archive"), Periods: periods}
	if y := r.URL.Query().Get("year"); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			return mingbai.Errorf(mingbai.ENOTFOUND, "没有这个年份的公开内容。")
		}
		q, _ := strconv.Atoi(r.URL.Query().Get("quarter"))
		d.Year, d.Quarter = year, q
		if d.List, err = s.disclosure.Archive(r.Context(), st.Community.ID, year, q, queryPage(r)); err != nil {
			return err
		}
		d.PrevURL, d.NextURL = pager(r, d.List.Page, d.List.More)
	}
	s.Render(w, r, http.StatusOK, "board_archive", d)
	return nil
}

type searchData struct {
	boardPage
	searchHits
}

// searchHits is a search's outcome as the search pages show it.
type searchHits struct {
	Result  *disclosure.SearchResult
	Error   string
	PrevURL string
	NextURL string
}

// search runs q into h. A query the index refuses becomes a message on
// the page with status 400, not an error page.
func (s *handlers) search(r *http.Request, q disclosure.SearchQuery, h *searchHits) (status int, err error) {
	res, err := s.disclosure.Search(r.Context(), q)
	switch {
	case web.FormError(err):
		h.Error = mingbai.ErrorMessage(err)
		return http.StatusBadRequest, nil
	case err != nil:
		return 0, err
	}
	h.Result = res
	h.PrevURL, h.NextURL = pager(r, res.Page, res.More)
	return http.StatusOK, nil
}

func (s *handlers) searchPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	d := &searchData{boardPage: s.newBoardPage(r, "搜索 · "+st.Community.Name, "search")}
	q := r.URL.Query().Get("q")
	d.Query = q
	status := http.StatusOK
	if q != "" {
		var err error
		if status, err = s.search(r, disclosure.SearchQuery{Q: q, CommunityID: st.Community.ID, Page: queryPage(r)}, &d.searchHits); err != nil {
			return err
		}
	}
	s.Render(w, r, status, "board_search", d)
	return nil
}

// ---- Drafts and publishing ----

type draftsData struct {
	boardPage
	Drafts []disclosure.Draft
	Items  []disclosure.Item
	Form   *web.Form
}

func (s *handlers) draftsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDrafts(w, r, http.StatusOK, &web.Form{Values: map[string]string{"item": r.URL.Query().Get("item")}, Errors: map[string]string{}})
}

func (s *handlers) renderDrafts(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	st := web.State(r)
	a := web.Actor(r)
	drafts, err := s.disclosure.Drafts(r.Context(), a, st.Community.ID)
	if err != nil {
		return err
	}
	items, err := s.disclosure.PublishableItems(r.Context(), a, st.Community.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "board_drafts", &draftsData{boardPage: s.newBoardPage(r, "发布公开事项 · "+st.Community.Name, ""), Drafts: drafts, Items: items, Form: f})
	return nil
}

var draftFields = []string{"item", "title", "period", "body", "valid_from", "valid_to"}

func draftInput(f *web.Form) disclosure.DraftInput {
	item, _ := strconv.ParseInt(f.Values["item"], 10, 64)
	return disclosure.DraftInput{ItemID: item, Title: f.Values["title"], Period: f.Values["period"], Body: f.Values["body"], ValidFrom: f.Values["valid_from"], ValidTo: f.Values["valid_to"]}
}

func (s *handlers) createDraft(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	f := web.NewForm(r, draftFields...)
	in := draftInput(f)
	var d *disclosure.Draft
	var err error
	if in.PublicPhones, err = web.ReviewNumbers(r, f, in.Title, in.Period, in.Body); err == nil {
		d, err = s.disclosure.CreateDraft(r.Context(), web.Actor(r), st.Community.ID, in)
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderDrafts(w, r, status, f) },
		func() string { return fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.Community.Slug, d.ID) })
}

type draftData struct {
	boardPage
	Draft   *disclosure.Draft
	Item    *disclosure.Item
	Items   []disclosure.Item
	Preview template.HTML
	Form    *web.Form
	Upload  *web.Form
	// Kept are the phones the draft's text keeps unmasked.
	Kept []zh.Number
}

func (s *handlers) draftPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDraft(w, r, http.StatusOK, nil, nil)
}

func (s *handlers) renderDraft(w http.ResponseWriter, r *http.Request, status int, f, up *web.Form) error {
	st := web.State(r)
	a := web.Actor(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	d, err := s.disclosure.Draft(r.Context(), a, st.Community.ID, id)
	if err != nil {
		return err
	}
	it, err := s.disclosure.Item(r.Context(), st.Community.ID, d.ItemID)
	if err != nil {
		return err
	}
	items, err := s.disclosure.PublishableItems(r.Context(), a, st.Community.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = &web.Form{Values: map[string]string{
			"item": strconv.FormatInt(d.ItemID, 10), "title": d.Title, "period": d.Period, "body": d.Body, "valid_from": d.ValidFrom, "valid_to": d.ValidTo,
		}, Errors: map[string]string{}}
		web.ListKeptNumbers(f, d.Title, d.Period, d.Body)
	}
	if up == nil {
		up = web.NewForm(r)
	}
	s.Render(w, r, status, "board_draft", &draftData{
		boardPage: s.newBoardPage(r, "草稿预览 · "+d.Title, ""), Draft: d, Item: it, Items: items,
		Preview: disclosure.RenderMarkdown(d.Body), Form: f, Upload: up, Kept: web.FindNumbers(d.Title, d.Period, d.Body),
	})
	return nil
}

func (s *handlers) updateDraft(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	f := web.NewForm(r, draftFields...)
	in := draftInput(f)
	if in.PublicPhones, err = web.ReviewNumbers(r, f, in.Title, in.Period, in.Body); err == nil {
		_, err = s.disclosure.UpdateDraft(r.Context(), web.Actor(r), st.Community.ID, id, in)
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderDraft(w, r, status, f, nil) },
		func() string { return fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.Community.Slug, id) })
}

func (s *handlers) uploadDraftFile(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	a := web.Actor(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	// The draft is checked before the file is stored, so nobody can fill
	// the disk through another community's draft.
	if _, err := s.disclosure.Draft(r.Context(), a, st.Community.ID, id); err != nil {
		return err
	}
	up := web.NewForm(r)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		up.Fail(mingbai.FieldError("file", "请选择要上传的图片或 PDF 文件。"))
		return s.renderDraft(w, r, http.StatusBadRequest, nil, up)
	}
	defer file.Close()
	att, err := s.disclosure.Files().Put(io.Reader(file), hdr.Filename)
	if err == nil {
		err = s.disclosure.AttachToDraft(r.Context(), a, st.Community.ID, id, att)
	}
	return web.Finish(w, r, err, up,
		func(status int) error { return s.renderDraft(w, r, status, nil, up) },
		func() string { return fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.Community.Slug, id) })
}

func (s *handlers) draftFile(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	f, err := s.disclosure.DraftFile(r.Context(), web.Actor(r), st.Community.ID, id, r.PathValue("sum"))
	if err != nil {
		return err
	}
	return s.serveFile(w, r, f, false)
}

func (s *handlers) removeDraftFile(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	if err := s.disclosure.DetachFromDraft(r.Context(), web.Actor(r), st.Community.ID, id, r.PathValue("sum")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.Community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *handlers) publishDraft(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	v, err := s.disclosure.Publish(r.Context(), web.Actor(r), st.Community.ID, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d?done=published", st.Community.Slug, v.DisclosureID), http.StatusSeeOther)
	return nil
}

func (s *handlers) deleteDraft(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "draft")
	if err != nil {
		return err
	}
	if err := s.disclosure.DeleteDraft(r.Context(), web.Actor(r), st.Community.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts?done=deleted", st.Community.Slug), http.StatusSeeOther)
	return nil
}

var correctFields = []string{"title", "period", "body", "valid_from", "valid_to", "reason", "version"}

func (s *handlers) correctPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	v := d.Shown
	d.Form.Values = map[string]string{"title": v.Title, "period": v.Period, "body": v.Body, "valid_from": v.ValidFrom, "valid_to": v.ValidTo, "version": strconv.Itoa(v.Version)}
	web.ListKeptNumbers(d.Form, v.Title, v.Period, v.Body)
	d.Title = "更正 · " + v.Title
	s.Render(w, r, http.StatusOK, "board_correct", d)
	return nil
}

// correct publishes a correction from a multipart form: the new text,
// the current attachments to drop ("drop") and new files ("file"). The
// service checks the form before any upload is stored, so a form with a
// mistake leaves no file behind.
func (s *handlers) correct(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	a := web.Actor(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := web.NewForm(r, correctFields...)
	version, _ := strconv.Atoi(f.Values["version"])
	in := disclosure.CorrectInput{
		Title: f.Values["title"], Period: f.Values["period"], Body: f.Values["body"], ValidFrom: f.Values["valid_from"], ValidTo: f.Values["valid_to"],
		Reason: f.Values["reason"], Version: version, Drop: r.PostForm["drop"],
	}
	var uploads []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, h := range r.MultipartForm.File["file"] {
			// A file input left empty still sends a part without a name.
			if h.Filename != "" || h.Size > 0 {
				uploads = append(uploads, h)
			}
		}
	}
	if in.PublicPhones, err = web.ReviewNumbers(r, f, in.Title, in.Period, in.Body, in.Reason); err == nil {
		err = s.disclosure.CheckCorrect(r.Context(), a, st.Community.ID, id, in, len(uploads))
	}
	for _, h := range uploads {
		if err == nil {
			err = checkUpload(h)
		}
	}
	for _, h := range uploads {
		if err != nil {
			break
		}
		var att disclosure.Attachment
		att, err = s.storeUpload(h)
		in.Add = append(in.Add, att)
	}
	var v *disclosure.Version
	if err == nil {
		v, err = s.disclosure.Correct(r.Context(), a, st.Community.ID, id, in)
	}
	if err != nil && len(in.Add) > 0 {
		// The files stored for this form are no version's: take them off
		// the disk unless something else shows them.
		if ferr := s.disclosure.ForgetUploads(r.Context(), in.Add); ferr != nil {
			s.logger.Error("forget uploads of a failed correction", "id", web.RequestID(r), "err", ferr)
		}
	}
	if web.FormError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.Fail(err)
		if len(uploads) > 0 && f.Errors["file"] == "" {
			// Browsers never refill a file input.
			f.Errors["file"] = "请重新选择要上传的文件。"
		}
		d.Form = f
		d.Drop = map[string]bool{}
		for _, sum := range in.Drop {
			d.Drop[sum] = true
		}
		d.Title = "更正 · " + d.Shown.Title
		s.Render(w, r, web.StatusOf(mingbai.ErrorCode(err)), "board_correct", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d/v/%d?done=corrected", st.Community.Slug, id, v.Version), http.StatusSeeOther)
	return nil
}

// checkUpload refuses an uploaded file that Put would refuse, so that no
// file of a form is stored while another of its files is refused.
func checkUpload(h *multipart.FileHeader) error {
	file, err := h.Open()
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	defer file.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("read upload: %w", err)
	}
	if _, err := disclosure.CheckFile(h.Size, head[:n]); err != nil {
		return mingbai.FieldError("file", "“%s”：%s", h.Filename, mingbai.ErrorMessage(err))
	}
	return nil
}

// storeUpload stores one uploaded file by its hash; a refused file's
// message names it.
func (s *handlers) storeUpload(h *multipart.FileHeader) (disclosure.Attachment, error) {
	file, err := h.Open()
	if err != nil {
		return disclosure.Attachment{}, fmt.Errorf("open upload: %w", err)
	}
	defer file.Close()
	att, err := s.disclosure.Files().Put(file, h.Filename)
	if web.FormError(err) {
		return att, mingbai.FieldError("file", "“%s”：%s", h.Filename, mingbai.ErrorMessage(err))
	}
	return att, err
}

func (s *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := web.NewForm(r, "reason", "version")
	version, _ := strconv.Atoi(f.Values["version"])
	_, err = s.disclosure.Withdraw(r.Context(), web.Actor(r), st.Community.ID, id, version, f.Values["reason"])
	if web.FormError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.Fail(err)
		d.Form = f
		s.Render(w, r, web.StatusOf(mingbai.ErrorCode(err)), "board_disclosure", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d?done=withdrawn", st.Community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *handlers) redactPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	d.Title = "删除个人信息 · " + d.Shown.Title
	d.RedactFiles = redactFiles(d)
	s.Render(w, r, http.StatusOK, "board_redact", d)
	return nil
}

func (s *handlers) redact(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该版本。")
	}
	f := web.NewForm(r, "mask", "what", "why")
	// One passage to mask per line: the server finds and masks them, the
	// form never carries replacement text.
	err = s.disclosure.Redact(r.Context(), web.Actor(r), st.Community.ID, id, n, disclosure.RedactInput{
		Mask: strings.Split(f.Values["mask"], "\n"), What: f.Values["what"], Why: f.Values["why"], DropFiles: r.PostForm["drop"],
	})
	if web.FormError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.Fail(err)
		d.Form = f
		d.Title = "删除个人信息 · " + d.Shown.Title
		d.RedactFiles = redactFiles(d)
		s.Render(w, r, web.StatusOf(mingbai.ErrorCode(err)), "board_redact", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d/v/%d?done=redacted", st.Community.Slug, id, n), http.StatusSeeOther)
	return nil
}
