package disclosure

// SetDistrictMatches changes how many of the newest matches a district
// search ranks, for tests of both sides of the limit; it returns the undo.
func SetDistrictMatches(n int) (restore func()) {
	old := districtMatches
	districtMatches = n
	return func() { districtMatches = old }
}
