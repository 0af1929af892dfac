// Package admin is the web side of district administration: the
// district's tree of streets and communities, accounts with their roles,
// passwords and status, and the bursts of failed logins. A district admin
// sees and changes only their own district's units and accounts.
package admin

import (
	"embed"
	"io/fs"

	"mingbai/internal/auth"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

//go:embed templates
var templates embed.FS

// New returns the district administration's web side, to list in
// web.Config.Features.
func New() web.Feature { return &handlers{} }

// handlers serve the administration routes.
type handlers struct {
	*web.Server
	org  *org.Service
	auth *auth.Service
}

// adminPages are the administration pages.
var adminPages = map[string][]string{
	"admin":        {"admin/admin.html", "partials/fields.html"},
	"admin_unit":   {"admin/admin_unit.html", "partials/fields.html"},
	"admin_users":  {"admin/admin_users.html", "partials/fields.html"},
	"admin_user":   {"admin/admin_user.html", "partials/fields.html"},
	"admin_logins": {"admin/admin_logins.html"},
}

func (s *handlers) Pages() web.Pages {
	files, _ := fs.Sub(templates, "templates")
	return web.Pages{Files: files, Declared: adminPages}
}

func (s *handlers) Mount(srv *web.Server) {
	s.Server, s.org, s.auth = srv, srv.Org(), srv.Auth()
	s.registerAdminRoutes()
}
