package board

import (
	"fmt"
	"net/http"
	"strconv"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/export"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

// The catalog (公开目录) pages and the compliance views of the board.

type catalogData struct {
	boardPage
	Items []disclosure.Item
	Form  *web.Form
	Opts  itemOptions
}

// itemOptions are the choices of a catalog item form.
type itemOptions struct {
	Sections    []web.Section
	Cadences    []disclosure.Cadence
	Timings     []disclosure.Timing
	Publishers  []mingbai.Role
	Departments []org.Unit
}

func (s *handlers) itemOptions(r *http.Request, district int64) itemOptions {
	o := itemOptions{Sections: web.Sections, Cadences: disclosure.Cadences, Timings: []disclosure.Timing{disclosure.TimingAfter, disclosure.TimingStart}, Publishers: []mingbai.Role{mingbai.RoleCadre, mingbai.RolePartySecretary, mingbai.RoleClerk}}
	if deps, err := s.org.Children(r.Context(), district, false); err == nil {
		for _, d := range deps {
			if d.Kind == org.Department {
				o.Departments = append(o.Departments, d)
			}
		}
	}
	return o
}

var itemFields = []string{"section", "name", "elements", "basis", "cadence", "timing", "event_days", "publisher", "department", "channels", "audience", "mode"}

func itemInput(f *web.Form) disclosure.ItemInput {
	dep, _ := strconv.ParseInt(f.Values["department"], 10, 64)
	return disclosure.ItemInput{
		Section: f.Values["section"], Name: f.Values["name"], Elements: f.Values["elements"], Basis: f.Values["basis"],
		Cadence: f.Values["cadence"], Timing: f.Values["timing"], EventDays: f.Values["event_days"], Publisher: f.Values["publisher"], Department: dep,
		Channels: f.Values["channels"], Audience: f.Values["audience"], Mode: f.Values["mode"],
	}
}

func itemForm(it *disclosure.Item) *web.Form {
	in := disclosure.ItemInputOf(it)
	return &web.Form{Values: map[string]string{
		"section": in.Section, "name": in.Name, "elements": in.Elements, "basis": in.Basis, "cadence": in.Cadence, "timing": in.Timing,
		"event_days": in.EventDays, "publisher": in.Publisher, "department": strconv.FormatInt(in.Department, 10),
		"channels": in.Channels, "audience": in.Audience, "mode": in.Mode,
	}, Errors: map[string]string{}}
}

func emptyItemForm() *web.Form {
	return &web.Form{Values: map[string]string{"section": "affairs", "cadence": "quarterly", "timing": "after", "publisher": "cadre", "audience": "public", "mode": "proactive", "event_days": "20"}, Errors: map[string]string{}}
}

// catalogPage shows a community's whole catalog with every field; its
// cadres add items of their own below.
func (s *handlers) catalogPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCatalog(w, r, http.StatusOK, emptyItemForm())
}

func (s *handlers) renderCatalog(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	st := web.State(r)
	items, err := s.disclosure.Items(r.Context(), st.Community.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "board_catalog", &catalogData{
		boardPage: s.newBoardPage(r, "公开目录 · "+st.Community.Name, "catalog"), Items: items, Form: f, Opts: s.itemOptions(r, st.Community.DistrictID),
	})
	return nil
}

type itemEditData struct {
	boardPage
	Item   *disclosure.Item
	Form   *web.Form
	Opts   itemOptions
	Action string
	Back   string
}

func (s *handlers) communityItemEditPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	it, err := s.communityItem(r)
	if err != nil {
		return err
	}
	if it.CommunityID != st.Community.ID {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "这是区公开目录中的事项，由区管理员修改。")
	}
	s.Render(w, r, http.StatusOK, "board_item_edit", &itemEditData{
		boardPage: s.newBoardPage(r, "修改公开目录项 · "+it.Name, "catalog"), Item: it, Form: itemForm(it),
		Opts: s.itemOptions(r, st.Community.DistrictID), Action: fmt.Sprintf("/c/%s/catalog/%d", st.Community.Slug, it.ID), Back: "/c/" + st.Community.Slug + "/catalog",
	})
	return nil
}

func (s *handlers) saveCommunityItem(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	var id int64
	if r.PathValue("item") != "" {
		var err error
		if id, err = web.PathID(r, "item"); err != nil {
			return err
		}
	}
	f := web.NewForm(r, itemFields...)
	_, err := s.disclosure.SaveItem(r.Context(), web.Actor(r), 0, st.Community.ID, id, itemInput(f))
	if web.FormError(err) {
		f.Fail(err)
		if id == 0 {
			return s.renderCatalog(w, r, web.StatusOf(mingbai.ErrorCode(err)), f)
		}
		it, lerr := s.disclosure.Item(r.Context(), st.Community.ID, id)
		if lerr != nil {
			return lerr
		}
		s.Render(w, r, web.StatusOf(mingbai.ErrorCode(err)), "board_item_edit", &itemEditData{
			boardPage: s.newBoardPage(r, "修改公开目录项 · "+it.Name, "catalog"), Item: it, Form: f,
			Opts: s.itemOptions(r, st.Community.DistrictID), Action: fmt.Sprintf("/c/%s/catalog/%d", st.Community.Slug, it.ID), Back: "/c/" + st.Community.Slug + "/catalog",
		})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/c/"+st.Community.Slug+"/catalog?done=saved", http.StatusSeeOther)
	return nil
}

type adminCatalogData struct {
	web.Page
	Districts []adminDistrictCatalog
	Form      *web.Form
	Opts      itemOptions
}

type adminDistrictCatalog struct {
	District org.Unit
	Streets  []org.Unit
	Items    []disclosure.Item
}

// adminDistrict returns the district an admin's catalog request is about:
// ?district= when given, else the admin's first.
func adminDistrict(r *http.Request) (int64, error) {
	a := web.Actor(r)
	if v := r.FormValue("district"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !a.IsDistrictAdmin(id) {
			return 0, mingbai.Errorf(mingbai.EFORBIDDEN, "您不是该区的管理员。")
		}
		return id, nil
	}
	ids := a.Units(mingbai.RoleDistrictAdmin)
	if len(ids) == 0 {
		return 0, mingbai.Errorf(mingbai.EFORBIDDEN, "您不是区管理员。")
	}
	return ids[0], nil
}

func (s *handlers) adminCatalogPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminCatalog(w, r, http.StatusOK, emptyItemForm())
}

func (s *handlers) renderAdminCatalog(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	d := &adminCatalogData{Page: s.NewPage(r, "区公开目录"), Form: f}
	for _, id := range web.Actor(r).Units(mingbai.RoleDistrictAdmin) {
		u, err := s.org.Unit(r.Context(), id)
		if err != nil {
			return err
		}
		items, err := s.disclosure.DistrictItems(r.Context(), id)
		if err != nil {
			return err
		}
		streets, err := s.org.Children(r.Context(), id, false)
		if err != nil {
			return err
		}
		var ss []org.Unit
		for _, x := range streets {
			if x.Kind == org.Street {
				ss = append(ss, x)
			}
		}
		d.Districts = append(d.Districts, adminDistrictCatalog{District: *u, Streets: ss, Items: items})
		if d.Opts.Sections == nil {
			d.Opts = s.itemOptions(r, id)
		}
	}
	s.Render(w, r, status, "admin_catalog", d)
	return nil
}

// communityItem is the catalog item of the path's {item}, as the path's
// community sees it: a district item or one of the community's own.
func (s *handlers) communityItem(r *http.Request) (*disclosure.Item, error) {
	id, err := web.PathID(r, "item")
	if err != nil {
		return nil, err
	}
	return s.disclosure.Item(r.Context(), web.State(r).Community.ID, id)
}

func (s *handlers) districtItem(r *http.Request) (*disclosure.Item, error) {
	id, err := web.PathID(r, "item")
	if err != nil {
		return nil, err
	}
	for _, d := range web.Actor(r).Units(mingbai.RoleDistrictAdmin) {
		items, err := s.disclosure.DistrictItems(r.Context(), d)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.ID == id {
				return &it, nil
			}
		}
	}
	return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
}

func (s *handlers) adminItemEditPage(w http.ResponseWriter, r *http.Request) error {
	it, err := s.districtItem(r)
	if err != nil {
		return err
	}
	return s.renderAdminItem(w, r, http.StatusOK, it, itemForm(it))
}

func (s *handlers) renderAdminItem(w http.ResponseWriter, r *http.Request, status int, it *disclosure.Item, f *web.Form) error {
	s.Render(w, r, status, "board_item_edit", &itemEditData{
		boardPage: boardPage{Page: s.NewPage(r, "修改区公开目录项 · "+it.Name)}, Item: it, Form: f,
		Opts: s.itemOptions(r, it.DistrictID), Action: fmt.Sprintf("/admin/catalog/%d", it.ID), Back: "/admin/catalog",
	})
	return nil
}

func (s *handlers) saveDistrictItem(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, itemFields...)
	var it *disclosure.Item
	district, err := adminDistrict(r)
	if err != nil {
		return err
	}
	if r.PathValue("item") != "" {
		if it, err = s.districtItem(r); err != nil {
			return err
		}
		district = it.DistrictID
	}
	var id int64
	if it != nil {
		id = it.ID
	}
	_, err = s.disclosure.SaveItem(r.Context(), web.Actor(r), district, 0, id, itemInput(f))
	if web.FormError(err) {
		f.Fail(err)
		if it != nil {
			return s.renderAdminItem(w, r, web.StatusOf(mingbai.ErrorCode(err)), it, f)
		}
		return s.renderAdminCatalog(w, r, web.StatusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/catalog?done=saved", http.StatusSeeOther)
	return nil
}

func (s *handlers) archiveDistrictItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.districtItem(r)
	if err != nil {
		return err
	}
	restore := r.PostFormValue("restore") == "1"
	if err := s.disclosure.ArchiveItem(r.Context(), web.Actor(r), it.DistrictID, 0, it.ID, restore); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/catalog?done=saved", http.StatusSeeOther)
	return nil
}

// ---- Compliance ----

type todoData struct {
	boardPage
	Todo []disclosure.BoardItem
}

func (s *handlers) todoPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	todo, err := s.disclosure.Todo(r.Context(), web.Actor(r), st.Community.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "board_todo", &todoData{boardPage: s.newBoardPage(r, "待公开事项 · "+st.Community.Name, ""), Todo: todo})
	return nil
}

type matrixData struct {
	web.Page
	Street *org.Unit
	Matrix *disclosure.Matrix
}

func (s *handlers) matrixPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	m, err := s.disclosure.StreetMatrix(r.Context(), st.Street.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "board_matrix", &matrixData{Page: s.NewPage(r, "公开情况 · "+st.Street.Name), Street: st.Street, Matrix: m})
	return nil
}

// matrixTable is the matrix as rows of text, the same for CSV and XLSX;
// docs/board.md defines the columns.
func matrixTable(m *disclosure.Matrix) [][]string {
	head := []string{"社区", "社区标识", "逾期或从未公开项数"}
	for _, it := range m.Items {
		head = append(head, it.Section.Label()+"·"+it.Name)
	}
	out := [][]string{head}
	for _, row := range m.Rows {
		line := []string{row.Community.Name, row.Community.Slug, strconv.Itoa(row.Late)}
		for _, c := range row.Cells {
			cell := c.Fresh.Label()
			if c.Latest != nil {
				cell += "（最近 " + c.Latest.FirstPublishedAt.In(mingbai.Shanghai).Format("2006-01-02") + "）"
			}
			line = append(line, cell)
		}
		out = append(out, line)
	}
	return out
}

// matrixDownload answers with a street's compliance matrix as a file
// in format f.
func (s *handlers) matrixDownload(f export.Format) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := web.State(r)
		m, err := s.disclosure.StreetMatrix(r.Context(), st.Street.ID)
		if err != nil {
			return err
		}
		rows := matrixTable(m)
		web.AttachmentHeader(w, st.Street.Name+"公开情况", f)
		return export.Write(w, f, export.Table{Name: "公开情况", Header: rows[0], Rows: rows[1:], Numeric: []int{2}})
	}
}
