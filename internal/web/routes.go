package web

import "net/http"

// registerRoutes is the whole URL space. Each route names its policy; see
// access.go.
func (s *Server) registerRoutes(features []Feature) {
	// Probes and preferences.
	s.Handle("GET /prefs/text", Public, s.setTextSize)
	s.Handle("GET /healthz", Public, s.healthz)
	s.Handle("GET /readyz", Public, s.readyz)
	s.Handle("GET /api/v1/communities", Public, s.apiCommunities)

	// Accounts.
	s.Handle("GET /login", Public, s.loginPage)
	s.Handle("POST /login", Public, s.login)
	s.Handle("POST /logout", LoggedIn, s.logout)
	s.Handle("POST /logout/everywhere", LoggedIn, s.logoutEverywhere)
	s.Handle("POST /account/sessions/others/end", LoggedIn, s.endOtherSessions)
	s.Handle("POST /account/sessions/{session}/end", LoggedIn, s.endSession)
	s.Handle("GET /register", Public, s.registerPage)
	s.Handle("POST /register", Public, s.register)
	s.Handle("GET /account", LoggedIn, s.accountPage)
	s.Handle("POST /account/password", LoggedIn, s.changePassword)

	// A community's cadres verify residents who registered.
	s.Handle("GET /c/{community}/registrations", CadreOfCommunity, s.registrationsPage)
	s.Handle("POST /c/{community}/registrations/{user}/verify", CadreOfCommunity, s.verifyRegistration)
	s.Handle("POST /c/{community}/registrations/{user}/reject", CadreOfCommunity, s.rejectRegistration)

	// District administration.
	s.Handle("GET /admin", DistrictAdmin, s.adminPage)
	s.Handle("POST /admin/districts", DistrictAdmin, s.createDistrict)
	s.Handle("POST /admin/units/{unit}/children", DistrictAdmin, s.createChild)
	s.Handle("GET /admin/units/{unit}", DistrictAdmin, s.adminUnitPage)
	s.Handle("POST /admin/units/{unit}", DistrictAdmin, s.updateUnit)
	s.Handle("POST /admin/units/{unit}/archive", DistrictAdmin, s.archiveUnit)
	s.Handle("GET /admin/users", DistrictAdmin, s.adminUsersPage)
	s.Handle("POST /admin/users", DistrictAdmin, s.createUser)
	s.Handle("GET /admin/users/{user}", DistrictAdmin, s.adminUserPage)
	s.Handle("POST /admin/users/{user}/grants", DistrictAdmin, s.grantRole)
	s.Handle("POST /admin/users/{user}/revoke", DistrictAdmin, s.revokeRole)
	s.Handle("POST /admin/users/{user}/password", DistrictAdmin, s.resetPassword)
	s.Handle("POST /admin/users/{user}/disable", DistrictAdmin, s.setDisabled(true))
	s.Handle("POST /admin/users/{user}/enable", DistrictAdmin, s.setDisabled(false))
	s.Handle("GET /admin/logins", DistrictAdmin, s.adminLoginsPage)

	for _, f := range features {
		f.Mount(s)
	}

	s.mux.Handle("GET /static/", s.static)
	// Anything else is a Chinese 404.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.RenderError(w, r, ErrNotFound)
	})
}
