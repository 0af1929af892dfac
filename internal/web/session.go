package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"mingbai"
)

const (
	sessionCookie = "mb_session"
	csrfCookie    = "mb_csrf"
	textCookie    = "mb_text"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// withState loads who is acting (from the session cookie), the CSRF token
// and the text-size preference, for every request.
func (s *Server) withState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if st == nil { // a handler tested without withRequestID
			st = &requestState{}
			r = r.WithContext(withState(r.Context(), st))
		}
		st.ip = s.forwardedFor(r)
		textValue, csrfValue, sessionValue := visitorCookies(r)
		st.largeText = textValue != nil && *textValue == "large"
		// A visitor without a CSRF cookie gets one with the first answer
		// that is not a shared copy from the page cache (withNewCSRF), so
		// a copy never carries one visitor's Set-Cookie to the next. The
		// new token itself is drawn there too, only when needed.
		if csrfValue != nil && len(*csrfValue) == 32 {
			st.csrf = *csrfValue
		} else {
			st.newCSRF = true
		}
		// Static files and probes need no session lookup.
		if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/healthz" {
			if sessionValue != nil && *sessionValue != "" {
				sess, a, err := s.auth.Session(r.Context(), *sessionValue)
				if err == nil {
					st.actor = a
					st.sessionID = sess.ID
				} else if mingbai.ErrorCode(err) == mingbai.EUNAUTHORIZED {
					s.clearCookie(w, r, sessionCookie)
				} else {
					s.logger.Error("load session", "id", requestID(r), "err", err)
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedFor is the client's address as the reverse proxy in front
// (trusted with TrustProxy) reports it: the last hop of X-Forwarded-For.
// It is empty otherwise, and clientIP falls back to the peer's address.
func (s *Server) forwardedFor(r *http.Request) string {
	if !s.trust {
		return ""
	}
	xff := r.Header.Get("X-Forwarded-For")
	if xff == "" {
		return ""
	}
	if i := strings.LastIndexByte(xff, ','); i >= 0 {
		xff = xff[i+1:]
	}
	return strings.TrimSpace(xff)
}

// visitorCookies reads the cookies that shape a request in one pass
// (r.Cookie parses them all again for each name); as with r.Cookie, the
// first of a name counts. A cookie not sent is nil.
func visitorCookies(r *http.Request) (text, csrf, session *string) {
	if len(r.Header["Cookie"]) == 0 {
		return nil, nil, nil
	}
	for _, c := range r.Cookies() {
		switch {
		case c.Name == textCookie && text == nil:
			text = &c.Value
		case c.Name == csrfCookie && csrf == nil:
			csrf = &c.Value
		case c.Name == sessionCookie && session == nil:
			session = &c.Value
		}
	}
	return text, csrf, session
}

func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.trust && r.Header.Get("X-Forwarded-Proto") == "https")
}

func (s *Server) setCSRFCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: 7 * 24 * 3600,
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, Expires: expires,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

// validCSRF checks the double-submitted token: the form field (or header,
// for scripts) must equal the cookie only this site can set.
func (s *Server) validCSRF(r *http.Request, st *requestState) bool {
	if st.newCSRF {
		return false // no cookie came with the request
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return len(got) == len(st.csrf) && subtle.ConstantTimeCompare([]byte(got), []byte(st.csrf)) == 1
}

// rotateCSRF gives a new token at login and logout, so a token seen before
// authentication is worthless after it.
func (s *Server) rotateCSRF(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	st.csrf = newID(16)
	s.setCSRFCookie(w, r, st.csrf)
}
