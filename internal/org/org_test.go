package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// clock is a test clock that moves only when told.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newService(db *store.DB) (*org.Service, *clock) {
	c := &clock{now: t0}
	return org.NewService(db, c.Now), c
}

// wantErr fails unless err is a *mingbai.Error with code, field and a
// message containing msg.
func wantErr(t *testing.T, err error, code, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s (%s) %q", code, field, msg)
	}
	if got := mingbai.ErrorCode(err); got != code {
		t.Errorf("code = %s, want %s (err: %v)", got, code, err)
	}
	if got := mingbai.ErrorField(err); got != field {
		t.Errorf("field = %q, want %q (err: %v)", got, field, err)
	}
	if got := mingbai.ErrorMessage(err); !strings.Contains(got, msg) {
		t.Errorf("message = %q, want it to contain %q", got, msg)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// base is a small tree the tests build on.
type base struct {
	district, street, community, department *org.Unit
}

func makeBase(t *testing.T, s *org.Service) base {
	t.Helper()
	ctx := context.Background()
	u := must[*org.Unit](t)
	d := u(s.CreateDistrict(ctx, org.NewUnit{Name: "玄武区", Slug: "xuanwu", GBCode: "320102", Phone: "025-84201000"}, 1))
	st := u(s.CreateStreet(ctx, d.ID, org.NewUnit{Name: "锁金村街道", Slug: "suojincun"}, 1))
	c := u(s.CreateCommunity(ctx, st.ID, org.NewUnit{Name: "锁金四村社区", Slug: "suojin-4", Phone: "02585401234", BoardLocation: "锁金四村12幢北侧宣传橱窗"}, 1))
	dep := u(s.CreateDepartment(ctx, d.ID, org.NewUnit{Name: "玄武区民政局", Slug: "civil-affairs"}, 1))
	return base{d, st, c, dep}
}

func TestCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		b := makeBase(t, s)

		if b.district.Kind != org.District || b.district.ParentID != 0 || b.district.DistrictID != 0 || b.district.GBCode != "320102" {
			t.Errorf("district = %+v", b.district)
		}
		if b.street.ParentID != b.district.ID || b.street.DistrictID != b.district.ID {
			t.Errorf("street parent/district = %d/%d, want %d", b.street.ParentID, b.street.DistrictID, b.district.ID)
		}
		if b.community.ParentID != b.street.ID || b.community.DistrictID != b.district.ID || b.community.StreetID() != b.street.ID {
			t.Errorf("community = %+v", b.community)
		}
		if b.department.ParentID != b.district.ID || b.department.DistrictID != b.district.ID || b.department.StreetID() != 0 {
			t.Errorf("department = %+v", b.department)
		}
		// The phone is stored in one form whatever way it was typed.
		if b.community.Phone != "025-85401234" {
			t.Errorf("phone = %q, want 025-85401234", b.community.Phone)
		}

		got, err := s.Unit(ctx, b.community.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got != *b.community || !got.CreatedAt.Equal(t0) || got.Archived() {
			t.Errorf("read back %+v, want %+v", got, b.community)
		}
		bySlug, err := s.BySlug(ctx, org.Community, "suojin-4")
		if err != nil || bySlug.ID != b.community.ID {
			t.Fatalf("BySlug = %v, %v", bySlug, err)
		}
		// Slugs are unique per kind, so a street slug names no community.
		_, err = s.BySlug(ctx, org.Community, "suojincun")
		wantErr(t, err, mingbai.ENOTFOUND, "", "找不到网址标识为“suojincun”的社区")
		_, err = s.Unit(ctx, 9999)
		wantErr(t, err, mingbai.ENOTFOUND, "", "找不到编号为 9999 的组织")

		// The same name is fine under another parent.
		other := must[*org.Unit](t)(s.CreateStreet(ctx, b.district.ID, org.NewUnit{Name: "玄武门街道", Slug: "xuanwumen"}, 1))
		if _, err := s.CreateCommunity(ctx, other.ID, org.NewUnit{Name: "锁金四村社区", Slug: "suojin-4b", Phone: "13812345678", BoardLocation: "门口"}, 1); err != nil {
			t.Errorf("same name under another street: %v", err)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		b := makeBase(t, s)
		archived := must[*org.Unit](t)(s.CreateStreet(ctx, b.district.ID, org.NewUnit{Name: "旧街道", Slug: "old-street"}, 1))
		if err := s.Archive(ctx, archived.ID, 1); err != nil {
			t.Fatal(err)
		}

		district := func(nu org.NewUnit) error { _, err := s.CreateDistrict(ctx, nu, 1); return err }
		street := func(nu org.NewUnit) error { _, err := s.CreateStreet(ctx, b.district.ID, nu, 1); return err }
		community := func(nu org.NewUnit) error { _, err := s.CreateCommunity(ctx, b.street.ID, nu, 1); return err }
		errOf := func(_ *org.Unit, err error) error { return err }
		okDistrict := org.NewUnit{Name: "秦淮区", Slug: "qinhuai", GBCode: "320104"}
		okCommunity := org.NewUnit{Name: "锁金五村社区", Slug: "suojin-5", Phone: "025-85401501", BoardLocation: "服务中心门前"}
		withD := func(f func(*org.NewUnit)) org.NewUnit { nu := okDistrict; f(&nu); return nu }
		withC := func(f func(*org.NewUnit)) org.NewUnit { nu := okCommunity; f(&nu); return nu }

		cases := []struct {
			name        string
			err         error
			code, field string
			msg         string
		}{
			{"empty name", district(withD(func(n *org.NewUnit) { n.Name = "  " })), mingbai.EINVALID, "name", "请填写名称"},
			{"short name", district(withD(func(n *org.NewUnit) { n.Name = "区" })), mingbai.EINVALID, "name", "名称至少 2 个字"},
			{"long name", district(withD(func(n *org.NewUnit) { n.Name = strings.Repeat("玄", 41) })), mingbai.EINVALID, "name", "名称不能超过 40 个字，现在是 41 个字"},
			{"name with newline", district(withD(func(n *org.NewUnit) { n.Name = "秦淮\n区" })), mingbai.EINVALID, "name", "控制字符"},
			{"empty slug", district(withD(func(n *org.NewUnit) { n.Slug = "" })), mingbai.EINVALID, "slug", "请填写网址标识"},
			{"upper-case slug", district(withD(func(n *org.NewUnit) { n.Slug = "Qinhuai" })), mingbai.EINVALID, "slug", "只能使用小写英文字母、数字和连字符"},
			{"chinese slug", district(withD(func(n *org.NewUnit) { n.Slug = "秦淮" })), mingbai.EINVALID, "slug", "只能使用小写英文字母、数字和连字符"},
			{"slug with space", district(withD(func(n *org.NewUnit) { n.Slug = "qin huai" })), mingbai.EINVALID, "slug", "只能使用小写英文字母"},
			{"one-letter slug", district(withD(func(n *org.NewUnit) { n.Slug = "q" })), mingbai.EINVALID, "slug", "应为 2 到 40 个字符，现在是 1 个"},
			{"long slug", district(withD(func(n *org.NewUnit) { n.Slug = strings.Repeat("q", 41) })), mingbai.EINVALID, "slug", "应为 2 到 40 个字符，现在是 41 个"},
			{"slug starting with hyphen", district(withD(func(n *org.NewUnit) { n.Slug = "-qinhuai" })), mingbai.EINVALID, "slug", "不能以连字符开头或结尾"},
			{"slug with double hyphen", district(withD(func(n *org.NewUnit) { n.Slug = "qin--huai" })), mingbai.EINVALID, "slug", "连续的连字符"},
			{"numeric slug", district(withD(func(n *org.NewUnit) { n.Slug = "2026" })), mingbai.EINVALID, "slug", "不能全是数字"},
			{"duplicate slug", district(withD(func(n *org.NewUnit) { n.Slug = "xuanwu" })), mingbai.ECONFLICT, "slug", "网址标识“xuanwu”已被区“玄武区”使用"},
			{"duplicate slug of archived unit", street(org.NewUnit{Name: "新街道", Slug: "old-street"}), mingbai.ECONFLICT, "slug", "已被已归档的街道“旧街道”使用"},
			{"duplicate district name", district(withD(func(n *org.NewUnit) { n.Name = "玄武区" })), mingbai.ECONFLICT, "name", "已有名为“玄武区”的区"},
			{"duplicate sibling name", community(withC(func(n *org.NewUnit) { n.Name = "锁金四村社区" })), mingbai.ECONFLICT, "name", "“锁金村街道”下已有名为“锁金四村社区”的社区"},
			{"department named like a street", errOf(s.CreateDepartment(ctx, b.district.ID, org.NewUnit{Name: "锁金村街道", Slug: "sjc"}, 1)), mingbai.ECONFLICT, "name", "“玄武区”下已有名为“锁金村街道”的街道"},
			{"missing GB code", district(withD(func(n *org.NewUnit) { n.GBCode = "" })), mingbai.EINVALID, "gb_code", "请填写行政区划代码"},
			{"5-digit GB code", district(withD(func(n *org.NewUnit) { n.GBCode = "32010" })), mingbai.EINVALID, "gb_code", "应为 6 位数字"},
			{"GB code with letter", district(withD(func(n *org.NewUnit) { n.GBCode = "3201O4" })), mingbai.EINVALID, "gb_code", "应为 6 位数字"},
			{"GB code of no province", district(withD(func(n *org.NewUnit) { n.GBCode = "990104" })), mingbai.EINVALID, "gb_code", "前两位 99 不是省级行政区的代码"},
			{"prefecture GB code", district(withD(func(n *org.NewUnit) { n.GBCode = "320100" })), mingbai.EINVALID, "gb_code", "320100 不是县级"},
			{"province GB code", district(withD(func(n *org.NewUnit) { n.GBCode = "320004" })), mingbai.EINVALID, "gb_code", "不是县级"},
			{"duplicate GB code", district(withD(func(n *org.NewUnit) { n.GBCode = "320102" })), mingbai.ECONFLICT, "gb_code", "行政区划代码 320102 已被“玄武区”使用"},
			{"GB code on a street", street(org.NewUnit{Name: "新街口街道", Slug: "xinjiekou", GBCode: "320102"}), mingbai.EINVALID, "gb_code", "只有区需要填写行政区划代码"},
			{"board location on a street", street(org.NewUnit{Name: "新街口街道", Slug: "xinjiekou", BoardLocation: "门口"}), mingbai.EINVALID, "board_location", "只有社区需要填写公开栏位置"},
			{"bad phone on a street", street(org.NewUnit{Name: "新街口街道", Slug: "xinjiekou", Phone: "85401234"}), mingbai.EINVALID, "phone", "联系电话格式不对"},
			{"community without phone", community(withC(func(n *org.NewUnit) { n.Phone = "" })), mingbai.EINVALID, "phone", "请填写联系电话"},
			{"community with short phone", community(withC(func(n *org.NewUnit) { n.Phone = "12345" })), mingbai.EINVALID, "phone", "固定电话请写成 025-85401234 的样子"},
			{"community without board location", community(withC(func(n *org.NewUnit) { n.BoardLocation = " " })), mingbai.EINVALID, "board_location", "请填写公开栏所在位置"},
			{"community with long board location", community(withC(func(n *org.NewUnit) { n.BoardLocation = strings.Repeat("栏", 81) })), mingbai.EINVALID, "board_location", "不能超过 80 个字"},
			{"street under a street", errOf(s.CreateStreet(ctx, b.street.ID, org.NewUnit{Name: "新街口街道", Slug: "xinjiekou"}, 1)), mingbai.EINVALID, "", "街道只能建在区下，“锁金村街道”是街道"},
			{"community under a district", errOf(s.CreateCommunity(ctx, b.district.ID, okCommunity, 1)), mingbai.EINVALID, "", "社区只能建在街道下，“玄武区”是区"},
			{"department under a community", errOf(s.CreateDepartment(ctx, b.community.ID, org.NewUnit{Name: "民政科", Slug: "mzk"}, 1)), mingbai.EINVALID, "", "部门只能建在区下"},
			{"community under a missing street", errOf(s.CreateCommunity(ctx, 9999, okCommunity, 1)), mingbai.ENOTFOUND, "", "找不到编号为 9999 的组织"},
			{"community under an archived street", errOf(s.CreateCommunity(ctx, archived.ID, okCommunity, 1)), mingbai.EINVALID, "", "“旧街道”已归档，不能在其下新建社区"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, c.code, c.field, c.msg) })
		}

		// None of the refused units left a row or a history entry behind.
		var units, history int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units").Scan(&units); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_unit_history").Scan(&history); err != nil {
			t.Fatal(err)
		}
		if units != 5 || history != 6 { // the base's four units and the archived street
			t.Errorf("units = %d, history = %d after refusals", units, history)
		}
	})
}
