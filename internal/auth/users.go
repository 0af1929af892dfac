package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// NewUser is an account made by an administrator or from the command line.
type NewUser struct {
	Username string
	Phone    string
	Name     string
	Password string
	// DistrictID is the account's home district: only that district's
	// admins see and manage it. 0 leaves it unset until the account's
	// first role (the command line making a district's first admin).
	DistrictID int64
}

// CreateUser makes an active account. It needs a username or a phone
// number (or both) and a password of at least eight characters that is not
// all digits.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	username := normalizeUsername(nu.Username)
	phone := normalizePhone(nu.Phone)
	if username == "" && phone == "" {
		return nil, mingbai.FieldError("username", "请填写用户名或手机号（至少一项）")
	}
	if username != "" {
		if err := validateUsername(username); err != nil {
			return nil, err
		}
	}
	if phone != "" {
		if err := validatePhone(phone); err != nil {
			return nil, err
		}
	}
	name, err := zh.Text{Field: "name", Label: "姓名", Max: 32}.Clean(nu.Name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = username
		if name == "" {
			name = phone
		}
	}
	if err := validatePassword("password", nu.Password, username, phone); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, nu.Password)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	now := s.clock()
	var id int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if nu.DistrictID != 0 {
			u, err := loadUnit(ctx, tx, nu.DistrictID)
			if err != nil {
				return err
			}
			if u.Kind != "district" || u.Archived {
				return mingbai.FieldError("district", "请选择账号所属的区")
			}
		}
		if err := checkLoginFree(ctx, tx, username, phone); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO users (username, phone, name, password_hash, status, district_id, created_at, updated_at, password_changed_at)
			VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?) RETURNING id`,
			nullable(username), nullable(phone), name, hash, nullableID(nu.DistrictID), now, now, now)
		return err
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			// Lost a race with another request taking the same login.
			return nil, mingbai.Errorf(mingbai.ECONFLICT, "用户名或手机号已被使用")
		}
		return nil, wrap("create user", err)
	}
	return s.User(ctx, id)
}

// checkLoginFree refuses a username or phone already taken, naming the
// field so a form can show the message next to it.
func checkLoginFree(ctx context.Context, tx *store.Tx, username, phone string) error {
	if username != "" {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE username = ?", username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &mingbai.Error{Code: mingbai.ECONFLICT, Field: "username", Message: "该用户名已被使用"}
		}
	}
	if phone != "" {
		var n int
		// A phone written as a username is taken too: login looks in both.
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE phone = ? OR username = ?", phone, phone).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &mingbai.Error{Code: mingbai.ECONFLICT, Field: "phone", Message: "该手机号已注册"}
		}
	}
	return nil
}

const userColumns = `id, COALESCE(username, ''), COALESCE(phone, ''), name, building_unit, status,
	COALESCE(community_id, 0), COALESCE(district_id, 0), reject_reason, created_at`

// scanUserValue is scanUser for store.QueryAll.
func scanUserValue(sc store.Scanner) (User, error) {
	u, err := scanUser(sc)
	if err != nil {
		return User{}, err
	}
	return *u, nil
}

func scanUser(sc store.Scanner) (*User, error) {
	var u User
	var status string
	if err := sc.Scan(&u.ID, &u.Username, &u.Phone, &u.Name, &u.BuildingUnit, &status,
		&u.CommunityID, &u.DistrictID, &u.RejectReason, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Status = UserStatus(status)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// loginLookup returns the query and argument finding the account for what
// someone typed at login: a phone number (in any usual spelling) or a
// username.
func loginLookup(login string) (where string, arg string) {
	login = strings.TrimSpace(login)
	if p := normalizePhone(login); phoneRE.MatchString(p) {
		return "phone = ?", p
	}
	return "username = ?", normalizeUsername(login)
}

// UserByLogin finds an account by username or phone number.
func (s *Service) UserByLogin(ctx context.Context, login string) (*User, error) {
	var u *User
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, _, err = userByLogin(ctx, tx, login)
		if err != nil {
			return err
		}
		u.Grants, err = liveGrants(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return nil, wrap("user by login", notFoundUser(err))
	}
	return u, nil
}

func userByLogin(ctx context.Context, tx *store.Tx, login string) (*User, string, error) {
	where, arg := loginLookup(login)
	if arg == "" {
		return nil, "", sql.ErrNoRows
	}
	row := tx.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE "+where, arg)
	var u User
	var status, hash string
	if err := row.Scan(&u.ID, &u.Username, &u.Phone, &u.Name, &u.BuildingUnit, &status,
		&u.CommunityID, &u.DistrictID, &u.RejectReason, &u.CreatedAt, &hash); err != nil {
		return nil, "", err
	}
	u.Status = UserStatus(status)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, hash, nil
}

// User returns the account with its live grants.
func (s *Service) User(ctx context.Context, id int64) (*User, error) {
	var u *User
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
		if err != nil {
			return err
		}
		u.Grants, err = liveGrants(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("user %d", id), notFoundUser(err))
	}
	return u, nil
}

// UserFilter selects accounts for an admin list.
type UserFilter struct {
	// CommunityID, when set, keeps accounts registered in that community or
	// holding a live role on it.
	CommunityID int64
	// Districts, when not nil, keeps only accounts whose home district is
	// one of these (none when empty): see AdminUsers.
	Districts []int64
	Status    UserStatus // "" for any
	Query     string     // part of the username, phone or name
	Limit     int        // 50 when 0, at most 500
	Offset    int
}

// Users lists accounts matching f, newest first, with the total number of
// matches for paging.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, int, error) {
	var where []string
	var args []any
	if f.CommunityID != 0 {
		where = append(where, `(community_id = ? OR id IN (SELECT user_id FROM role_grants WHERE unit_id = ? AND revoked_at IS NULL))`)
		args = append(args, f.CommunityID, f.CommunityID)
	}
	if f.Districts != nil {
		if len(f.Districts) == 0 {
			return nil, 0, nil
		}
		where = append(where, "district_id IN (?"+strings.Repeat(", ?", len(f.Districts)-1)+")")
		for _, d := range f.Districts {
			args = append(args, d)
		}
	}
	if f.Status != "" {
		if !f.Status.valid() {
			return nil, 0, mingbai.FieldError("status", "未知的账号状态")
		}
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
		where = append(where, `(LOWER(COALESCE(username, '')) LIKE ? ESCAPE '\' OR COALESCE(phone, '') LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern, pattern)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	offset := max(f.Offset, 0)

	var users []User
	var total int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users"+cond, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		users, err = store.QueryAll(ctx, tx, scanUserValue, "SELECT "+userColumns+" FROM users"+cond+
			fmt.Sprintf(" ORDER BY id DESC LIMIT %d OFFSET %d", limit, offset), args...)
		if err != nil {
			return err
		}
		return fillGrants(ctx, tx, users)
	})
	if err != nil {
		return nil, 0, wrap("list users", err)
	}
	return users, total, nil
}

// AdminUsers is Users for a district admin: only the accounts whose home
// district the actor administers, whatever f.Districts says. The scope is
// in the query, so no handler can forget it.
func (s *Service) AdminUsers(ctx context.Context, actor *mingbai.Actor, f UserFilter) ([]User, int, error) {
	f.Districts = actor.Units(mingbai.RoleDistrictAdmin)
	if f.Districts == nil {
		f.Districts = []int64{}
	}
	return s.Users(ctx, f)
}

// ManagedUser returns an account the actor administers: one whose home
// district the actor is an admin of. Any other account, of another
// district or with none, is ENOTFOUND, the same answer as a missing one,
// so an admin learns nothing about accounts outside its districts.
func (s *Service) ManagedUser(ctx context.Context, actor *mingbai.Actor, id int64) (*User, error) {
	districts := actor.Units(mingbai.RoleDistrictAdmin)
	if len(districts) == 0 {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "用户不存在")
	}
	args := []any{id}
	for _, d := range districts {
		args = append(args, d)
	}
	var u *User
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ? AND district_id IN (?"+
			strings.Repeat(", ?", len(districts)-1)+")", args...))
		if err != nil {
			return err
		}
		u.Grants, err = liveGrants(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("managed user %d", id), notFoundUser(err))
	}
	return u, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetPassword sets a new password (an administrator's or the command
// line's reset) and ends every session of the account.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := validatePassword("password", password, u.Username, u.Phone); err != nil {
		return err
	}
	return s.storePassword(ctx, userID, password, "")
}

// ChangePassword changes the account's own password after checking the
// old one, and ends its other sessions; the session keepSessionID (the
// public id of the session making the change, Actor.SessionID) stays.
func (s *Service) ChangePassword(ctx context.Context, userID int64, keepSessionID, oldPassword, newPassword string) error {
	var encoded string
	var u *User
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		row := tx.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE id = ?", userID)
		var status string
		u = &User{}
		if err := row.Scan(&u.ID, &u.Username, &u.Phone, &u.Name, &u.BuildingUnit, &status,
			&u.CommunityID, &u.DistrictID, &u.RejectReason, &u.CreatedAt, &encoded); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return wrap("change password", notFoundUser(err))
	}
	// Guesses at the old password through a borrowed session are throttled
	// like wrong passwords at login, the session standing for the address:
	// that session waits, the account is not locked.
	key := "user:" + strconv.FormatInt(userID, 10)
	from := "session:" + keepSessionID
	now := s.clock()
	var wait time.Duration
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		wait, err = pairWait(ctx, tx, now, key, from)
		return err
	}); err != nil {
		return fmt.Errorf("change password of user %d: %w", userID, err)
	}
	if wait > 0 {
		return waitMessage(wait)
	}
	ok, _, err := s.verify(ctx, encoded, oldPassword)
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", userID, err)
	}
	if !ok {
		if err := s.recordFailure(ctx, now, key, userID, from); err != nil {
			return fmt.Errorf("change password of user %d: %w", userID, err)
		}
		return mingbai.FieldError("old_password", "原密码不正确")
	}
	if err := validatePassword("new_password", newPassword, u.Username, u.Phone); err != nil {
		return err
	}
	if newPassword == oldPassword {
		return mingbai.FieldError("new_password", "新密码不能与原密码相同")
	}
	return s.storePassword(ctx, userID, newPassword, keepSessionID)
}

// storePassword hashes and stores password and ends the account's
// sessions except keepSessionID (none kept when it is "").
func (s *Service) storePassword(ctx context.Context, userID int64, password, keepSessionID string) error {
	hash, err := s.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	now := s.clock()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
			hash, now, now, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, keepSessionID)
		return err
	})
	return wrap(fmt.Sprintf("set password of user %d", userID), notFoundUser(err))
}

// SetDisabled switches an account off (ending its sessions) or back on.
// Only an active or disabled account can be switched; registrations go
// through VerifyRegistration and RejectRegistration.
func (s *Service) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	from, to := StatusActive, StatusDisabled
	if !disabled {
		from, to = StatusDisabled, StatusActive
	}
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM users WHERE id = ?", userID).Scan(&status); err != nil {
			return notFoundUser(err)
		}
		if UserStatus(status) == to {
			return nil
		}
		if UserStatus(status) != from {
			return mingbai.Errorf(mingbai.ECONFLICT, "该账号状态为“%s”，不能%s", UserStatus(status).Label(), map[bool]string{true: "停用", false: "启用"}[disabled])
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET status = ?, updated_at = ? WHERE id = ?", string(to), now, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		return err
	})
	return wrap(fmt.Sprintf("set user %d disabled=%v", userID, disabled), err)
}

// Roles.

// unit is the part of an org unit that grants need.
type unit struct {
	ID       int64
	Kind     string
	Name     string
	Archived bool
}

func loadUnit(ctx context.Context, tx *store.Tx, id int64) (*unit, error) {
	var u unit
	var archived *time.Time
	err := tx.QueryRow(ctx, "SELECT id, kind, name, archived_at FROM org_units WHERE id = ?", id).
		Scan(&u.ID, &u.Kind, &u.Name, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "组织不存在")
	}
	if err != nil {
		return nil, err
	}
	u.Archived = archived != nil
	return &u, nil
}

var kindLabels = map[string]string{"district": "区", "street": "街道", "community": "社区", "department": "部门"}

// Grant gives the user role on the org unit unitID; by is the granting
// account (0 for the command line). Granting a role the user already holds
// does nothing.
func (s *Service) Grant(ctx context.Context, userID int64, role mingbai.Role, unitID int64, by int64) error {
	if !role.Valid() {
		return mingbai.FieldError("role", "未知的角色：%s", role)
	}
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return grant(ctx, tx, userID, role, unitID, by, now)
	})
	return wrap(fmt.Sprintf("grant %s on unit %d to user %d", role, unitID, userID), err)
}

func grant(ctx context.Context, tx *store.Tx, userID int64, role mingbai.Role, unitID, by int64, now time.Time) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", userID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return mingbai.Errorf(mingbai.ENOTFOUND, "用户不存在")
	}
	u, err := loadUnit(ctx, tx, unitID)
	if err != nil {
		return err
	}
	if u.Kind != role.UnitKind() {
		return mingbai.FieldError("unit", "“%s”只能授予在%s上，“%s”是%s", role.Label(), kindLabels[role.UnitKind()], u.Name, kindLabels[u.Kind])
	}
	if u.Archived {
		return mingbai.FieldError("unit", "“%s”已归档，不能再授予角色", u.Name)
	}
	// DO NOTHING on the live-grant unique index makes the grant idempotent,
	// also when two requests race.
	if _, err = tx.Exec(ctx, `INSERT INTO role_grants (user_id, role, unit_id, granted_by, granted_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, userID, string(role), unitID, nullableID(by), now); err != nil {
		return err
	}
	// An account made without a home district (the command line's first
	// admin, the demo's accounts) takes the district of its first role.
	_, err = tx.Exec(ctx, `UPDATE users SET district_id = (SELECT CASE WHEN kind = 'district' THEN id ELSE district_id END
		FROM org_units WHERE id = ?) WHERE id = ? AND district_id IS NULL`, unitID, userID)
	return err
}

// Revoke ends the user's role on the unit. The grant's row stays, marked
// revoked, so the history of who held which role is kept.
func (s *Service) Revoke(ctx context.Context, userID int64, role mingbai.Role, unitID int64, by int64) error {
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE role_grants SET revoked_at = ?, revoked_by = ?
			WHERE user_id = ? AND role = ? AND unit_id = ? AND revoked_at IS NULL`,
			now, nullableID(by), userID, string(role), unitID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return mingbai.Errorf(mingbai.ENOTFOUND, "该用户在这个组织没有“%s”角色", role.Label())
		}
		return nil
	})
	return wrap(fmt.Sprintf("revoke %s on unit %d from user %d", role, unitID, userID), err)
}

// GrantRecord is one grant in an account's history, live or revoked.
type GrantRecord struct {
	mingbai.Grant
	UnitName  string
	UnitSlug  string
	GrantedBy int64 // 0 when granted from the command line
	GrantedAt time.Time
	RevokedBy int64
	RevokedAt time.Time // zero while live
}

// GrantHistory returns every grant the user has ever held, oldest first.
func (s *Service) GrantHistory(ctx context.Context, userID int64) ([]GrantRecord, error) {
	var recs []GrantRecord
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		recs, err = store.QueryAll(ctx, tx, func(sc store.Scanner) (GrantRecord, error) {
			var r GrantRecord
			var role string
			var revoked *time.Time
			if err := sc.Scan(&role, &r.UnitID, &r.UnitName, &r.UnitSlug, &r.GrantedBy, &r.GrantedAt, &r.RevokedBy, &revoked); err != nil {
				return r, err
			}
			r.Role = mingbai.Role(role)
			r.GrantedAt = r.GrantedAt.UTC()
			if revoked != nil {
				r.RevokedAt = revoked.UTC()
			}
			return r, nil
		}, `SELECT g.role, g.unit_id, u.name, u.slug, COALESCE(g.granted_by, 0), g.granted_at,
				COALESCE(g.revoked_by, 0), g.revoked_at
			FROM role_grants g JOIN org_units u ON u.id = g.unit_id
			WHERE g.user_id = ? ORDER BY g.granted_at, g.id`, userID)
		return err
	})
	return recs, wrap(fmt.Sprintf("grant history of user %d", userID), err)
}

// grantQuery selects live grants with the street and district of each
// unit: a community's street is its parent; a department, street or
// district has no street above it.
const grantQuery = `SELECT g.user_id, g.role, g.unit_id,
		CASE WHEN u.kind = 'community' AND p.kind = 'street' THEN p.id ELSE 0 END,
		CASE WHEN u.kind = 'district' THEN u.id ELSE COALESCE(u.district_id, 0) END
	FROM role_grants g
	JOIN org_units u ON u.id = g.unit_id
	LEFT JOIN org_units p ON p.id = u.parent_id
	WHERE g.revoked_at IS NULL AND `

func scanGrants(rows *sql.Rows, into func(userID int64, g mingbai.Grant)) error {
	defer rows.Close()
	for rows.Next() {
		var userID int64
		var g mingbai.Grant
		var role string
		if err := rows.Scan(&userID, &role, &g.UnitID, &g.Street, &g.District); err != nil {
			return err
		}
		g.Role = mingbai.Role(role)
		into(userID, g)
	}
	return rows.Err()
}

// liveGrants returns the user's live grants in one query.
func liveGrants(ctx context.Context, tx *store.Tx, userID int64) ([]mingbai.Grant, error) {
	rows, err := tx.Query(ctx, grantQuery+"g.user_id = ? ORDER BY g.id", userID)
	if err != nil {
		return nil, err
	}
	var gs []mingbai.Grant
	err = scanGrants(rows, func(_ int64, g mingbai.Grant) { gs = append(gs, g) })
	return gs, err
}

// fillGrants loads the live grants of a page of users in one query.
func fillGrants(ctx context.Context, tx *store.Tx, users []User) error {
	if len(users) == 0 {
		return nil
	}
	index := make(map[int64]int, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		index[u.ID] = i
		args[i] = u.ID
	}
	rows, err := tx.Query(ctx, grantQuery+"g.user_id IN (?"+strings.Repeat(", ?", len(users)-1)+") ORDER BY g.id", args...)
	if err != nil {
		return err
	}
	return scanGrants(rows, func(userID int64, g mingbai.Grant) {
		i := index[userID]
		users[i].Grants = append(users[i].Grants, g)
	})
}

// Actor returns the acting account for userID with its live grants, each
// with the street and district of its unit filled in.
func (s *Service) Actor(ctx context.Context, userID int64) (*mingbai.Actor, error) {
	var a *mingbai.Actor
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		a, err = actor(ctx, tx, userID)
		return err
	})
	return a, wrap(fmt.Sprintf("actor %d", userID), err)
}

func actor(ctx context.Context, tx *store.Tx, userID int64) (*mingbai.Actor, error) {
	a := &mingbai.Actor{UserID: userID}
	if err := tx.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", userID).Scan(&a.Name); err != nil {
		return nil, notFoundUser(err)
	}
	var err error
	a.Grants, err = liveGrants(ctx, tx, userID)
	return a, err
}

// RoleUnit finds the org unit that role is granted on by its slug (a
// cadre's community "suojin-4", a clerk's department…), for the command
// line and for forms that name units by slug.
func (s *Service) RoleUnit(ctx context.Context, role mingbai.Role, slug string) (int64, error) {
	if !role.Valid() {
		return 0, mingbai.FieldError("role", "未知的角色：%s", role)
	}
	var id int64
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM org_units WHERE kind = ? AND slug = ?", role.UnitKind(), strings.TrimSpace(slug)).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, mingbai.FieldError("unit", "没有标识为“%s”的%s", slug, kindLabels[role.UnitKind()])
	}
	return id, wrap("role unit", err)
}
