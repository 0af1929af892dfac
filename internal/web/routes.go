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

	for _, f := range features {
		f.Mount(s)
	}

	s.mux.Handle("GET /static/", s.static)
	// Anything else is a Chinese 404.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.RenderError(w, r, ErrNotFound)
	})
}
