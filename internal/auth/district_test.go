package auth_test

import (
	"context"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// backfill runs the UPDATEs of migration 0014 that give existing accounts
// their home district, as the migration did on a database of before.
func backfill(t *testing.T, db *store.DB) {
	t.Helper()
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var sql string
	for _, m := range ms {
		if m.Version == 14 {
			sql = m.SQL
		}
	}
	n := 0
	err = db.Write(context.Background(), func(tx *store.Tx) error {
		for stmt := range strings.SplitSeq(sql, ";") {
			if i := strings.Index(stmt, "UPDATE users"); i >= 0 {
				n++
				if _, err := tx.Exec(context.Background(), stmt[i:]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("backfill: %d statements, %v", n, err)
	}
}

func homeDistrict(t *testing.T, s *auth.Service, id int64) int64 {
	t.Helper()
	u, err := s.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.DistrictID
}

// TestHomeDistrict: accounts get their home district when registered,
// made by an admin, or first granted a role, and migration 0014 back-fills
// it for accounts made before: from the community registered in, else
// the oldest live role, else the only district.
func TestHomeDistrict(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		o := seedOrg(t, db)
		resident, err := s.Register(ctx, auth.Registration{CommunityID: o.A, Name: "赵凤英", Phone: "13912345678", BuildingUnit: "12幢301室", Password: "password1"})
		if err != nil {
			t.Fatal(err)
		}
		cadre := mustUser(t, s, auth.NewUser{Username: "cadre", Password: "password1"})
		if err := s.Grant(ctx, cadre.ID, mingbai.RoleCadre, o.B, 0); err != nil {
			t.Fatal(err)
		}
		loner := mustUser(t, s, auth.NewUser{Username: "loner", Password: "password1", DistrictID: o.District})
		bare := mustUser(t, s, auth.NewUser{Username: "bare", Password: "password1"})
		for name, id := range map[string]int64{"resident": resident.ID, "cadre": cadre.ID, "loner": loner.ID} {
			if got := homeDistrict(t, s, id); got != o.District {
				t.Errorf("%s's home district %d, want %d", name, got, o.District)
			}
		}
		if got := homeDistrict(t, s, bare.ID); got != 0 {
			t.Errorf("an account made with no district and no role has home %d", got)
		}
		if _, err := s.CreateUser(ctx, auth.NewUser{Username: "wrong", Password: "password1", DistrictID: o.A}); mingbai.ErrorField(err) != "district" {
			t.Errorf("an account homed in a community: %v, want a district field error", err)
		}

		// The migration's back-fill, on accounts as they were before it.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE users SET district_id = NULL")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		backfill(t, db)
		for name, id := range map[string]int64{"resident": resident.ID, "cadre": cadre.ID, "bare (the only district)": bare.ID} {
			if got := homeDistrict(t, s, id); got != o.District {
				t.Errorf("back-filled %s: home %d, want %d", name, got, o.District)
			}
		}
		// With two districts an account with neither community nor role
		// stays without a home (only the command line manages it).
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', '秦淮区', 'qinhuai', ?, ?)`, start, start); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE users SET district_id = NULL")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		backfill(t, db)
		if got := homeDistrict(t, s, bare.ID); got != 0 {
			t.Errorf("with two districts, a bare account was given home %d", got)
		}
		if got := homeDistrict(t, s, cadre.ID); got != o.District {
			t.Errorf("with two districts, the cadre's home %d, want %d", got, o.District)
		}
	})
}
