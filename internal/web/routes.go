package web

import "net/http"

// registerRoutes is the whole URL space. Each route names its policy; see
// access.go.
func (s *Server) registerRoutes() {
	// Public board and probes.
	s.handle("GET /{$}", public, s.homePage)
	s.handle("GET /s/{street}", public, s.streetPage)
	s.handle("GET /c/{community}", public, s.cached(s.communityPage))
	s.handle("GET /c/{community}/{section}", public, s.cached(s.communitySection))
	s.handle("GET /prefs/text", public, s.setTextSize)
	s.handle("GET /healthz", public, s.healthz)
	s.handle("GET /readyz", public, s.readyz)
	s.handle("GET /api/v1/communities", public, s.apiCommunities)

	// Accounts.
	s.handle("GET /login", public, s.loginPage)
	s.handle("POST /login", public, s.login)
	s.handle("POST /logout", loggedIn, s.logout)
	s.handle("POST /logout/everywhere", loggedIn, s.logoutEverywhere)
	s.handle("GET /register", public, s.registerPage)
	s.handle("POST /register", public, s.register)
	s.handle("GET /account", loggedIn, s.accountPage)
	s.handle("POST /account/password", loggedIn, s.changePassword)

	// A community's cadres verify residents who registered.
	s.handle("GET /c/{community}/registrations", cadreOfCommunity, s.registrationsPage)
	s.handle("POST /c/{community}/registrations/{user}/verify", cadreOfCommunity, s.verifyRegistration)
	s.handle("POST /c/{community}/registrations/{user}/reject", cadreOfCommunity, s.rejectRegistration)

	// District administration.
	s.handle("GET /admin", districtAdmin, s.adminPage)
	s.handle("POST /admin/districts", districtAdmin, s.createDistrict)
	s.handle("POST /admin/units/{unit}/children", districtAdmin, s.createChild)
	s.handle("GET /admin/units/{unit}", districtAdmin, s.adminUnitPage)
	s.handle("POST /admin/units/{unit}", districtAdmin, s.updateUnit)
	s.handle("POST /admin/units/{unit}/archive", districtAdmin, s.archiveUnit)
	s.handle("GET /admin/users", districtAdmin, s.adminUsersPage)
	s.handle("POST /admin/users", districtAdmin, s.createUser)
	s.handle("GET /admin/users/{user}", districtAdmin, s.adminUserPage)
	s.handle("POST /admin/users/{user}/grants", districtAdmin, s.grantRole)
	s.handle("POST /admin/users/{user}/revoke", districtAdmin, s.revokeRole)
	s.handle("POST /admin/users/{user}/password", districtAdmin, s.resetPassword)
	s.handle("GET /admin/logins", districtAdmin, s.adminLoginsPage)

	// Each feature registers its routes in its own file.
	for _, register := range s.featureRoutes() {
		register()
	}

	s.mux.Handle("GET /static/", s.static)
	s.mux.HandleFunc("GET /static/tlog-verify.js", serveVerifierScript)
	// Anything else is a Chinese 404.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errNotFound)
	})
}

// featureRoutes lists the route registrations of the features built on
// the foundation; each lives in the feature's own file in this package.
func (s *Server) featureRoutes() []func() {
	return []func(){s.registerLogRoutes, s.registerQARoutes, s.registerFinanceRoutes, s.registerDisclosureRoutes}
}
