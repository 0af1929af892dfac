package org

import "mingbai/internal/tlog"

// PublicColumns of the organisation (see tlog.PublicColumn). Unit names
// head every public page, but the log does not cover them yet: renaming a
// unit is recorded in org_unit_history, not as a leaf. The finance
// statement leaf carries the community's name for its month.
var PublicColumns = []tlog.PublicColumn{
	{Table: "org_units", Column: "name", Name: "id", Uncovered: "unit changes are kept in org_unit_history but are not leaves yet"},
}
