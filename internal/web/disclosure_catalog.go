package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/xuri/excelize/v2"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
)

// The catalog (公开目录) pages and the compliance views of the board.

type catalogData struct {
	boardPage
	Items []disclosure.Item
	Form  *form
	Opts  itemOptions
}

// itemOptions are the choices of a catalog item form.
type itemOptions struct {
	Sections    []section
	Cadences    []disclosure.Cadence
	Publishers  []mingbai.Role
	Departments []org.Unit
}

func (s *Server) itemOptions(r *http.Request, district int64) itemOptions {
	o := itemOptions{Sections: sections, Cadences: disclosure.Cadences, Publishers: []mingbai.Role{mingbai.RoleCadre, mingbai.RolePartySecretary, mingbai.RoleClerk}}
	if deps, err := s.org.Children(r.Context(), district, false); err == nil {
		for _, d := range deps {
			if d.Kind == org.Department {
				o.Departments = append(o.Departments, d)
			}
		}
	}
	return o
}

var itemFields = []string{"section", "name", "elements", "basis", "cadence", "event_days", "publisher", "department", "channels", "audience", "mode"}

func itemInput(f *form) disclosure.ItemInput {
	dep, _ := strconv.ParseInt(f.Values["department"], 10, 64)
	return disclosure.ItemInput{
		Section: f.Values["section"], Name: f.Values["name"], Elements: f.Values["elements"], Basis: f.Values["basis"],
		Cadence: f.Values["cadence"], EventDays: f.Values["event_days"], Publisher: f.Values["publisher"], Department: dep,
		Channels: f.Values["channels"], Audience: f.Values["audience"], Mode: f.Values["mode"],
	}
}

func itemForm(it *disclosure.Item) *form {
	in := disclosure.ItemInputOf(it)
	return &form{Values: map[string]string{
		"section": in.Section, "name": in.Name, "elements": in.Elements, "basis": in.Basis, "cadence": in.Cadence,
		"event_days": in.EventDays, "publisher": in.Publisher, "department": strconv.FormatInt(in.Department, 10),
		"channels": in.Channels, "audience": in.Audience, "mode": in.Mode,
	}, Errors: map[string]string{}}
}

func emptyItemForm() *form {
	return &form{Values: map[string]string{"section": "affairs", "cadence": "quarterly", "publisher": "cadre", "audience": "public", "mode": "proactive", "event_days": "20"}, Errors: map[string]string{}}
}

// catalogPage shows a community's whole catalog with every field; its
// cadres add items of their own below.
func (s *Server) catalogPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCatalog(w, r, http.StatusOK, emptyItemForm())
}

func (s *Server) renderCatalog(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	st := state(r)
	items, err := s.disclosure.Items(r.Context(), st.community.ID)
	if err != nil {
		return err
	}
	s.render(w, r, status, "board_catalog", &catalogData{
		boardPage: s.newBoardPage(r, "公开目录 · "+st.community.Name, "catalog"), Items: items, Form: f, Opts: s.itemOptions(r, st.community.DistrictID),
	})
	return nil
}

type itemEditData struct {
	boardPage
	Item   *disclosure.Item
	Form   *form
	Opts   itemOptions
	Action string
	Back   string
}

func (s *Server) communityItemEditPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	it, err := s.communityItem(r)
	if err != nil {
		return err
	}
	if it.CommunityID != st.community.ID {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "这是区公开目录中的事项，由区管理员修改。")
	}
	s.render(w, r, http.StatusOK, "board_item_edit", &itemEditData{
		boardPage: s.newBoardPage(r, "修改公开目录项 · "+it.Name, "catalog"), Item: it, Form: itemForm(it),
		Opts: s.itemOptions(r, st.community.DistrictID), Action: fmt.Sprintf("/c/%s/catalog/%d", st.community.Slug, it.ID), Back: "/c/" + st.community.Slug + "/catalog",
	})
	return nil
}

func (s *Server) saveCommunityItem(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	var id int64
	if r.PathValue("item") != "" {
		var err error
		if id, err = pathID(r, "item"); err != nil {
			return err
		}
	}
	f := newForm(r, itemFields...)
	_, err := s.disclosure.SaveItem(r.Context(), actor(r), 0, st.community.ID, id, itemInput(f))
	if formError(err) {
		f.fail(err)
		if id == 0 {
			return s.renderCatalog(w, r, statusOf(mingbai.ErrorCode(err)), f)
		}
		it, lerr := s.disclosure.Item(r.Context(), st.community.ID, id)
		if lerr != nil {
			return lerr
		}
		s.render(w, r, statusOf(mingbai.ErrorCode(err)), "board_item_edit", &itemEditData{
			boardPage: s.newBoardPage(r, "修改公开目录项 · "+it.Name, "catalog"), Item: it, Form: f,
			Opts: s.itemOptions(r, st.community.DistrictID), Action: fmt.Sprintf("/c/%s/catalog/%d", st.community.Slug, it.ID), Back: "/c/" + st.community.Slug + "/catalog",
		})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/c/"+st.community.Slug+"/catalog?done=saved", http.StatusSeeOther)
	return nil
}

type adminCatalogData struct {
	page
	Districts []adminDistrictCatalog
	Form      *form
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
	a := actor(r)
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

func (s *Server) adminCatalogPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminCatalog(w, r, http.StatusOK, emptyItemForm())
}

func (s *Server) renderAdminCatalog(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	d := &adminCatalogData{page: s.newPage(r, "区公开目录"), Form: f}
	for _, id := range actor(r).Units(mingbai.RoleDistrictAdmin) {
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
	s.render(w, r, status, "admin_catalog", d)
	return nil
}

// communityItem is the catalog item of the path's {item}, as the path's
// community sees it: a district item or one of the community's own.
func (s *Server) communityItem(r *http.Request) (*disclosure.Item, error) {
	id, err := pathID(r, "item")
	if err != nil {
		return nil, err
	}
	return s.disclosure.Item(r.Context(), state(r).community.ID, id)
}

func (s *Server) districtItem(r *http.Request) (*disclosure.Item, error) {
	id, err := pathID(r, "item")
	if err != nil {
		return nil, err
	}
	for _, d := range actor(r).Units(mingbai.RoleDistrictAdmin) {
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

func (s *Server) adminItemEditPage(w http.ResponseWriter, r *http.Request) error {
	it, err := s.districtItem(r)
	if err != nil {
		return err
	}
	return s.renderAdminItem(w, r, http.StatusOK, it, itemForm(it))
}

func (s *Server) renderAdminItem(w http.ResponseWriter, r *http.Request, status int, it *disclosure.Item, f *form) error {
	s.render(w, r, status, "board_item_edit", &itemEditData{
		boardPage: boardPage{page: s.newPage(r, "修改区公开目录项 · "+it.Name)}, Item: it, Form: f,
		Opts: s.itemOptions(r, it.DistrictID), Action: fmt.Sprintf("/admin/catalog/%d", it.ID), Back: "/admin/catalog",
	})
	return nil
}

func (s *Server) saveDistrictItem(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, itemFields...)
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
	_, err = s.disclosure.SaveItem(r.Context(), actor(r), district, 0, id, itemInput(f))
	if formError(err) {
		f.fail(err)
		if it != nil {
			return s.renderAdminItem(w, r, statusOf(mingbai.ErrorCode(err)), it, f)
		}
		return s.renderAdminCatalog(w, r, statusOf(mingbai.ErrorCode(err)), f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/catalog?done=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) archiveDistrictItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.districtItem(r)
	if err != nil {
		return err
	}
	restore := r.PostFormValue("restore") == "1"
	if err := s.disclosure.ArchiveItem(r.Context(), actor(r), it.DistrictID, 0, it.ID, restore); err != nil {
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

func (s *Server) todoPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	todo, err := s.disclosure.Todo(r.Context(), actor(r), st.community.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "board_todo", &todoData{boardPage: s.newBoardPage(r, "待公开事项 · "+st.community.Name, ""), Todo: todo})
	return nil
}

type matrixData struct {
	page
	Street *org.Unit
	Matrix *disclosure.Matrix
}

func (s *Server) matrixPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	m, err := s.disclosure.StreetMatrix(r.Context(), st.street.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "board_matrix", &matrixData{page: s.newPage(r, "公开情况 · "+st.street.Name), Street: st.street, Matrix: m})
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

func attachmentHeader(w http.ResponseWriter, name, ctype string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, no-store")
}

func (s *Server) matrixCSV(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	m, err := s.disclosure.StreetMatrix(r.Context(), st.street.ID)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\ufeff") // so spreadsheet programs read UTF-8
	cw := csv.NewWriter(&b)
	if err := cw.WriteAll(csvRows(matrixTable(m))); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	attachmentHeader(w, st.street.Name+"公开情况.csv", "text/csv; charset=utf-8")
	w.Write(b.Bytes())
	return nil
}

func (s *Server) matrixXLSX(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	m, err := s.disclosure.StreetMatrix(r.Context(), st.street.ID)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := "公开情况"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for i, row := range matrixTable(m) {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		if i > 0 {
			cells[2], _ = strconv.Atoi(row[2])
		}
		addr, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sheet, addr, &cells); err != nil {
			return fmt.Errorf("xlsx row: %w", err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	attachmentHeader(w, st.street.Name+"公开情况.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Write(b.Bytes())
	return nil
}
