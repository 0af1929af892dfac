package org_test

import (
	"context"
	"fmt"
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
		if b.community.ParentID != b.street.ID || b.community.DistrictID != b.district.ID {
			t.Errorf("community = %+v", b.community)
		}
		if b.department.ParentID != b.district.ID || b.department.DistrictID != b.district.ID {
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
			{"name with newline", district(withD(func(n *org.NewUnit) { n.Name = "秦淮\n区" })), mingbai.EINVALID, "name", "无法显示的字符"},
			{"name with a right-to-left override", district(withD(func(n *org.NewUnit) { n.Name = "秦淮\u202e区" })), mingbai.EINVALID, "name", "无法显示的字符"},
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

func ptr(s string) *string { return &s }

func TestUpdateKeepsHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(db)
		b := makeBase(t, s)
		sibling := must[*org.Unit](t)(s.CreateCommunity(ctx, b.street.ID, org.NewUnit{Name: "锁金五村社区", Slug: "suojin-5", Phone: "025-85401501", BoardLocation: "服务中心门前"}, 1))

		t1 := t0.Add(48 * time.Hour)
		clk.now = t1
		u, err := s.Update(ctx, b.community.ID, org.UnitChanges{
			Name:          ptr("锁金新四村社区"),
			Slug:          ptr("suojin-new-4"),
			Phone:         ptr("13812345678"),
			BoardLocation: ptr("锁金四村3幢东侧"),
		}, 7)
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "锁金新四村社区" || u.Slug != "suojin-new-4" || u.Phone != "13812345678" || u.BoardLocation != "锁金四村3幢东侧" || !u.UpdatedAt.Equal(t1) || !u.CreatedAt.Equal(t0) {
			t.Errorf("updated unit = %+v", u)
		}
		if got := must[*org.Unit](t)(s.Unit(ctx, b.community.ID)); *got != *u {
			t.Errorf("read back %+v, want %+v", got, u)
		}
		// The old slug is free again once changed.
		if _, err := s.BySlug(ctx, org.Community, "suojin-4"); mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
			t.Errorf("old slug still found: %v", err)
		}

		// Unchanged values (after cleaning) write no history.
		clk.now = t1.Add(time.Hour)
		if _, err := s.Update(ctx, b.community.ID, org.UnitChanges{Name: ptr(" 锁金新四村社区 "), Phone: ptr("138 1234 5678")}, 8); err != nil {
			t.Fatal(err)
		}
		// A street's phone may be cleared; a community's may not.
		if _, err := s.Update(ctx, b.street.ID, org.UnitChanges{Phone: ptr("025-85401000")}, 7); err != nil {
			t.Fatal(err)
		}

		hist := must[[]org.Change](t)(s.History(ctx, b.community.ID))
		type row struct{ what, old, new string }
		want := []row{
			{org.ChangeCreate, "", "锁金四村社区"},
			{org.ChangeName, "锁金四村社区", "锁金新四村社区"},
			{org.ChangeSlug, "suojin-4", "suojin-new-4"},
			{org.ChangePhone, "025-85401234", "13812345678"},
			{org.ChangeBoardLocation, "锁金四村12幢北侧宣传橱窗", "锁金四村3幢东侧"},
		}
		if len(hist) != len(want) {
			t.Fatalf("history has %d rows, want %d: %+v", len(hist), len(want), hist)
		}
		for i, h := range hist {
			if (row{h.What, h.OldValue, h.NewValue}) != want[i] {
				t.Errorf("history[%d] = %+v, want %+v", i, h, want[i])
			}
			wantBy, wantAt := int64(7), t1
			if i == 0 {
				wantBy, wantAt = 1, t0
			}
			if h.By != wantBy || !h.At.Equal(wantAt) || h.UnitID != b.community.ID {
				t.Errorf("history[%d] by %d at %v, want by %d at %v", i, h.By, h.At, wantBy, wantAt)
			}
		}
		if hist[1].Label() != "更名" {
			t.Errorf("label = %q", hist[1].Label())
		}

		errOf := func(_ *org.Unit, err error) error { return err }
		cases := []struct {
			name        string
			err         error
			code, field string
			msg         string
		}{
			{"rename to a sibling's name", errOf(s.Update(ctx, b.community.ID, org.UnitChanges{Name: ptr("锁金五村社区")}, 7)), mingbai.ECONFLICT, "name", "“锁金村街道”下已有名为“锁金五村社区”的社区"},
			{"slug of another community", errOf(s.Update(ctx, b.community.ID, org.UnitChanges{Slug: ptr("suojin-5")}, 7)), mingbai.ECONFLICT, "slug", "已被社区“锁金五村社区”使用"},
			{"invalid slug", errOf(s.Update(ctx, b.community.ID, org.UnitChanges{Slug: ptr("Suojin")}, 7)), mingbai.EINVALID, "slug", "只能使用小写"},
			{"empty name", errOf(s.Update(ctx, b.community.ID, org.UnitChanges{Name: ptr("")}, 7)), mingbai.EINVALID, "name", "请填写名称"},
			{"clearing a community's phone", errOf(s.Update(ctx, sibling.ID, org.UnitChanges{Phone: ptr("")}, 7)), mingbai.EINVALID, "phone", "请填写联系电话"},
			{"bad phone", errOf(s.Update(ctx, sibling.ID, org.UnitChanges{Phone: ptr("110")}, 7)), mingbai.EINVALID, "phone", "联系电话格式不对"},
			{"clearing the board location", errOf(s.Update(ctx, sibling.ID, org.UnitChanges{BoardLocation: ptr("")}, 7)), mingbai.EINVALID, "board_location", "请填写公开栏所在位置"},
			{"board location of a street", errOf(s.Update(ctx, b.street.ID, org.UnitChanges{BoardLocation: ptr("门口")}, 7)), mingbai.EINVALID, "board_location", "只有社区有公开栏位置"},
			{"missing unit", errOf(s.Update(ctx, 9999, org.UnitChanges{Name: ptr("某某社区")}, 7)), mingbai.ENOTFOUND, "", "找不到编号为 9999 的组织"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, c.code, c.field, c.msg) })
		}
		// A refused update changes nothing, in the unit or its history.
		if got := must[*org.Unit](t)(s.Unit(ctx, b.community.ID)); *got != *u {
			t.Errorf("after refusals %+v, want %+v", got, u)
		}
		if n := len(must[[]org.Change](t)(s.History(ctx, b.community.ID))); n != len(want) {
			t.Errorf("history has %d rows after refusals, want %d", n, len(want))
		}
	})
}

func TestArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(db)
		b := makeBase(t, s)
		c2 := must[*org.Unit](t)(s.CreateCommunity(ctx, b.street.ID, org.NewUnit{Name: "锁金五村社区", Slug: "suojin-5", Phone: "025-85401501", BoardLocation: "服务中心门前"}, 1))

		// A street with live communities stays.
		wantErr(t, s.Archive(ctx, b.street.ID, 3), mingbai.ECONFLICT, "", "“锁金村街道”下还有 2 个未归档的下级单位（锁金四村社区、锁金五村社区），请先归档它们")
		// So does a district with a street and a department.
		wantErr(t, s.Archive(ctx, b.district.ID, 3), mingbai.ECONFLICT, "", "“玄武区”下还有 2 个未归档的下级单位")

		t1 := t0.Add(24 * time.Hour)
		clk.now = t1
		if err := s.Archive(ctx, b.community.ID, 3); err != nil {
			t.Fatal(err)
		}
		got := must[*org.Unit](t)(s.Unit(ctx, b.community.ID))
		if !got.Archived() || !got.ArchivedAt.Equal(t1) || got.Name != "锁金四村社区" {
			t.Errorf("archived unit = %+v", got)
		}
		// An archived unit is still found by its slug, for old links.
		if u, err := s.BySlug(ctx, org.Community, "suojin-4"); err != nil || !u.Archived() {
			t.Errorf("BySlug of archived = %+v, %v", u, err)
		}
		hist := must[[]org.Change](t)(s.History(ctx, b.community.ID))
		last := hist[len(hist)-1]
		if len(hist) != 2 || last.What != org.ChangeArchive || last.By != 3 || !last.At.Equal(t1) || last.Label() != "归档" {
			t.Errorf("history = %+v", hist)
		}

		wantErr(t, s.Archive(ctx, b.community.ID, 3), mingbai.ECONFLICT, "", "“锁金四村社区”已经归档了")
		_, err := s.Update(ctx, b.community.ID, org.UnitChanges{Name: ptr("锁金四村")}, 3)
		wantErr(t, err, mingbai.EINVALID, "", "“锁金四村社区”已归档，不能再修改")
		wantErr(t, s.Archive(ctx, 9999, 3), mingbai.ENOTFOUND, "", "找不到编号为 9999 的组织")

		live := must[[]org.Unit](t)(s.Children(ctx, b.street.ID, false))
		all := must[[]org.Unit](t)(s.Children(ctx, b.street.ID, true))
		if len(live) != 1 || live[0].ID != c2.ID || len(all) != 2 {
			t.Errorf("children: live %v, all %v", names(live), names(all))
		}
		// The archived unit's name is free among its live siblings; its
		// slug is not.
		_, err = s.CreateCommunity(ctx, b.street.ID, org.NewUnit{Name: "锁金四村社区", Slug: "suojin-4", Phone: "025-85401234", BoardLocation: "门口"}, 1)
		wantErr(t, err, mingbai.ECONFLICT, "slug", "已被已归档的社区“锁金四村社区”使用")
		if _, err := s.CreateCommunity(ctx, b.street.ID, org.NewUnit{Name: "锁金四村社区", Slug: "suojin-4-new", Phone: "025-85401234", BoardLocation: "门口"}, 1); err != nil {
			t.Errorf("reuse of an archived name: %v", err)
		}

		// Nothing is deleted: every unit ever created is still a row.
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units").Scan(&n); err != nil || n != 6 {
			t.Errorf("org_units rows = %d, %v; want 6", n, err)
		}
		_, err = s.Children(ctx, 9999, true)
		wantErr(t, err, mingbai.ENOTFOUND, "", "找不到编号为 9999 的组织")
	})
}

func names(us []org.Unit) []string {
	var ns []string
	for _, u := range us {
		ns = append(ns, u.Name)
	}
	return ns
}

func TestTreeAndLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		u := must[*org.Unit](t)
		d := u(s.CreateDistrict(ctx, org.NewUnit{Name: "玄武区", Slug: "xuanwu", GBCode: "320102"}, 1))
		d2 := u(s.CreateDistrict(ctx, org.NewUnit{Name: "秦淮区", Slug: "qinhuai", GBCode: "320104"}, 1))
		a := u(s.CreateStreet(ctx, d.ID, org.NewUnit{Name: "锁金村街道", Slug: "suojincun"}, 1))
		bst := u(s.CreateStreet(ctx, d.ID, org.NewUnit{Name: "玄武门街道", Slug: "xuanwumen"}, 1))
		gone := u(s.CreateStreet(ctx, d.ID, org.NewUnit{Name: "旧街道", Slug: "old-street"}, 1))
		community := func(street int64, name, slug string) *org.Unit {
			return u(s.CreateCommunity(ctx, street, org.NewUnit{Name: name, Slug: slug, Phone: "025-85401234", BoardLocation: "居委会门前"}, 1))
		}
		// Created out of order of the streets, to show grouping.
		community(bst.ID, "百子亭社区", "baiziting")
		community(a.ID, "锁金一村社区", "suojin-1")
		archivedC := community(a.ID, "板仓社区", "bancang")
		community(a.ID, "锁金四村社区", "suojin-4")
		u(s.CreateDepartment(ctx, d.ID, org.NewUnit{Name: "玄武区民政局", Slug: "civil-affairs"}, 1))
		qs := u(s.CreateStreet(ctx, d2.ID, org.NewUnit{Name: "夫子庙街道", Slug: "fuzimiao"}, 1))
		community(qs.ID, "夫子庙社区", "fuzimiao")
		if err := s.Archive(ctx, archivedC.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.Archive(ctx, gone.ID, 1); err != nil {
			t.Fatal(err)
		}

		tree, err := s.Tree(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(tree.District.Name)
		for _, st := range tree.Streets {
			b.WriteString(" [" + st.Street.Name + ":")
			for _, c := range st.Communities {
				b.WriteString(" " + c.Name)
			}
			b.WriteString("]")
		}
		for _, dep := range tree.Departments {
			b.WriteString(" {" + dep.Name + "}")
		}
		if want := "玄武区 [锁金村街道: 锁金一村社区 锁金四村社区] [玄武门街道: 百子亭社区] {玄武区民政局}"; b.String() != want {
			t.Errorf("tree = %s\nwant   %s", b.String(), want)
		}

		_, err = s.Tree(ctx, a.ID)
		wantErr(t, err, mingbai.ENOTFOUND, "", "找不到该区")
		_, err = s.Tree(ctx, 9999)
		wantErr(t, err, mingbai.ENOTFOUND, "", "找不到该区")

		if got := names(must[[]org.Unit](t)(s.Districts(ctx))); strings.Join(got, " ") != "玄武区 秦淮区" {
			t.Errorf("districts = %v", got)
		}
		// Streets and departments each count their positions from 1, so
		// under a district they interleave by position, then name.
		if got := names(must[[]org.Unit](t)(s.Children(ctx, d.ID, true))); strings.Join(got, " ") != "玄武区民政局 锁金村街道 玄武门街道 旧街道" {
			t.Errorf("children of district = %v", got)
		}
	})
}

// Admins creating the same community at once: whether the check in Go or,
// when two checks interleave on PostgreSQL, the database's unique index
// refuses the late ones, exactly one community is created.
func TestConcurrentCreateSameName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		b := makeBase(t, s)
		const n = 6
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := s.CreateCommunity(ctx, b.street.ID, org.NewUnit{Name: "锁金五村社区", Slug: fmt.Sprintf("suojin-5-%d", i), Phone: "025-85401501", BoardLocation: "服务中心门前"}, 1)
				errs <- err
			}()
		}
		ok := 0
		for range n {
			err := <-errs
			switch mingbai.ErrorCode(err) {
			case "":
				ok++
			case mingbai.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		live := must[[]org.Unit](t)(s.Children(ctx, b.street.ID, false))
		if ok != 1 || len(live) != 2 {
			t.Errorf("%d creates succeeded, street has %v; want exactly one new community", ok, names(live))
		}
	})
}
