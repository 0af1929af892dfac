package web

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
	"mingbai/internal/org"
	"mingbai/internal/zh"
)

// The board: catalog, disclosures with their versions, drafts, the
// public board of a community, archive and search. See internal/disclosure.

// disclosurePages are the board's pages.
var disclosurePages = map[string][]string{
	"board":            {"board/board.html", "board/parts.html"},
	"board_item":       {"board/item.html", "board/parts.html"},
	"board_disclosure": {"board/disclosure.html", "board/parts.html", "partials/fields.html", "partials/verify.html"},
	"board_correct":    {"board/correct.html", "board/parts.html", "partials/fields.html"},
	"board_redact":     {"board/redact.html", "board/parts.html", "partials/fields.html"},
	"board_drafts":     {"board/drafts.html", "board/parts.html", "partials/fields.html"},
	"board_draft":      {"board/draft.html", "board/parts.html", "partials/fields.html"},
	"board_catalog":    {"board/catalog.html", "board/parts.html", "partials/fields.html"},
	"board_item_edit":  {"board/item_edit.html", "board/parts.html", "partials/fields.html"},
	"board_archive":    {"board/archive.html", "board/parts.html"},
	"board_search":     {"board/search.html", "board/parts.html"},
	"board_todo":       {"board/todo.html", "board/parts.html"},
	"board_matrix":     {"board/matrix.html", "board/parts.html"},
	"admin_catalog":    {"board/admin_catalog.html", "board/parts.html", "partials/fields.html"},
	"board_dsearch":    {"board/dsearch.html", "board/parts.html"},
	"board_print":      {"board/print.html", "board/parts.html"},
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
	publisherOfCommunity = policy{"publisher of the community", func(a *mingbai.Actor, st *requestState) bool {
		return st.community != nil && isPublisher(a, st.community)
	}}
	// redactorOfCommunity: a publisher of the community or an admin of
	// its district.
	redactorOfCommunity = policy{"publisher or district admin", func(a *mingbai.Actor, st *requestState) bool {
		return st.community != nil && (isPublisher(a, st.community) || a.IsDistrictAdmin(st.community.DistrictID))
	}}
	// overseerOfStreet: an officer of the {street} or an admin of its
	// district.
	overseerOfStreet = policy{"street officer or district admin", func(a *mingbai.Actor, st *requestState) bool {
		return st.street != nil && (a.OfficerOf(st.street.ID) || a.IsDistrictAdmin(st.street.DistrictID))
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

func (s *Server) registerDisclosureRoutes() {
	if s.disclosure == nil {
		return
	}
	// Public.
	s.handle("GET /c/{community}/catalog", public, s.cached(s.catalogPage))
	s.handle("GET /c/{community}/items/{item}", public, s.cached(s.itemPage))
	s.handle("GET /c/{community}/d/{id}", public, s.cached(s.disclosurePage))
	s.handle("GET /c/{community}/d/{id}/v/{version}", public, s.cached(s.disclosurePage))
	s.handle("GET /c/{community}/files/{sum}", public, s.publicFile)
	s.handle("GET /c/{community}/thumbs/{sum}", public, s.publicThumb)
	s.handle("GET /c/{community}/archive", public, s.cached(s.archivePage))
	s.handle("GET /c/{community}/search", public, s.cached(s.searchPage))

	// Publishing.
	s.handle("GET /c/{community}/drafts", publisherOfCommunity, s.draftsPage)
	s.handle("POST /c/{community}/drafts", publisherOfCommunity, s.createDraft)
	s.handle("GET /c/{community}/drafts/{draft}", publisherOfCommunity, s.draftPage)
	s.handle("POST /c/{community}/drafts/{draft}", publisherOfCommunity, s.updateDraft)
	s.handleUpload("POST /c/{community}/drafts/{draft}/files", publisherOfCommunity, maxUpload, s.uploadDraftFile)
	s.handle("GET /c/{community}/drafts/{draft}/files/{sum}", publisherOfCommunity, s.draftFile)
	s.handle("POST /c/{community}/drafts/{draft}/files/{sum}/remove", publisherOfCommunity, s.removeDraftFile)
	s.handle("POST /c/{community}/drafts/{draft}/publish", publisherOfCommunity, s.publishDraft)
	s.handle("POST /c/{community}/drafts/{draft}/delete", publisherOfCommunity, s.deleteDraft)
	s.handle("GET /c/{community}/d/{id}/correct", publisherOfCommunity, s.correctPage)
	s.handleUpload("POST /c/{community}/d/{id}/correct", publisherOfCommunity, maxCorrectBody, s.correct)
	s.handle("POST /c/{community}/d/{id}/withdraw", publisherOfCommunity, s.withdraw)
	s.handle("GET /c/{community}/d/{id}/v/{version}/redact", redactorOfCommunity, s.redactPage)
	s.handle("POST /c/{community}/d/{id}/v/{version}/redact", redactorOfCommunity, s.redact)

	// The community's own catalog items.
	s.handle("POST /c/{community}/catalog", cadreOfCommunity, s.saveCommunityItem)
	s.handle("GET /c/{community}/catalog/{item}", cadreOfCommunity, s.communityItemEditPage)
	s.handle("POST /c/{community}/catalog/{item}", cadreOfCommunity, s.saveCommunityItem)

	// The district's catalog.
	s.handle("GET /admin/catalog", districtAdmin, s.adminCatalogPage)
	s.handle("POST /admin/catalog", districtAdmin, s.saveDistrictItem)
	s.handle("GET /admin/catalog/{item}", districtAdmin, s.adminItemEditPage)
	s.handle("POST /admin/catalog/{item}", districtAdmin, s.saveDistrictItem)
	s.handle("POST /admin/catalog/{item}/archive", districtAdmin, s.archiveDistrictItem)

	// Compliance.
	s.handle("GET /c/{community}/todo", publisherOfCommunity, s.todoPage)
	s.handle("GET /s/{street}/compliance", overseerOfStreet, s.matrixPage)
	s.handle("GET /s/{street}/compliance.csv", overseerOfStreet, s.matrixCSV)
	s.handle("GET /s/{street}/compliance.xlsx", overseerOfStreet, s.matrixXLSX)

	s.registerDisclosureDataRoutes()
}

// boardPage is what every board page embeds.
type boardPage struct {
	page
	Community *org.Unit
	Street    *org.Unit
	Sections  []section
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

func (s *Server) newBoardPage(r *http.Request, title, current string) boardPage {
	st := state(r)
	a := actor(r)
	p := s.newPage(r, title)
	if n, ok := boardNotices[r.URL.Query().Get("done")]; ok {
		p.Notice = n
	}
	p.Feeds = communityFeeds(st.community, current)
	return boardPage{
		page: p, Community: st.community, Street: st.street, Sections: sections, Current: current,
		Publisher: isPublisher(a, st.community), Cadre: a.Has(mingbai.RoleCadre, st.community.ID),
	}
}

// communityFeeds are the Atom feeds a community's page announces: its
// section's feed first when it belongs to one, then the whole board's.
// The titles are the feeds' own (boardAtom).
func communityFeeds(c *org.Unit, current string) []feedLink {
	home := "/c/" + c.Slug
	var feeds []feedLink
	if sec, ok := sectionBySlug(current); ok {
		feeds = append(feeds, feedLink{Title: c.Name + sec.Label + "公开", Href: home + "/feed/" + sec.Slug})
	}
	return append(feeds, feedLink{Title: c.Name + "居务公开", Href: home + "/feed.atom"})
}

type boardData struct {
	boardPage
	Board    []boardSection
	Query    string
	CanTodo  bool
	Drafts   int
	Checkout string
}

// boardItemList is what the "boarditems" template takes.
type boardItemList struct {
	Slug  string
	Items []disclosure.BoardItem
}

type boardSection struct {
	section
	Items []disclosure.BoardItem
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request, sec *section) error {
	st := state(r)
	cur := ""
	title := st.community.Name
	if sec != nil {
		cur = sec.Slug
		title = sec.Label + "公开 · " + st.community.Name
	}
	board, err := s.disclosure.Board(r.Context(), st.community.ID)
	if err != nil {
		return err
	}
	d := &boardData{boardPage: s.newBoardPage(r, title, cur)}
	for _, bs := range board {
		sc, _ := sectionBySlug(string(bs.Section))
		if sec != nil && sec.Slug != sc.Slug {
			continue
		}
		d.Board = append(d.Board, boardSection{section: sc, Items: bs.Items})
	}
	s.render(w, r, http.StatusOK, "board", d)
	return nil
}

type itemData struct {
	boardPage
	Item    *disclosure.Item
	Section section
	List    *disclosure.List
	Fresh   disclosure.Freshness
	PrevURL string
	NextURL string
	// History is every logged change of the catalog item, newest first.
	History []disclosure.ItemVersion
}

func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	it, err := s.communityItem(r)
	if err != nil {
		return err
	}
	id := it.ID
	page := queryPage(r)
	list, err := s.disclosure.ItemDisclosures(r.Context(), st.community.ID, id, page)
	if err != nil {
		return err
	}
	hist, err := s.disclosure.ItemHistory(r.Context(), st.community.ID, id)
	if err != nil {
		return err
	}
	slices.Reverse(hist)
	d := &itemData{boardPage: s.newBoardPage(r, it.Name+" · "+st.community.Name, string(it.Section)), Item: it, List: list, History: hist}
	d.Section, _ = sectionBySlug(string(it.Section))
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
	s.render(w, r, http.StatusOK, "board_item", d)
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
	Section    section
	Versions   []disclosure.Version
	Shown      *disclosure.Version
	Body       template.HTML
	Diff       *disclosure.VersionDiff
	Latest     bool
	CanPublish bool
	CanRedact  bool
	Form       *form
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

func (s *Server) loadDisclosure(r *http.Request) (*disclosureData, error) {
	st := state(r)
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, versions, err := s.disclosure.Disclosure(r.Context(), st.community.ID, id)
	if err != nil {
		return nil, err
	}
	it, err := s.disclosure.Item(r.Context(), st.community.ID, d.ItemID)
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
	a := actor(r)
	data := &disclosureData{
		boardPage:  s.newBoardPage(r, d.Title+" · "+st.community.Name, string(it.Section)),
		Disclosure: d, Item: it, Versions: versions, Shown: &versions[n-1], Latest: n == d.Version,
		CanPublish: isPublisher(a, st.community),
		CanRedact:  isPublisher(a, st.community) || a.IsDistrictAdmin(st.community.DistrictID),
		Form:       &form{Values: map[string]string{}, Errors: map[string]string{}},
	}
	data.Section, _ = sectionBySlug(string(it.Section))
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
		base := "/c/" + st.community.Slug
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

func (s *Server) disclosurePage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "board_disclosure", d)
	return nil
}

// serveFile sends a stored attachment. Files are named by their hash, so
// a URL's content never changes and may be cached for good; the sniffed
// type was checked at upload, and nosniff keeps browsers to it.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f *disclosure.Attachment, thumb bool) error {
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
	if state(r).actor == nil {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	http.ServeContent(w, r, "", time.Time{}, file)
	return nil
}

func (s *Server) publicFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.disclosure.FileOf(r.Context(), state(r).community.ID, r.PathValue("sum"))
	if err != nil {
		return err
	}
	return s.serveFile(w, r, f, false)
}

func (s *Server) publicThumb(w http.ResponseWriter, r *http.Request) error {
	f, err := s.disclosure.FileOf(r.Context(), state(r).community.ID, r.PathValue("sum"))
	if err != nil {
		return err
	}
	if !f.IsImage() {
		return errNotFound
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

func (s *Server) archivePage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	periods, err := s.disclosure.ArchivePeriods(r.Context(), st.community.ID)
	if err != nil {
		return err
	}
	d := &archiveData{boardPage: s.newBoardPage(r, "公开档案 · "+st.community.Name, "archive"), Periods: periods}
	if y := r.URL.Query().Get("year"); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			return mingbai.Errorf(mingbai.ENOTFOUND, "没有这个年份的公开内容。")
		}
		q, _ := strconv.Atoi(r.URL.Query().Get("quarter"))
		d.Year, d.Quarter = year, q
		if d.List, err = s.disclosure.Archive(r.Context(), st.community.ID, year, q, queryPage(r)); err != nil {
			return err
		}
		d.PrevURL, d.NextURL = pager(r, d.List.Page, d.List.More)
	}
	s.render(w, r, http.StatusOK, "board_archive", d)
	return nil
}

type searchData struct {
	boardPage
	Result  *disclosure.SearchResult
	Error   string
	PrevURL string
	NextURL string
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	d := &searchData{boardPage: s.newBoardPage(r, "搜索 · "+st.community.Name, "search")}
	q := r.URL.Query().Get("q")
	d.Query = q
	status := http.StatusOK
	if q != "" {
		res, err := s.disclosure.Search(r.Context(), disclosure.SearchQuery{Q: q, CommunityID: st.community.ID, Page: queryPage(r)})
		switch {
		case formError(err):
			d.Error, status = mingbai.ErrorMessage(err), http.StatusBadRequest
		case err != nil:
			return err
		default:
			d.Result = res
			d.PrevURL, d.NextURL = pager(r, res.Page, res.More)
		}
	}
	s.render(w, r, status, "board_search", d)
	return nil
}

// ---- Drafts and publishing ----

type draftsData struct {
	boardPage
	Drafts []disclosure.Draft
	Items  []disclosure.Item
	Form   *form
}

func (s *Server) draftsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDrafts(w, r, http.StatusOK, &form{Values: map[string]string{"item": r.URL.Query().Get("item")}, Errors: map[string]string{}})
}

func (s *Server) renderDrafts(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	st := state(r)
	a := actor(r)
	drafts, err := s.disclosure.Drafts(r.Context(), a, st.community.ID)
	if err != nil {
		return err
	}
	items, err := s.disclosure.PublishableItems(r.Context(), a, st.community.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "board_drafts", &draftsData{boardPage: s.newBoardPage(r, "发布公开事项 · "+st.community.Name, ""), Drafts: drafts, Items: items, Form: f})
	return nil
}

var draftFields = []string{"item", "title", "period", "body", "valid_from", "valid_to"}

func draftInput(f *form) disclosure.DraftInput {
	item, _ := strconv.ParseInt(f.Values["item"], 10, 64)
	return disclosure.DraftInput{ItemID: item, Title: f.Values["title"], Period: f.Values["period"], Body: f.Values["body"], ValidFrom: f.Values["valid_from"], ValidTo: f.Values["valid_to"]}
}

func (s *Server) createDraft(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	f := newForm(r, draftFields...)
	in := draftInput(f)
	var d *disclosure.Draft
	var err error
	if in.PublicPhones, err = reviewNumbers(r, f, in.Title, in.Period, in.Body); err == nil {
		d, err = s.disclosure.CreateDraft(r.Context(), actor(r), st.community.ID, in)
	}
	if formError(err) {
		f.fail(err)
		return s.renderDrafts(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.community.Slug, d.ID), http.StatusSeeOther)
	return nil
}

type draftData struct {
	boardPage
	Draft   *disclosure.Draft
	Item    *disclosure.Item
	Items   []disclosure.Item
	Preview template.HTML
	Form    *form
	Upload  *form
	// Kept are the phones the draft's text keeps unmasked.
	Kept []zh.Number
}

func (s *Server) draftPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDraft(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderDraft(w http.ResponseWriter, r *http.Request, status int, f, up *form) error {
	st := state(r)
	a := actor(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	d, err := s.disclosure.Draft(r.Context(), a, st.community.ID, id)
	if err != nil {
		return err
	}
	it, err := s.disclosure.Item(r.Context(), st.community.ID, d.ItemID)
	if err != nil {
		return err
	}
	items, err := s.disclosure.PublishableItems(r.Context(), a, st.community.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = &form{Values: map[string]string{
			"item": strconv.FormatInt(d.ItemID, 10), "title": d.Title, "period": d.Period, "body": d.Body, "valid_from": d.ValidFrom, "valid_to": d.ValidTo,
		}, Errors: map[string]string{}}
		listKeptNumbers(f, d.Title, d.Period, d.Body)
	}
	if up == nil {
		up = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	s.render(w, r, status, "board_draft", &draftData{
		boardPage: s.newBoardPage(r, "草稿预览 · "+d.Title, ""), Draft: d, Item: it, Items: items,
		Preview: disclosure.RenderMarkdown(d.Body), Form: f, Upload: up, Kept: findNumbers(d.Title, d.Period, d.Body),
	})
	return nil
}

func (s *Server) updateDraft(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	f := newForm(r, draftFields...)
	in := draftInput(f)
	if in.PublicPhones, err = reviewNumbers(r, f, in.Title, in.Period, in.Body); err == nil {
		_, err = s.disclosure.UpdateDraft(r.Context(), actor(r), st.community.ID, id, in)
	}
	if formError(err) {
		f.fail(err)
		return s.renderDraft(w, r, statusOf(mingbai.ErrorCode(err)), f, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) uploadDraftFile(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	a := actor(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	// The draft is checked before the file is stored, so nobody can fill
	// the disk through another community's draft.
	if _, err := s.disclosure.Draft(r.Context(), a, st.community.ID, id); err != nil {
		return err
	}
	up := &form{Values: map[string]string{}, Errors: map[string]string{}}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		up.fail(mingbai.FieldError("file", "请选择要上传的图片或 PDF 文件。"))
		return s.renderDraft(w, r, http.StatusBadRequest, nil, up)
	}
	defer file.Close()
	att, err := s.disclosure.Files().Put(io.Reader(file), hdr.Filename)
	if err == nil {
		err = s.disclosure.AttachToDraft(r.Context(), a, st.community.ID, id, att)
	}
	if formError(err) {
		up.fail(err)
		return s.renderDraft(w, r, statusOf(mingbai.ErrorCode(err)), nil, up)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) draftFile(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	f, err := s.disclosure.DraftFile(r.Context(), actor(r), st.community.ID, id, r.PathValue("sum"))
	if err != nil {
		return err
	}
	return s.serveFile(w, r, f, false)
}

func (s *Server) removeDraftFile(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	if err := s.disclosure.DetachFromDraft(r.Context(), actor(r), st.community.ID, id, r.PathValue("sum")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts/%d?done=saved", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) publishDraft(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	v, err := s.disclosure.Publish(r.Context(), actor(r), st.community.ID, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d?done=published", st.community.Slug, v.DisclosureID), http.StatusSeeOther)
	return nil
}

func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "draft")
	if err != nil {
		return err
	}
	if err := s.disclosure.DeleteDraft(r.Context(), actor(r), st.community.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/drafts?done=deleted", st.community.Slug), http.StatusSeeOther)
	return nil
}

var correctFields = []string{"title", "period", "body", "valid_from", "valid_to", "reason", "version"}

func (s *Server) correctPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	v := d.Shown
	d.Form.Values = map[string]string{"title": v.Title, "period": v.Period, "body": v.Body, "valid_from": v.ValidFrom, "valid_to": v.ValidTo, "version": strconv.Itoa(v.Version)}
	listKeptNumbers(d.Form, v.Title, v.Period, v.Body)
	d.Title = "更正 · " + v.Title
	s.render(w, r, http.StatusOK, "board_correct", d)
	return nil
}

// correct publishes a correction from a multipart form: the new text,
// the current attachments to drop ("drop") and new files ("file"). The
// service checks the form before any upload is stored, so a form with a
// mistake leaves no file behind.
func (s *Server) correct(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	a := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r, correctFields...)
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
	if in.PublicPhones, err = reviewNumbers(r, f, in.Title, in.Period, in.Body, in.Reason); err == nil {
		err = s.disclosure.CheckCorrect(r.Context(), a, st.community.ID, id, in, len(uploads))
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
		v, err = s.disclosure.Correct(r.Context(), a, st.community.ID, id, in)
	}
	if err != nil && len(in.Add) > 0 {
		// The files stored for this form are no version's: take them off
		// the disk unless something else shows them.
		if ferr := s.disclosure.ForgetUploads(r.Context(), in.Add); ferr != nil {
			s.logger.Error("forget uploads of a failed correction", "id", requestID(r), "err", ferr)
		}
	}
	if formError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.fail(err)
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
		s.render(w, r, statusOf(mingbai.ErrorCode(err)), "board_correct", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d/v/%d?done=corrected", st.community.Slug, id, v.Version), http.StatusSeeOther)
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
func (s *Server) storeUpload(h *multipart.FileHeader) (disclosure.Attachment, error) {
	file, err := h.Open()
	if err != nil {
		return disclosure.Attachment{}, fmt.Errorf("open upload: %w", err)
	}
	defer file.Close()
	att, err := s.disclosure.Files().Put(file, h.Filename)
	if formError(err) {
		return att, mingbai.FieldError("file", "“%s”：%s", h.Filename, mingbai.ErrorMessage(err))
	}
	return att, err
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r, "reason", "version")
	version, _ := strconv.Atoi(f.Values["version"])
	_, err = s.disclosure.Withdraw(r.Context(), actor(r), st.community.ID, id, version, f.Values["reason"])
	if formError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.fail(err)
		d.Form = f
		s.render(w, r, statusOf(mingbai.ErrorCode(err)), "board_disclosure", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d?done=withdrawn", st.community.Slug, id), http.StatusSeeOther)
	return nil
}

func (s *Server) redactPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadDisclosure(r)
	if err != nil {
		return err
	}
	d.Title = "删除个人信息 · " + d.Shown.Title
	d.RedactFiles = redactFiles(d)
	s.render(w, r, http.StatusOK, "board_redact", d)
	return nil
}

func (s *Server) redact(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该版本。")
	}
	f := newForm(r, "mask", "what", "why")
	// One passage to mask per line: the server finds and masks them, the
	// form never carries replacement text.
	err = s.disclosure.Redact(r.Context(), actor(r), st.community.ID, id, n, disclosure.RedactInput{
		Mask: strings.Split(f.Values["mask"], "\n"), What: f.Values["what"], Why: f.Values["why"], DropFiles: r.PostForm["drop"],
	})
	if formError(err) {
		d, lerr := s.loadDisclosure(r)
		if lerr != nil {
			return lerr
		}
		f.fail(err)
		d.Form = f
		d.Title = "删除个人信息 · " + d.Shown.Title
		d.RedactFiles = redactFiles(d)
		s.render(w, r, statusOf(mingbai.ErrorCode(err)), "board_redact", d)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/d/%d/v/%d?done=redacted", st.community.Slug, id, n), http.StatusSeeOther)
	return nil
}
