package org

import "mingbai/internal/tlog"

// PublicColumns of the organisation (see tlog.PublicColumn). Unit names
// head every public page and slugs make their addresses: each unit's
// newest org_unit leaf is rebuilt from its live row. The finance
// statement leaf also carries the community's name for its month.
var PublicColumns = []tlog.PublicColumn{
	{Table: "org_units", Column: "name", Name: unitName, Covered: LeafKind},
	{Table: "org_units", Column: "slug", Name: unitName, Covered: LeafKind, Tamper: "slug || '-x'"},
}

// unitName is how fsck names an org unit's leaf.
const unitName = `'(` + LeafKind + ` ' || id || ' version '`
