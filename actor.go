package mingbai

// Role is what an account may do, always within one org unit (except the
// district admin, whose unit is the district).
type Role string

// The roles of DESIGN.md.
const (
	RoleResident       Role = "resident"        // 居民 of a community
	RoleCadre          Role = "cadre"           // 社区干部 of a community
	RoleSupervisor     Role = "supervisor"      // 居务监督委员会成员 of a community
	RolePartySecretary Role = "party_secretary" // 党组织书记 of a community
	RoleClerk          Role = "clerk"           // 部门工作人员 of a department
	RoleStreetOfficer  Role = "street_officer"  // 街道干部 of a street
	RoleDistrictAdmin  Role = "district_admin"  // 区管理员 of a district
)

// Roles lists every role in the order pages show them.
var Roles = []Role{RoleResident, RoleCadre, RoleSupervisor, RolePartySecretary, RoleClerk, RoleStreetOfficer, RoleDistrictAdmin}

// Label is the Chinese name of a role.
func (r Role) Label() string {
	switch r {
	case RoleResident:
		return "居民"
	case RoleCadre:
		return "社区干部"
	case RoleSupervisor:
		return "居务监督委员会成员"
	case RolePartySecretary:
		return "党组织书记"
	case RoleClerk:
		return "部门工作人员"
	case RoleStreetOfficer:
		return "街道干部"
	case RoleDistrictAdmin:
		return "区管理员"
	}
	return string(r)
}

// UnitKind is the kind of org unit a role of this kind is granted on.
func (r Role) UnitKind() string {
	switch r {
	case RoleClerk:
		return "department"
	case RoleStreetOfficer:
		return "street"
	case RoleDistrictAdmin:
		return "district"
	case RoleResident, RoleCadre, RoleSupervisor, RolePartySecretary:
		return "community"
	}
	return ""
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.UnitKind() != "" }

// Grant is one role on one org unit. Street and District are the unit's
// ancestors, filled so that checks need no database round trip.
type Grant struct {
	Role     Role
	UnitID   int64
	Street   int64 // the street the unit belongs to, 0 for a street itself or above
	District int64 // the district the unit belongs to
}

// Actor is the account acting on a request. The zero Actor is anonymous.
type Actor struct {
	UserID    int64
	Name      string
	SessionID string
	Grants    []Grant
}

// Anonymous reports whether nobody is logged in.
func (a *Actor) Anonymous() bool { return a == nil || a.UserID == 0 }

// Has reports whether the actor holds role r on exactly unit id.
func (a *Actor) Has(r Role, unit int64) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role == r && g.UnitID == unit {
			return true
		}
	}
	return false
}

// HasAny reports whether the actor holds role r on any unit.
func (a *Actor) HasAny(r Role) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// IsDistrictAdmin reports whether the actor administers district id.
func (a *Actor) IsDistrictAdmin(district int64) bool { return a.Has(RoleDistrictAdmin, district) }

// OfficerOf reports whether the actor is an officer of street id.
func (a *Actor) OfficerOf(street int64) bool { return a.Has(RoleStreetOfficer, street) }

// Units returns the ids of the units on which the actor holds role r.
func (a *Actor) Units(r Role) []int64 {
	if a == nil {
		return nil
	}
	var ids []int64
	for _, g := range a.Grants {
		if g.Role == r {
			ids = append(ids, g.UnitID)
		}
	}
	return ids
}
