package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// Registration is what a resident fills in to sign up in a community.
type Registration struct {
	CommunityID  int64
	Name         string
	Phone        string
	BuildingUnit string // 楼栋单元, e.g. 12栋3单元
	Password     string
	IP           string // the address it came from, for throttling ("" when unknown)
}

// errAlreadyRegistered is Register's answer for a phone that has an
// account. The web layer shows it exactly like a registration accepted
// (AlreadyRegistered), so the form tells nobody who has an account.
func errAlreadyRegistered() error {
	return &mingbai.Error{Code: mingbai.ECONFLICT, Field: "phone", Message: "该手机号已注册，请直接登录"}
}

// AlreadyRegistered reports whether err is Register's answer for a phone
// that already has an account; that account is left untouched.
func AlreadyRegistered(err error) bool {
	var e *mingbai.Error
	return errors.As(err, &e) && e.Code == mingbai.ECONFLICT && e.Field == "phone"
}

// Register records a resident's registration, pending until a cadre of the
// community verifies it. A phone number whose earlier registration was
// rejected may register again; the new registration takes that account's
// place. A phone with any other account gets errAlreadyRegistered after
// the same work, and its account is not changed. An address may submit
// registerLimit registrations within registerWindow (ETOOMANY after).
func (s *Service) Register(ctx context.Context, r Registration) (*User, error) {
	name, err := zh.Text{Field: "name", Label: "姓名", Min: 1, Max: 32}.Clean(r.Name)
	if err != nil {
		return nil, err
	}
	phone := normalizePhone(r.Phone)
	if phone == "" {
		return nil, mingbai.FieldError("phone", "请填写手机号")
	}
	if err := validatePhone(phone); err != nil {
		return nil, err
	}
	building, err := zh.Text{Field: "building_unit", Label: "楼栋单元", Min: 1, Max: 64}.Clean(r.BuildingUnit)
	if err != nil {
		return nil, err
	}
	if err := validatePassword("password", r.Password, phone); err != nil {
		return nil, err
	}
	if r.CommunityID == 0 {
		return nil, mingbai.FieldError("community", "请选择所在社区")
	}
	// Counted before the hash, so a flood costs no argon2 work.
	if err := s.countRegistration(ctx, r.IP); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, r.Password)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	now := s.clock()
	var id int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		u, err := loadUnit(ctx, tx, r.CommunityID)
		if mingbai.ErrorCode(err) == mingbai.ENOTFOUND {
			return mingbai.FieldError("community", "请选择所在社区")
		}
		if err != nil {
			return err
		}
		if u.Kind != "community" || u.Archived {
			return mingbai.FieldError("community", "请选择所在社区")
		}
		// The account's home district is the community's: its admins
		// manage it.
		var district int64
		if err := tx.QueryRow(ctx, "SELECT district_id FROM org_units WHERE id = ?", r.CommunityID).Scan(&district); err != nil {
			return err
		}
		var status string
		err = tx.QueryRow(ctx, "SELECT id, status FROM users WHERE phone = ?", phone).Scan(&id, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := checkLoginFree(ctx, tx, "", phone); err != nil {
				return err
			}
			id, err = tx.InsertID(ctx, `INSERT INTO users (phone, name, building_unit, password_hash, status, community_id,
					district_id, created_at, updated_at, password_changed_at)
				VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id`,
				phone, name, building, hash, r.CommunityID, district, now, now, now)
			return err
		case err != nil:
			return err
		case UserStatus(status) == StatusRejected:
			_, err = tx.Exec(ctx, `UPDATE users SET name = ?, building_unit = ?, password_hash = ?, status = 'pending',
					community_id = ?, district_id = ?, reject_reason = '', reviewed_by = NULL, reviewed_at = NULL,
					updated_at = ?, password_changed_at = ?
				WHERE id = ?`, name, building, hash, r.CommunityID, district, now, now, id)
			return err
		default:
			return errAlreadyRegistered()
		}
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errAlreadyRegistered()
		}
		return nil, wrap("register", err)
	}
	return s.User(ctx, id)
}

// countRegistration records a registration from ip, refusing it when the
// address has sent registerLimit within registerWindow.
func (s *Service) countRegistration(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM register_attempts WHERE ip = ? AND at > ?", ip, now.Add(-registerWindow)).Scan(&n); err != nil {
			return err
		}
		if n >= registerLimit {
			return mingbai.Errorf(mingbai.ETOOMANY, "这个网络提交的注册太多，请一小时后再试；如需帮助，请到社区居委会办理")
		}
		_, err := tx.Exec(ctx, "INSERT INTO register_attempts (ip, at) VALUES (?, ?)", ip, now)
		return err
	})
	return wrap("count registration", err)
}

// mayReview reports whether actor may verify or reject registrations in
// community: only its cadres may. The rule lives here, not only in the
// handlers, so no route can forget it.
func mayReview(actor *mingbai.Actor, community int64) error {
	if actor.Anonymous() || community == 0 || !actor.Has(mingbai.RoleCadre, community) {
		return mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区的工作人员可以审核居民注册")
	}
	return nil
}

// PendingRegistrations lists the registrations awaiting review in a
// community, oldest first; only the community's cadres may see them.
func (s *Service) PendingRegistrations(ctx context.Context, actor *mingbai.Actor, communityID int64) ([]User, error) {
	if err := mayReview(actor, communityID); err != nil {
		return nil, err
	}
	var users []User
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		users, err = store.QueryAll(ctx, tx, scanUserValue, "SELECT "+userColumns+" FROM users WHERE community_id = ? AND status = 'pending' ORDER BY created_at, id", communityID)
		return err
	})
	return users, wrap(fmt.Sprintf("pending registrations of community %d", communityID), err)
}

// VerifyRegistration accepts a pending registration: the account becomes
// active and a resident of its community. actor must be a cadre of that
// community.
func (s *Service) VerifyRegistration(ctx context.Context, actor *mingbai.Actor, userID int64) error {
	now := s.clock()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		community, err := pendingCommunity(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET status = 'active', reviewed_by = ?, reviewed_at = ?, updated_at = ?
			WHERE id = ?`, actor.UserID, now, now, userID); err != nil {
			return err
		}
		return grant(ctx, tx, userID, mingbai.RoleResident, community, actor.UserID, now)
	})
	return wrap(fmt.Sprintf("verify registration %d", userID), err)
}

// RejectRegistration turns a pending registration down with a reason the
// resident sees when trying to log in. actor must be a cadre of that
// community.
func (s *Service) RejectRegistration(ctx context.Context, actor *mingbai.Actor, userID int64, reason string) error {
	reason, err := zh.Text{Field: "reason", Label: "不通过的原因", Min: 1, Max: 200}.Clean(reason)
	if err != nil {
		return err
	}
	now := s.clock()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := pendingCommunity(ctx, tx, actor, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE users SET status = 'rejected', reject_reason = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ?
			WHERE id = ?`, reason, actor.UserID, now, now, userID)
		return err
	})
	return wrap(fmt.Sprintf("reject registration %d", userID), err)
}

// pendingCommunity checks that userID is a pending registration that actor
// may review, and returns its community.
func pendingCommunity(ctx context.Context, tx *store.Tx, actor *mingbai.Actor, userID int64) (int64, error) {
	var community int64
	var status string
	err := tx.QueryRow(ctx, "SELECT COALESCE(community_id, 0), status FROM users WHERE id = ?", userID).Scan(&community, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, mingbai.Errorf(mingbai.ENOTFOUND, "注册申请不存在")
	}
	if err != nil {
		return 0, err
	}
	// Scope first, so a cadre of another community learns nothing about
	// the registration, not even its state.
	if err := mayReview(actor, community); err != nil {
		return 0, err
	}
	if UserStatus(status) != StatusPending {
		return 0, mingbai.Errorf(mingbai.ECONFLICT, "该注册申请已处理（%s）", UserStatus(status).Label())
	}
	return community, nil
}
