// Package org holds the organisations of a Mingbai deployment: districts
// (区), their streets (街道) and the streets' communities (社区), and the
// district's departments (部门). District admins create, rename and archive
// them; nothing is ever deleted, and every change is kept in a history so a
// page published years ago can still name the unit it was published by.
package org

import "time"

// Kind is the kind of an org unit.
type Kind string

// The kinds of org unit, from the top of the tree down.
const (
	District   Kind = "district"
	Street     Kind = "street"
	Community  Kind = "community"
	Department Kind = "department"
)

// Kinds lists every kind in the order pages show them.
var Kinds = []Kind{District, Street, Community, Department}

// Label is the Chinese name of the kind.
func (k Kind) Label() string {
	switch k {
	case District:
		return "区"
	case Street:
		return "街道"
	case Community:
		return "社区"
	case Department:
		return "部门"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case District, Street, Community, Department:
		return true
	}
	return false
}

// ParentKind is the kind a unit of kind k must hang under, "" for a district.
func (k Kind) ParentKind() Kind {
	switch k {
	case Street, Department:
		return District
	case Community:
		return Street
	}
	return ""
}

// Unit is one district, street, community or department.
type Unit struct {
	ID   int64
	Kind Kind
	// ParentID is the unit above: the district of a street or department,
	// the street of a community; 0 for a district.
	ParentID int64
	// DistrictID is the district the unit belongs to; 0 for a district.
	DistrictID    int64
	Name          string
	Slug          string // stable URL part, unique per kind, kept after archiving
	GBCode        string // GB/T 2260 code, districts only
	Phone         string // contact phone
	BoardLocation string // where the printed board stands, communities only
	Position      int    // order among siblings
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ArchivedAt    *time.Time
}

// Archived reports whether the unit has been archived.
func (u *Unit) Archived() bool { return u.ArchivedAt != nil }

// DistrictOf is the district the unit belongs to, the unit itself for a
// district.
func (u *Unit) DistrictOf() int64 {
	if u.Kind == District {
		return u.ID
	}
	return u.DistrictID
}

// NewUnit is what an admin fills in to create a unit. GBCode is for
// districts only, BoardLocation for communities only.
type NewUnit struct {
	Name          string
	Slug          string
	GBCode        string
	Phone         string
	BoardLocation string
}

// UnitChanges are the edits to a unit; a nil field is left as it is.
type UnitChanges struct {
	Name          *string
	Slug          *string
	Phone         *string
	BoardLocation *string
}

// What a history row records.
const (
	ChangeCreate        = "create"
	ChangeName          = "name"
	ChangeSlug          = "slug"
	ChangePhone         = "phone"
	ChangeBoardLocation = "board_location"
	ChangeArchive       = "archive"
)

// Change is one row of a unit's history.
type Change struct {
	ID       int64
	UnitID   int64
	What     string // one of the Change… constants
	OldValue string
	NewValue string
	By       int64 // the account that made the change, 0 for the system
	At       time.Time
}

// Label is the Chinese name of what changed.
func (c Change) Label() string {
	switch c.What {
	case ChangeCreate:
		return "创建"
	case ChangeName:
		return "更名"
	case ChangeSlug:
		return "修改网址标识"
	case ChangePhone:
		return "修改联系电话"
	case ChangeBoardLocation:
		return "修改公开栏位置"
	case ChangeArchive:
		return "归档"
	}
	return c.What
}

// Tree is a district with its live streets, each with its live
// communities, and its live departments, each list in display order.
type Tree struct {
	District    Unit
	Streets     []StreetTree
	Departments []Unit
}

// StreetTree is a street with its communities.
type StreetTree struct {
	Street      Unit
	Communities []Unit
}
