package web

import (
	"mingbai"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// setTextSize keeps the large-text choice in a cookie. It is a plain form
// post, so it works without JavaScript.
// setTextSize is a GET, without a CSRF token, so that public pages carry
// nothing particular to a visitor and can be served from the page cache;
// a forged link can do no more than change someone's text size.
func (s *Server) setTextSize(w http.ResponseWriter, r *http.Request) error {
	size := r.FormValue("size")
	if size != "large" && size != "normal" {
		return mingbai.FieldError("size", "字号只能选择“大字”或“标准”。")
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.CookieName(r, TextCookie), Value: size, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.Secure(r), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, LocalPath(r.FormValue("next"), "/"), http.StatusSeeOther)
	return nil
}

// LocalPath returns next if it is a clean path on this site, otherwise
// def, so a crafted link cannot send a resident elsewhere after logging in
// or switching the text size. It is the one check for every redirect
// target taken from a request.
//
// Browsers read a backslash as a slash, strip leading spaces and control
// characters, and drop tabs and newlines inside a URL; http.Redirect then
// cleans dot segments away ("/../\host" becomes "/\host"). So only a
// path that is already clean, starts with a single slash and holds no
// backslash or control character, before and after percent-decoding,
// is accepted: anything a browser could read as another host fails one
// of those.
func LocalPath(next, def string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || hasUnsafeByte(next) {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return def
	}
	p := u.Path // percent-decoded
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || hasUnsafeByte(p) {
		return def
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return def
	}
	// The query and fragment cannot change the host (a search for a
	// backslash may come back to its page), but a decoded control
	// character there could still split a header downstream.
	if q, err := url.QueryUnescape(u.RawQuery); err != nil || hasControl(q) || hasControl(u.Fragment) {
		return def
	}
	return next
}

// hasUnsafeByte reports a backslash or an ASCII control character.
func hasUnsafeByte(s string) bool {
	return strings.Contains(s, "\\") || hasControl(s)
}

// hasControl reports an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
