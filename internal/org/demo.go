package org

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/store"
)

// DemoOrg holds the ids of the demo district's units that the rest of the
// demo (accounts, disclosures, the story of the two electric fans) hangs on.
type DemoOrg struct {
	District int64 // 玄武区

	Suojincun int64 // 锁金村街道
	Xuanwumen int64 // 玄武门街道, the other street

	Suojin4   int64 // 锁金四村社区, the community of the founding report
	Suojin1   int64 // 锁金一村社区, another community of the same street
	Baiziting int64 // 百子亭社区, a community of the other street

	// The one-stop service hall's departments (工商、税务、劳动、民政 in
	// the founding report, under today's names).
	MarketRegulation int64 // 玄武区市场监督管理局 (工商)
	Taxation         int64 // 国家税务总局南京市玄武区税务局 (税务)
	HumanResources   int64 // 玄武区人力资源和社会保障局 (劳动)
	CivilAffairs     int64 // 玄武区民政局 (民政)

	Communities []int64 // every demo community, street by street
	Departments []int64 // every demo department
}

// demoUnit is one unit of the demo tree; parent names the slug of the
// street a community belongs to.
type demoUnit struct {
	kind   Kind
	parent string
	unit   NewUnit
	id     func(*DemoOrg) *int64
}

// The demo district. The street and communities are real places of Xuanwu
// district, Nanjing; the phone numbers and board locations are invented
// for the demo and belong to nobody.
var demoUnits = []demoUnit{
	{District, "", NewUnit{Name: "玄武区", Slug: "xuanwu", GBCode: "320102", Phone: "025-84201000"}, func(d *DemoOrg) *int64 { return &d.District }},

	{Street, "", NewUnit{Name: "锁金村街道", Slug: "suojincun", Phone: "025-85401000"}, func(d *DemoOrg) *int64 { return &d.Suojincun }},
	{Community, "suojincun", NewUnit{Name: "锁金一村社区", Slug: "suojin-1", Phone: "025-85401101", BoardLocation: "锁金一村5幢南侧宣传橱窗"}, func(d *DemoOrg) *int64 { return &d.Suojin1 }},
	{Community, "suojincun", NewUnit{Name: "锁金四村社区", Slug: "suojin-4", Phone: "025-85401234", BoardLocation: "锁金四村12幢北侧宣传橱窗"}, func(d *DemoOrg) *int64 { return &d.Suojin4 }},
	{Community, "suojincun", NewUnit{Name: "锁金五村社区", Slug: "suojin-5", Phone: "025-85401501", BoardLocation: "锁金五村社区服务中心门前公开栏"}, nil},
	{Community, "suojincun", NewUnit{Name: "樱铁村社区", Slug: "yingtiecun", Phone: "025-85401601", BoardLocation: "樱铁村小区大门内侧公开栏"}, nil},
	{Community, "suojincun", NewUnit{Name: "板仓社区", Slug: "bancang", Phone: "025-85401701", BoardLocation: "板仓街社区活动室外墙公开栏"}, nil},

	{Street, "", NewUnit{Name: "玄武门街道", Slug: "xuanwumen", Phone: "025-83301000"}, func(d *DemoOrg) *int64 { return &d.Xuanwumen }},
	{Community, "xuanwumen", NewUnit{Name: "百子亭社区", Slug: "baiziting", Phone: "025-83301101", BoardLocation: "百子亭社区居委会门前公开栏"}, func(d *DemoOrg) *int64 { return &d.Baiziting }},
	{Community, "xuanwumen", NewUnit{Name: "新门口社区", Slug: "xinmenkou", Phone: "025-83301201", BoardLocation: "新门口菜场东侧宣传橱窗"}, nil},

	{Department, "", NewUnit{Name: "玄武区市场监督管理局", Slug: "market-regulation", Phone: "025-84202100"}, func(d *DemoOrg) *int64 { return &d.MarketRegulation }},
	{Department, "", NewUnit{Name: "国家税务总局南京市玄武区税务局", Slug: "taxation", Phone: "025-84202200"}, func(d *DemoOrg) *int64 { return &d.Taxation }},
	{Department, "", NewUnit{Name: "玄武区人力资源和社会保障局", Slug: "human-resources", Phone: "025-84202300"}, func(d *DemoOrg) *int64 { return &d.HumanResources }},
	{Department, "", NewUnit{Name: "玄武区民政局", Slug: "civil-affairs", Phone: "025-84202400"}, func(d *DemoOrg) *int64 { return &d.CivilAffairs }},
}

// SeedDemo creates the demo district of the founding report, 玄武区 >
// 锁金村街道 > 锁金四村社区 and its neighbours, another street, and the
// departments of the one-stop service hall, in one transaction. A unit
// that already exists (found by kind and slug) is kept as it is, so seeding
// an already seeded database changes nothing and returns the same ids.
func SeedDemo(ctx context.Context, s *Service, by int64) (*DemoOrg, error) {
	d := &DemoOrg{}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		*d = DemoOrg{}
		streets := map[string]int64{}
		for _, du := range demoUnits {
			parent := int64(0)
			switch du.kind {
			case Street, Department:
				parent = d.District
			case Community:
				parent = streets[du.parent]
			}
			u, err := s.findOrCreate(ctx, tx, du.kind, parent, du.unit, by)
			if err != nil {
				return err
			}
			switch du.kind {
			case Street:
				streets[u.Slug] = u.ID
			case Community:
				d.Communities = append(d.Communities, u.ID)
			case Department:
				d.Departments = append(d.Departments, u.ID)
			}
			if du.id != nil {
				*du.id(d) = u.ID
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed demo district: %w", err)
	}
	return d, nil
}

func (s *Service) findOrCreate(ctx context.Context, tx *store.Tx, kind Kind, parent int64, nu NewUnit, by int64) (*Unit, error) {
	us, err := queryUnits(ctx, tx, "SELECT "+unitColumns+" FROM org_units WHERE kind = ? AND slug = ?", string(kind), nu.Slug)
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return s.create(ctx, tx, kind, parent, nu, by)
	}
	u := &us[0]
	if u.ParentID != parent {
		return nil, mingbai.Errorf(mingbai.ECONFLICT, "演示数据的%s“%s”已存在，但不在预期的上级之下", kind.Label(), u.Name)
	}
	return u, nil
}
