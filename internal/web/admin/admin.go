package admin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

type adminData struct {
	web.Page
	Trees []*org.Tree
	Form  *web.Form
}

// adminDistricts returns the trees of the districts the actor administers.
func (s *handlers) adminDistricts(r *http.Request) ([]*org.Tree, error) {
	var trees []*org.Tree
	for _, id := range web.Actor(r).Units(mingbai.RoleDistrictAdmin) {
		t, err := s.org.Tree(r.Context(), id)
		if err != nil {
			return nil, err
		}
		trees = append(trees, t)
	}
	return trees, nil
}

func (s *handlers) adminPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdmin(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderAdmin(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	trees, err := s.adminDistricts(r)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "admin", &adminData{Page: s.NewPage(r, "区管理"), Trees: trees, Form: f})
	return nil
}

// createDistrict makes a new district and its creator its first admin.
func (s *handlers) createDistrict(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name", "slug", "gb_code", "phone")
	a := web.Actor(r)
	d, err := s.org.CreateDistrict(r.Context(), org.NewUnit{Name: f.Values["name"], Slug: f.Values["slug"], GBCode: f.Values["gb_code"], Phone: f.Values["phone"]}, a.UserID)
	if web.FormError(err) {
		f.Fail(err)
		return s.renderAdmin(w, r, web.StatusOf(mingbai.ErrorCode(err)), f)
	} else if err != nil {
		return err
	}
	if err := s.auth.Grant(r.Context(), a.UserID, mingbai.RoleDistrictAdmin, d.ID, a.UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin?done=created", http.StatusSeeOther)
	return nil
}

// createChild adds a street or department to a district, or a community
// to a street.
func (s *handlers) createChild(w http.ResponseWriter, r *http.Request) error {
	parent := web.State(r).Unit
	f := web.NewForm(r, "kind", "name", "slug", "phone", "board_location")
	nu := org.NewUnit{Name: f.Values["name"], Slug: f.Values["slug"], Phone: f.Values["phone"], BoardLocation: f.Values["board_location"]}
	by := web.Actor(r).UserID
	var err error
	switch {
	case parent.Kind == org.District && f.Values["kind"] == string(org.Street):
		_, err = s.org.CreateStreet(r.Context(), parent.ID, nu, by)
	case parent.Kind == org.District && f.Values["kind"] == string(org.Department):
		_, err = s.org.CreateDepartment(r.Context(), parent.ID, nu, by)
	case parent.Kind == org.Street && f.Values["kind"] == string(org.Community):
		_, err = s.org.CreateCommunity(r.Context(), parent.ID, nu, by)
	default:
		err = mingbai.FieldError("kind", "不能在%s下建立这种单位。", parent.Name)
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderAdminUnit(w, r, status, f, web.NewForm(r)) },
		func() string { return "/admin/units/" + strconv.FormatInt(parent.ID, 10) + "?done=created" })
}

type adminUnitData struct {
	web.Page
	Unit       *org.Unit
	Parent     *org.Unit
	Children   []org.Unit
	History    []org.Change
	ChildKinds []org.Kind
	Edit       *web.Form
	Add        *web.Form
}

func (s *handlers) adminUnitPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUnit(w, r, http.StatusOK, web.NewForm(r), web.NewForm(r))
}

func (s *handlers) renderAdminUnit(w http.ResponseWriter, r *http.Request, status int, add, edit *web.Form) error {
	u := web.State(r).Unit
	ctx := r.Context()
	d := &adminUnitData{Page: s.NewPage(r, u.Name+" · 单位管理"), Unit: u, Add: add, Edit: edit}
	if u.ParentID != 0 {
		p, err := s.org.Unit(ctx, u.ParentID)
		if err != nil {
			return err
		}
		d.Parent = p
	}
	children, err := s.org.Children(ctx, u.ID, true)
	if err != nil {
		return err
	}
	d.Children = children
	if d.History, err = s.org.History(ctx, u.ID); err != nil {
		return err
	}
	switch u.Kind {
	case org.District:
		d.ChildKinds = []org.Kind{org.Street, org.Department}
	case org.Street:
		d.ChildKinds = []org.Kind{org.Community}
	}
	if len(edit.Values) == 0 {
		edit.Values = map[string]string{"name": u.Name, "slug": u.Slug, "phone": u.Phone, "board_location": u.BoardLocation}
	}
	s.Render(w, r, status, "admin_unit", d)
	return nil
}

func (s *handlers) updateUnit(w http.ResponseWriter, r *http.Request) error {
	u := web.State(r).Unit
	f := web.NewForm(r, "name", "slug", "phone", "board_location")
	ch := org.UnitChanges{}
	name, slug, phone, board := f.Values["name"], f.Values["slug"], f.Values["phone"], f.Values["board_location"]
	ch.Name, ch.Slug, ch.Phone = &name, &slug, &phone
	if u.Kind == org.Community {
		ch.BoardLocation = &board
	}
	_, err := s.org.Update(r.Context(), u.ID, ch, web.Actor(r).UserID)
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderAdminUnit(w, r, status, web.NewForm(r), f) },
		func() string { return "/admin/units/" + strconv.FormatInt(u.ID, 10) + "?done=saved" })
}

func (s *handlers) archiveUnit(w http.ResponseWriter, r *http.Request) error {
	u := web.State(r).Unit
	if err := s.org.Archive(r.Context(), u.ID, web.Actor(r).UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(u.ID, 10)+"?done=archived", http.StatusSeeOther)
	return nil
}

type adminUsersData struct {
	web.Page
	Users []auth.User
	Total int
	Query string
	Form  *web.Form
	Prev  string
	Next  string
	// Districts are the admin's districts, one of which a new account
	// belongs to (the form asks only when there are several).
	Districts []org.Unit
}

const usersPerPage = 50

func (s *handlers) adminUsersPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUsers(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	users, total, err := s.auth.AdminUsers(r.Context(), web.Actor(r), auth.UserFilter{Query: q, Limit: usersPerPage, Offset: (pageNo - 1) * usersPerPage})
	if err != nil {
		return err
	}
	d := &adminUsersData{Page: s.NewPage(r, "账号管理"), Users: users, Total: total, Query: q, Form: f}
	trees, err := s.adminDistricts(r)
	if err != nil {
		return err
	}
	for _, t := range trees {
		d.Districts = append(d.Districts, t.District)
	}
	if pageNo > 1 {
		d.Prev = "/admin/users?page=" + strconv.Itoa(pageNo-1) + "&q=" + q
	}
	if pageNo*usersPerPage < total {
		d.Next = "/admin/users?page=" + strconv.Itoa(pageNo+1) + "&q=" + q
	}
	s.Render(w, r, status, "admin_users", d)
	return nil
}

// createUser makes an account whose home is the admin's district (the one
// chosen in the form, for an admin of several).
func (s *handlers) createUser(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name", "username", "phone", "district")
	districts := web.Actor(r).Units(mingbai.RoleDistrictAdmin)
	var district int64
	var err error
	if v := f.Values["district"]; v != "" {
		if district, _ = strconv.ParseInt(v, 10, 64); !slices.Contains(districts, district) {
			err = mingbai.FieldError("district", "请选择您管理的区。")
		}
	} else if len(districts) > 0 {
		district = districts[0]
	}
	var u *auth.User
	if err == nil {
		u, err = s.auth.CreateUser(r.Context(), auth.NewUser{Name: f.Values["name"], Username: f.Values["username"], Phone: f.Values["phone"],
			Password: r.PostFormValue("password"), DistrictID: district})
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderAdminUsers(w, r, status, f) },
		func() string { return "/admin/users/" + strconv.FormatInt(u.ID, 10) + "?done=created" })
}

type userGrant struct {
	Role mingbai.Role
	Unit *org.Unit
	Mine bool // the admin may revoke it: the unit is in the admin's district
}

type adminUserData struct {
	web.Page
	User   *auth.User
	Grants []userGrant
	Units  []org.Unit // units of the admin's districts, for the grant form
	Form   *web.Form
}

func (s *handlers) adminUserPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUser(w, r, http.StatusOK, web.NewForm(r))
}

func (s *handlers) renderAdminUser(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	id, err := web.PathID(r, "user")
	if err != nil {
		return err
	}
	u, err := s.managedUser(r, id)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	d := &adminUserData{Page: s.NewPage(r, u.Name+" · 账号"), User: u, Form: f}
	for _, g := range u.Grants {
		unit, err := s.org.Unit(r.Context(), g.UnitID)
		if err != nil {
			return err
		}
		d.Grants = append(d.Grants, userGrant{Role: g.Role, Unit: unit, Mine: a.IsDistrictAdmin(web.DistrictOf(unit))})
	}
	trees, err := s.adminDistricts(r)
	if err != nil {
		return err
	}
	for _, t := range trees {
		d.Units = append(d.Units, t.District)
		for _, st := range t.Streets {
			d.Units = append(d.Units, st.Street)
			d.Units = append(d.Units, st.Communities...)
		}
		d.Units = append(d.Units, t.Departments...)
	}
	s.Render(w, r, status, "admin_user", d)
	return nil
}

// grantTarget parses the role and unit of a grant form and checks that the
// account and the unit lie in a district the actor administers. The
// account is checked first, so an account of another district is a 404
// whatever the form says.
func (s *handlers) grantTarget(r *http.Request) (int64, mingbai.Role, *org.Unit, error) {
	id, err := web.PathID(r, "user")
	if err != nil {
		return 0, "", nil, err
	}
	if _, err := s.managedUser(r, id); err != nil {
		return 0, "", nil, err
	}
	role := mingbai.Role(r.PostFormValue("role"))
	if !role.Valid() {
		return 0, "", nil, mingbai.FieldError("role", "请选择角色。")
	}
	unitID, err := strconv.ParseInt(r.PostFormValue("unit"), 10, 64)
	if err != nil {
		return 0, "", nil, mingbai.FieldError("unit", "请选择单位。")
	}
	unit, err := s.org.Unit(r.Context(), unitID)
	if err != nil {
		return 0, "", nil, mingbai.FieldError("unit", "找不到所选单位。")
	}
	if !web.Actor(r).IsDistrictAdmin(web.DistrictOf(unit)) {
		return 0, "", nil, mingbai.Errorf(mingbai.EFORBIDDEN, "您只能管理本区单位的角色。")
	}
	return id, role, unit, nil
}

// managedUser loads a user the acting district admin may manage: the
// account's home district is one the admin administers (else 404, as for
// a missing account: auth.ManagedUser scopes the query), and so is every
// role it holds. An admin of one district can never see, reset the
// password of, or hand roles to another district's accounts.
func (s *handlers) managedUser(r *http.Request, id int64) (*auth.User, error) {
	a := web.Actor(r)
	u, err := s.auth.ManagedUser(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	units := make([]int64, 0, len(u.Grants)+1)
	for _, g := range u.Grants {
		units = append(units, g.UnitID)
	}
	if u.CommunityID != 0 {
		units = append(units, u.CommunityID)
	}
	for _, id := range units {
		unit, err := s.org.Unit(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if !a.IsDistrictAdmin(web.DistrictOf(unit)) {
			return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "该账号属于其他区，您不能管理。")
		}
	}
	return u, nil
}

func (s *handlers) grantRole(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "role", "unit")
	id, role, unit, err := s.grantTarget(r)
	if err == nil {
		err = s.auth.Grant(r.Context(), id, role, unit.ID, web.Actor(r).UserID)
	}
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderAdminUser(w, r, status, f) },
		func() string { return "/admin/users/" + strconv.FormatInt(id, 10) + "?done=saved" })
}

func (s *handlers) revokeRole(w http.ResponseWriter, r *http.Request) error {
	id, role, unit, err := s.grantTarget(r)
	if err != nil {
		return err
	}
	if err := s.auth.Revoke(r.Context(), id, role, unit.ID, web.Actor(r).UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
	return nil
}

func (s *handlers) resetPassword(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	id, err := web.PathID(r, "user")
	if err != nil {
		return err
	}
	if _, err := s.managedUser(r, id); err != nil {
		return err
	}
	err = s.auth.SetPassword(r.Context(), id, r.PostFormValue("password"))
	return web.Finish(w, r, err, f,
		func(status int) error { return s.renderAdminUser(w, r, status, f) },
		func() string { return "/admin/users/" + strconv.FormatInt(id, 10) + "?done=saved" })
}

// setDisabled stops an account from logging in (and signs it out
// everywhere), or lets it log in again. An admin cannot switch off their
// own account: a district must never lose its last admin by a slip.
func (s *handlers) setDisabled(disabled bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "user")
		if err != nil {
			return err
		}
		if _, err := s.managedUser(r, id); err != nil {
			return err
		}
		if disabled && id == web.Actor(r).UserID {
			return mingbai.Errorf(mingbai.EINVALID, "不能停用自己的账号。")
		}
		if err := s.auth.SetDisabled(r.Context(), id, disabled); err != nil {
			return err
		}
		done := "enabled"
		if disabled {
			done = "disabled"
		}
		http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

type adminLoginsData struct {
	web.Page
	Bursts []auth.LoginBurst
}

// adminLoginsPage shows the bursts of failed logins on the accounts of
// the admin's districts: someone guessing at a cadre's password is slowed
// down, not let through, and the admins should know.
func (s *handlers) adminLoginsPage(w http.ResponseWriter, r *http.Request) error {
	bursts, err := s.auth.LoginBursts(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_logins", &adminLoginsData{Page: s.NewPage(r, "登录异常"), Bursts: bursts})
	return nil
}

func (s *handlers) registerAdminRoutes() {
	// District administration.
	s.Handle("GET /admin", web.DistrictAdmin, s.adminPage)
	s.Handle("POST /admin/districts", web.DistrictAdmin, s.createDistrict)
	s.Handle("POST /admin/units/{unit}/children", web.DistrictAdmin, s.createChild)
	s.Handle("GET /admin/units/{unit}", web.DistrictAdmin, s.adminUnitPage)
	s.Handle("POST /admin/units/{unit}", web.DistrictAdmin, s.updateUnit)
	s.Handle("POST /admin/units/{unit}/archive", web.DistrictAdmin, s.archiveUnit)
	s.Handle("GET /admin/users", web.DistrictAdmin, s.adminUsersPage)
	s.Handle("POST /admin/users", web.DistrictAdmin, s.createUser)
	s.Handle("GET /admin/users/{user}", web.DistrictAdmin, s.adminUserPage)
	s.Handle("POST /admin/users/{user}/grants", web.DistrictAdmin, s.grantRole)
	s.Handle("POST /admin/users/{user}/revoke", web.DistrictAdmin, s.revokeRole)
	s.Handle("POST /admin/users/{user}/password", web.DistrictAdmin, s.resetPassword)
	s.Handle("POST /admin/users/{user}/disable", web.DistrictAdmin, s.setDisabled(true))
	s.Handle("POST /admin/users/{user}/enable", web.DistrictAdmin, s.setDisabled(false))
	s.Handle("GET /admin/logins", web.DistrictAdmin, s.adminLoginsPage)
}
