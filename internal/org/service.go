package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
)

// Service creates, changes, archives and lists org units. Each exported
// method is one transaction.
type Service struct {
	db  *store.DB
	now mingbai.Clock
	log *tlog.Log // nil: changes append no leaf (see UseLog)
}

// The two reads nearly every request makes (a unit by id, by kind and
// slug) stay prepared (store.DB.QueryPrepared): parsing them again for
// each request cost more than running them.
const (
	unitByIDSQL   = "SELECT " + unitColumns + " FROM org_units WHERE id = ?"
	unitBySlugSQL = "SELECT " + unitColumns + " FROM org_units WHERE kind = ? AND slug = ?"
)

// NewService returns a Service on db that stamps changes with now.
func NewService(db *store.DB, now mingbai.Clock) *Service {
	return &Service{db: db, now: now}
}

// clock returns the current time as both databases store it: UTC, to the
// microsecond (PostgreSQL's precision), so a value reads back equal.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// CreateDistrict creates a district. It needs a county-level GB/T 2260 code.
func (s *Service) CreateDistrict(ctx context.Context, nu NewUnit, by int64) (*Unit, error) {
	return s.createTx(ctx, District, 0, nu, by)
}

// CreateStreet creates a street in district districtID.
func (s *Service) CreateStreet(ctx context.Context, districtID int64, nu NewUnit, by int64) (*Unit, error) {
	return s.createTx(ctx, Street, districtID, nu, by)
}

// CreateCommunity creates a community in street streetID. A community needs
// a contact phone and the place where its printed board stands.
func (s *Service) CreateCommunity(ctx context.Context, streetID int64, nu NewUnit, by int64) (*Unit, error) {
	return s.createTx(ctx, Community, streetID, nu, by)
}

// CreateDepartment creates a department (部门) of district districtID.
func (s *Service) CreateDepartment(ctx context.Context, districtID int64, nu NewUnit, by int64) (*Unit, error) {
	return s.createTx(ctx, Department, districtID, nu, by)
}

func (s *Service) createTx(ctx context.Context, kind Kind, parentID int64, nu NewUnit, by int64) (*Unit, error) {
	var u *Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		u, err = s.create(ctx, tx, kind, parentID, nu, by)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create %s %q: %w", kind, nu.Name, err)
	}
	return u, nil
}

// create checks nu against the rules for kind and inserts the unit under
// parentID (0 for a district), with a history row.
func (s *Service) create(ctx context.Context, tx *store.Tx, kind Kind, parentID int64, nu NewUnit, by int64) (*Unit, error) {
	u := Unit{Kind: kind, ParentID: parentID}
	var err error
	if u.Name, err = cleanName(nu.Name); err != nil {
		return nil, err
	}
	if u.Slug, err = cleanSlug(nu.Slug); err != nil {
		return nil, err
	}
	if kind == District {
		if u.GBCode, err = cleanGBCode(nu.GBCode); err != nil {
			return nil, err
		}
	} else if strings.TrimSpace(nu.GBCode) != "" {
		return nil, mingbai.FieldError("gb_code", "只有区需要填写行政区划代码")
	}
	if u.Phone, err = cleanPhone(nu.Phone, kind == Community); err != nil {
		return nil, err
	}
	if kind == Community {
		if u.BoardLocation, err = cleanBoardLocation(nu.BoardLocation); err != nil {
			return nil, err
		}
	} else if strings.TrimSpace(nu.BoardLocation) != "" {
		return nil, mingbai.FieldError("board_location", "只有社区需要填写公开栏位置")
	}

	if kind != District {
		parent, err := unitByID(ctx, tx, parentID)
		if err != nil {
			return nil, err
		}
		if parent.Kind != kind.ParentKind() {
			return nil, mingbai.Errorf(mingbai.EINVALID, "%s只能建在%s下，“%s”是%s", kind.Label(), kind.ParentKind().Label(), parent.Name, parent.Kind.Label())
		}
		if parent.Archived() {
			return nil, mingbai.Errorf(mingbai.EINVALID, "“%s”已归档，不能在其下新建%s", parent.Name, kind.Label())
		}
		u.DistrictID = parent.DistrictOf()
	}
	if err := checkSiblingName(ctx, tx, u.ParentID, u.Name, 0); err != nil {
		return nil, err
	}
	if err := checkSlug(ctx, tx, kind, u.Slug, 0); err != nil {
		return nil, err
	}
	if kind == District {
		var other string
		err := tx.QueryRow(ctx, "SELECT name FROM org_units WHERE kind = 'district' AND gb_code = ?", u.GBCode).Scan(&other)
		if err == nil {
			return nil, &mingbai.Error{Code: mingbai.ECONFLICT, Field: "gb_code", Message: fmt.Sprintf("行政区划代码 %s 已被“%s”使用", u.GBCode, other)}
		}
		if !isNoRows(err) {
			return nil, fmt.Errorf("check gb code: %w", err)
		}
	}

	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM org_units WHERE COALESCE(parent_id, 0) = ? AND kind = ?",
		u.ParentID, string(kind)).Scan(&u.Position); err != nil {
		return nil, fmt.Errorf("next position: %w", err)
	}
	now := s.clock()
	u.CreatedAt, u.UpdatedAt = now, now
	u.ID, err = tx.InsertID(ctx, `INSERT INTO org_units
		(kind, parent_id, district_id, name, slug, gb_code, phone, board_location, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(kind), nullID(u.ParentID), nullID(u.DistrictID), u.Name, u.Slug, u.GBCode, u.Phone, u.BoardLocation, u.Position, now, now)
	if store.IsUniqueViolation(err) {
		// The checks above passed, so another admin took the name or slug
		// in the meantime.
		return nil, mingbai.Errorf(mingbai.ECONFLICT, "名称或网址标识刚刚被别人使用了，请换一个再试")
	}
	if err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	if err := addHistory(ctx, tx, u.ID, ChangeCreate, "", u.Name, by, now); err != nil {
		return nil, err
	}
	if err := s.logUnit(ctx, tx, &u, now); err != nil {
		return nil, err
	}
	return &u, nil
}

// Update applies the non-nil fields of ch to unit id, recording each value
// that actually changes in the unit's history. An archived unit is frozen.
func (s *Service) Update(ctx context.Context, id int64, ch UnitChanges, by int64) (*Unit, error) {
	var u *Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = unitByID(ctx, tx, id); err != nil {
			return err
		}
		if u.Archived() {
			return mingbai.Errorf(mingbai.EINVALID, "“%s”已归档，不能再修改", u.Name)
		}
		type change struct{ what, old, new string }
		var changes []change
		if ch.Name != nil {
			name, err := cleanName(*ch.Name)
			if err != nil {
				return err
			}
			if name != u.Name {
				if err := checkSiblingName(ctx, tx, u.ParentID, name, u.ID); err != nil {
					return err
				}
				changes = append(changes, change{ChangeName, u.Name, name})
				u.Name = name
			}
		}
		if ch.Slug != nil {
			slug, err := cleanSlug(*ch.Slug)
			if err != nil {
				return err
			}
			if slug != u.Slug {
				if err := checkSlug(ctx, tx, u.Kind, slug, u.ID); err != nil {
					return err
				}
				changes = append(changes, change{ChangeSlug, u.Slug, slug})
				u.Slug = slug
			}
		}
		if ch.Phone != nil {
			phone, err := cleanPhone(*ch.Phone, u.Kind == Community)
			if err != nil {
				return err
			}
			if phone != u.Phone {
				changes = append(changes, change{ChangePhone, u.Phone, phone})
				u.Phone = phone
			}
		}
		if ch.BoardLocation != nil {
			if u.Kind != Community {
				return mingbai.FieldError("board_location", "只有社区有公开栏位置")
			}
			loc, err := cleanBoardLocation(*ch.BoardLocation)
			if err != nil {
				return err
			}
			if loc != u.BoardLocation {
				changes = append(changes, change{ChangeBoardLocation, u.BoardLocation, loc})
				u.BoardLocation = loc
			}
		}
		if len(changes) == 0 {
			return nil
		}
		now := s.clock()
		u.UpdatedAt = now
		_, err = tx.Exec(ctx, "UPDATE org_units SET name = ?, slug = ?, phone = ?, board_location = ?, updated_at = ? WHERE id = ?",
			u.Name, u.Slug, u.Phone, u.BoardLocation, now, u.ID)
		if store.IsUniqueViolation(err) {
			return mingbai.Errorf(mingbai.ECONFLICT, "名称或网址标识刚刚被别人使用了，请换一个再试")
		}
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		logged := false
		for _, c := range changes {
			if err := addHistory(ctx, tx, u.ID, c.what, c.old, c.new, by, now); err != nil {
				return err
			}
			logged = logged || c.what == ChangeName || c.what == ChangeSlug
		}
		if logged {
			return s.logUnit(ctx, tx, u, now)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update org unit %d: %w", id, err)
	}
	return u, nil
}

// Archive archives unit id. A unit with live children cannot be archived:
// a community would otherwise hang under a street nobody can see. Nothing
// is deleted; the unit keeps its slug and its history.
func (s *Service) Archive(ctx context.Context, id int64, by int64) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		u, err := unitByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Archived() {
			return mingbai.Errorf(mingbai.ECONFLICT, "“%s”已经归档了", u.Name)
		}
		live, err := queryUnits(ctx, tx, "SELECT "+unitColumns+" FROM org_units WHERE parent_id = ? AND archived_at IS NULL ORDER BY position, name, id", id)
		if err != nil {
			return err
		}
		if len(live) > 0 {
			var names []string
			for i, c := range live {
				if i == 3 {
					names = append(names, "…")
					break
				}
				names = append(names, c.Name)
			}
			return mingbai.Errorf(mingbai.ECONFLICT, "“%s”下还有 %d 个未归档的下级单位（%s），请先归档它们", u.Name, len(live), strings.Join(names, "、"))
		}
		now := s.clock()
		if _, err := tx.Exec(ctx, "UPDATE org_units SET archived_at = ?, updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if err := addHistory(ctx, tx, id, ChangeArchive, "", now.Format(time.RFC3339), by, now); err != nil {
			return err
		}
		u.ArchivedAt, u.UpdatedAt = &now, now
		return s.logUnit(ctx, tx, u, now)
	})
	if err != nil {
		return fmt.Errorf("archive org unit %d: %w", id, err)
	}
	return nil
}

// Unit returns unit id, archived or not.
func (s *Service) Unit(ctx context.Context, id int64) (*Unit, error) {
	rows, err := s.db.QueryPrepared(ctx, unitByIDSQL, id)
	if err != nil {
		return nil, fmt.Errorf("org unit %d: %w", id, err)
	}
	us, err := scanUnits(rows)
	if err != nil {
		return nil, fmt.Errorf("org unit %d: %w", id, err)
	}
	if len(us) == 0 {
		return nil, fmt.Errorf("org unit %d: %w", id, mingbai.Errorf(mingbai.ENOTFOUND, "找不到编号为 %d 的组织", id))
	}
	return &us[0], nil
}

// BySlug returns the unit of kind with slug, archived or not: an old link
// to an archived community still finds it, and the page says it is archived.
func (s *Service) BySlug(ctx context.Context, kind Kind, slug string) (*Unit, error) {
	if !kind.Valid() {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该组织")
	}
	rows, err := s.db.QueryPrepared(ctx, unitBySlugSQL, string(kind), slug)
	if err != nil {
		return nil, fmt.Errorf("org unit %s/%s: %w", kind, slug, err)
	}
	us, err := scanUnits(rows)
	if err != nil {
		return nil, fmt.Errorf("org unit %s/%s: %w", kind, slug, err)
	}
	if len(us) == 0 {
		return nil, fmt.Errorf("org unit %s/%s: %w", kind, slug, mingbai.Errorf(mingbai.ENOTFOUND, "找不到网址标识为“%s”的%s", slug, kind.Label()))
	}
	return &us[0], nil
}

// Children returns the units directly under parentID, ordered by position
// and name; archived ones only when includeArchived.
func (s *Service) Children(ctx context.Context, parentID int64, includeArchived bool) ([]Unit, error) {
	var us []Unit
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := unitByID(ctx, tx, parentID); err != nil {
			return err
		}
		q := "SELECT " + unitColumns + " FROM org_units WHERE parent_id = ?"
		if !includeArchived {
			q += " AND archived_at IS NULL"
		}
		var err error
		us, err = queryUnits(ctx, tx, q+" ORDER BY position, name, id", parentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("children of org unit %d: %w", parentID, err)
	}
	return us, nil
}

// Districts returns the live districts.
func (s *Service) Districts(ctx context.Context) ([]Unit, error) {
	var us []Unit
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		us, err = queryUnits(ctx, tx, "SELECT "+unitColumns+" FROM org_units WHERE kind = 'district' AND archived_at IS NULL ORDER BY position, name, id")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("districts: %w", err)
	}
	return us, nil
}

// Tree returns live district districtID with its live streets and their
// communities, and its departments, in one query.
func (s *Service) Tree(ctx context.Context, districtID int64) (*Tree, error) {
	var us []Unit
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		us, err = queryUnits(ctx, tx, "SELECT "+unitColumns+` FROM org_units
			WHERE (id = ? OR district_id = ?) AND archived_at IS NULL
			ORDER BY position, name, id`, districtID, districtID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tree of district %d: %w", districtID, err)
	}
	t := &Tree{}
	found := false
	streetAt := map[int64]int{}
	for _, u := range us {
		switch {
		case u.ID == districtID && u.Kind == District:
			t.District, found = u, true
		case u.Kind == Street:
			streetAt[u.ID] = len(t.Streets)
			t.Streets = append(t.Streets, StreetTree{Street: u})
		case u.Kind == Department:
			t.Departments = append(t.Departments, u)
		}
	}
	if !found {
		return nil, fmt.Errorf("tree of district %d: %w", districtID, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该区，或该区已归档"))
	}
	// Streets are all placed before communities are attached, since rows
	// come in position order, not parents first.
	for _, u := range us {
		if u.Kind != Community {
			continue
		}
		if i, ok := streetAt[u.ParentID]; ok {
			t.Streets[i].Communities = append(t.Streets[i].Communities, u)
		}
	}
	return t, nil
}

// History returns every change of unit id, oldest first.
func (s *Service) History(ctx context.Context, unitID int64) ([]Change, error) {
	var cs []Change
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := unitByID(ctx, tx, unitID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, unit_id, change, old_value, new_value, COALESCE(changed_by, 0), changed_at
			FROM org_unit_history WHERE unit_id = ? ORDER BY changed_at, id`, unitID)
		if err != nil {
			return fmt.Errorf("query history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Change
			if err := rows.Scan(&c.ID, &c.UnitID, &c.What, &c.OldValue, &c.NewValue, &c.By, &c.At); err != nil {
				return fmt.Errorf("scan history: %w", err)
			}
			c.At = c.At.UTC()
			cs = append(cs, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("history of org unit %d: %w", unitID, err)
	}
	return cs, nil
}

// checkSiblingName refuses name when a live sibling under parentID (0:
// among districts) other than unit self already has it.
func checkSiblingName(ctx context.Context, tx *store.Tx, parentID int64, name string, self int64) error {
	var kind string
	err := tx.QueryRow(ctx, "SELECT kind FROM org_units WHERE COALESCE(parent_id, 0) = ? AND name = ? AND archived_at IS NULL AND id <> ?",
		parentID, name, self).Scan(&kind)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check name: %w", err)
	}
	msg := fmt.Sprintf("已有名为“%s”的%s", name, Kind(kind).Label())
	if parentID != 0 {
		var parent string
		if err := tx.QueryRow(ctx, "SELECT name FROM org_units WHERE id = ?", parentID).Scan(&parent); err != nil {
			return fmt.Errorf("parent name: %w", err)
		}
		msg = fmt.Sprintf("“%s”下%s，请换一个名称", parent, msg)
	} else {
		msg += "，请换一个名称"
	}
	return &mingbai.Error{Code: mingbai.ECONFLICT, Field: "name", Message: msg}
}

// checkSlug refuses slug when another unit of kind, archived or not, has it.
func checkSlug(ctx context.Context, tx *store.Tx, kind Kind, slug string, self int64) error {
	var name string
	var archived *time.Time
	err := tx.QueryRow(ctx, "SELECT name, archived_at FROM org_units WHERE kind = ? AND slug = ? AND id <> ?", string(kind), slug, self).Scan(&name, &archived)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check slug: %w", err)
	}
	msg := fmt.Sprintf("网址标识“%s”已被%s“%s”使用，请换一个", slug, kind.Label(), name)
	if archived != nil {
		msg = fmt.Sprintf("网址标识“%s”已被已归档的%s“%s”使用（归档单位的网址保持不变），请换一个", slug, kind.Label(), name)
	}
	return &mingbai.Error{Code: mingbai.ECONFLICT, Field: "slug", Message: msg}
}

func addHistory(ctx context.Context, tx *store.Tx, unitID int64, what, old, new string, by int64, at time.Time) error {
	_, err := tx.Exec(ctx, "INSERT INTO org_unit_history (unit_id, change, old_value, new_value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
		unitID, what, old, new, nullID(by), at)
	if err != nil {
		return fmt.Errorf("record %s in history: %w", what, err)
	}
	return nil
}

const unitColumns = "id, kind, parent_id, district_id, name, slug, gb_code, phone, board_location, position, created_at, updated_at, archived_at"

func unitByID(ctx context.Context, tx *store.Tx, id int64) (*Unit, error) {
	us, err := queryUnits(ctx, tx, "SELECT "+unitColumns+" FROM org_units WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到编号为 %d 的组织", id)
	}
	return &us[0], nil
}

func queryUnits(ctx context.Context, tx *store.Tx, query string, args ...any) ([]Unit, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query org units: %w", err)
	}
	return scanUnits(rows)
}

// scanUnits reads and closes rows of unitColumns.
func scanUnits(rows *sql.Rows) ([]Unit, error) {
	defer rows.Close()
	var us []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("scan org unit: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read org units: %w", err)
	}
	return us, nil
}

// scanUnit reads one row of unitColumns.
func scanUnit(r store.Scanner) (Unit, error) {
	var u Unit
	var kind string
	var parent, district *int64
	if err := r.Scan(&u.ID, &kind, &parent, &district, &u.Name, &u.Slug, &u.GBCode, &u.Phone, &u.BoardLocation,
		&u.Position, &u.CreatedAt, &u.UpdatedAt, &u.ArchivedAt); err != nil {
		return u, err
	}
	u.Kind = Kind(kind)
	if parent != nil {
		u.ParentID = *parent
	}
	if district != nil {
		u.DistrictID = *district
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	if u.ArchivedAt != nil {
		at := u.ArchivedAt.UTC()
		u.ArchivedAt = &at
	}
	return u, nil
}

// nullID stores an absent id (0) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
