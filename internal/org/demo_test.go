package org_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// The demo district as pages show it: the same on both databases and on
// every run.
const demoTree = `玄武区 xuanwu 320102
  锁金村街道 suojincun
    锁金一村社区 suojin-1 025-85401101 锁金一村5幢南侧宣传橱窗
    锁金四村社区 suojin-4 025-85401234 锁金四村12幢北侧宣传橱窗
    锁金五村社区 suojin-5 025-85401501 锁金五村社区服务中心门前公开栏
    樱铁村社区 yingtiecun 025-85401601 樱铁村小区大门内侧公开栏
    板仓社区 bancang 025-85401701 板仓街社区活动室外墙公开栏
  玄武门街道 xuanwumen
    百子亭社区 baiziting 025-83301101 百子亭社区居委会门前公开栏
    新门口社区 xinmenkou 025-83301201 新门口菜场东侧宣传橱窗
  部门 玄武区市场监督管理局 market-regulation
  部门 国家税务总局南京市玄武区税务局 taxation
  部门 玄武区人力资源和社会保障局 human-resources
  部门 玄武区民政局 civil-affairs
`

func render(t *org.Tree) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", t.District.Name, t.District.Slug, t.District.GBCode)
	for _, st := range t.Streets {
		fmt.Fprintf(&b, "  %s %s\n", st.Street.Name, st.Street.Slug)
		for _, c := range st.Communities {
			fmt.Fprintf(&b, "    %s %s %s %s\n", c.Name, c.Slug, c.Phone, c.BoardLocation)
		}
	}
	for _, d := range t.Departments {
		fmt.Fprintf(&b, "  部门 %s %s\n", d.Name, d.Slug)
	}
	return b.String()
}

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		d, err := org.SeedDemo(ctx, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := s.Tree(ctx, d.District)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(tree); got != demoTree {
			t.Errorf("demo tree:\n%s\nwant:\n%s", got, demoTree)
		}

		// Every id the demo needs points at the unit it is named for.
		for _, c := range []struct {
			id   int64
			kind org.Kind
			slug string
		}{
			{d.District, org.District, "xuanwu"},
			{d.Suojincun, org.Street, "suojincun"},
			{d.Xuanwumen, org.Street, "xuanwumen"},
			{d.Suojin4, org.Community, "suojin-4"},
			{d.Suojin1, org.Community, "suojin-1"},
			{d.Baiziting, org.Community, "baiziting"},
			{d.MarketRegulation, org.Department, "market-regulation"},
			{d.Taxation, org.Department, "taxation"},
			{d.HumanResources, org.Department, "human-resources"},
			{d.CivilAffairs, org.Department, "civil-affairs"},
		} {
			u, err := s.BySlug(ctx, c.kind, c.slug)
			if err != nil || u.ID != c.id {
				t.Errorf("%s %s: id %d, BySlug %+v, %v", c.kind, c.slug, c.id, u, err)
			}
		}
		suojin4 := must[*org.Unit](t)(s.Unit(ctx, d.Suojin4))
		suojin1 := must[*org.Unit](t)(s.Unit(ctx, d.Suojin1))
		baiziting := must[*org.Unit](t)(s.Unit(ctx, d.Baiziting))
		if suojin4.ParentID != d.Suojincun || suojin1.ParentID != d.Suojincun || baiziting.ParentID != d.Xuanwumen {
			t.Errorf("community parents: %d %d %d", suojin4.ParentID, suojin1.ParentID, baiziting.ParentID)
		}
		if len(d.Communities) != 7 || len(d.Departments) != 4 {
			t.Errorf("%d communities, %d departments", len(d.Communities), len(d.Departments))
		}

		// Seeding again changes nothing and returns the same ids.
		count := func() (units, history int) {
			t.Helper()
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units").Scan(&units); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_unit_history").Scan(&history); err != nil {
				t.Fatal(err)
			}
			return units, history
		}
		u1, h1 := count()
		again, err := org.SeedDemo(ctx, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(*again) != fmt.Sprint(*d) {
			t.Errorf("second seed = %+v, want %+v", again, d)
		}
		if u2, h2 := count(); u1 != 14 || u2 != u1 || h2 != h1 {
			t.Errorf("units %d → %d, history %d → %d; want 14 units, unchanged", u1, u2, h1, h2)
		}
	})
}
