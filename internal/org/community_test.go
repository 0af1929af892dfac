package org_test

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestLoadCommunity pins the one community loader every feature uses:
// only communities, and an archived one only for reading.
func TestLoadCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		d, err := org.SeedDemo(ctx, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Archive(ctx, d.Baiziting, 0); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name     string
			id       int64
			forWrite bool
			code     string // "" for success
		}{
			{"a live community, to read", d.Suojin4, false, ""},
			{"a live community, to write", d.Suojin4, true, ""},
			{"an archived community, to read", d.Baiziting, false, ""},
			{"an archived community, to write", d.Baiziting, true, mingbai.ECONFLICT},
			{"a street", d.Suojincun, false, mingbai.ENOTFOUND},
			{"a department", d.CivilAffairs, true, mingbai.ENOTFOUND},
			{"no such unit", 99999, false, mingbai.ENOTFOUND},
		} {
			var u *org.Unit
			err := db.Read(ctx, func(tx *store.Tx) (err error) {
				u, err = org.LoadCommunity(ctx, tx, tc.id, tc.forWrite)
				return err
			})
			if got := mingbai.ErrorCode(err); got != tc.code || (tc.code == "") != (err == nil) {
				t.Errorf("%s: error %v, want code %q", tc.name, err, tc.code)
				continue
			}
			if err == nil && (u.ID != tc.id || u.Kind != org.Community || u.DistrictID != d.District) {
				t.Errorf("%s: loaded %+v", tc.name, u)
			}
		}
	})
}
