package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mingbai"
)

const (
	sessionCookie = "mb_session"
	csrfCookie    = "mb_csrf"
	TextCookie    = "mb_text"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"

	// hostPrefix names the cookies of a site served over TLS: a browser
	// takes such a cookie only if it is Secure, has Path=/ and no Domain,
	// so a sibling subdomain or a plain-http page cannot plant or shadow it.
	hostPrefix = "__Host-"
)

// withState loads who is acting (from the session cookie), the CSRF token
// and the text-size preference, for every request.
func (s *Server) withState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := State(r)
		if st == nil { // a handler tested without withRequestID
			st = &RequestState{}
			r = r.WithContext(withState(r.Context(), st))
		}
		st.ip = s.forwardedFor(r)
		textValue, csrfValue, sessionValue := visitorCookies(r, s.Secure(r))
		st.largeText = textValue != nil && *textValue == "large"
		// Static files and probes need no session lookup.
		if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/healthz" {
			if sessionValue != nil && *sessionValue != "" {
				sess, a, err := s.auth.Session(r.Context(), *sessionValue)
				if err == nil {
					st.actor = a
					st.sessionID = sess.ID
					st.sessionToken = *sessionValue
				} else if mingbai.ErrorCode(err) == mingbai.EUNAUTHORIZED {
					s.clearCookie(w, r, sessionCookie)
				} else {
					s.logger.Error("load session", "id", RequestID(r), "err", err)
				}
			}
		}
		// The CSRF cookie counts only if it was made for this session (or,
		// for a visitor without one, for no session): see csrfToken. A
		// visitor without a valid one gets one with the first answer that
		// is not a shared copy from the page cache (withNewCSRF), so a copy
		// never carries one visitor's Set-Cookie to the next.
		if csrfValue != nil && s.boundCSRF(*csrfValue, st.sessionToken) {
			st.csrf = *csrfValue
		} else {
			st.newCSRF = true
		}
		next.ServeHTTP(w, r)
	})
}

// CSRF tokens are signed double-submit cookies (OWASP): the token is a
// random nonce and a MAC, under a key all app nodes share, of the nonce
// and the session it was made for. A form must send back the cookie's
// value, which another site cannot read; and the cookie counts only with
// its session, so one planted from elsewhere (a subdomain, a plain-http
// page, an attacker's own valid pair) is worthless. A visitor without a
// session has a token bound to no session: the Origin check (sameOrigin)
// is what keeps other sites from posting the login form for them.
const (
	csrfNonceLen = 16 // hex characters
	csrfMACLen   = 32 // hex characters, 128 bits of HMAC-SHA256
)

// csrfToken makes a token bound to the session whose cookie value is
// sessionToken ("" for none).
func (s *Server) csrfToken(sessionToken string) string {
	nonce := newID(csrfNonceLen / 2)
	return nonce + s.csrfMAC(nonce, sessionToken)
}

func (s *Server) csrfMAC(nonce, sessionToken string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(nonce))
	m.Write([]byte{0})
	m.Write([]byte(sessionToken))
	return hex.EncodeToString(m.Sum(nil))[:csrfMACLen]
}

// boundCSRF reports whether token is a token csrfToken made for
// sessionToken.
func (s *Server) boundCSRF(token, sessionToken string) bool {
	if len(token) != csrfNonceLen+csrfMACLen {
		return false
	}
	want := s.csrfMAC(token[:csrfNonceLen], sessionToken)
	return hmac.Equal([]byte(token[csrfNonceLen:]), []byte(want))
}

// sameOrigin reports whether an unsafe request comes from this site's own
// pages: its Origin names this host (https when served over TLS), or,
// when a browser sends no Origin, its Sec-Fetch-Site says same-origin or
// none (typed by the user). A client that sends neither (a script, curl)
// passes here and still needs the token. Behind a trusted proxy that
// rewrites Host, the host is the last hop of X-Forwarded-Host.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		// A page sent with Referrer-Policy: no-referrer (the tracking
		// pages, whose address is a secret) makes the browser post
		// "Origin: null"; the browser's own Sec-Fetch-Site still says
		// the form is ours. A null origin from anywhere else is refused.
		return true
	}
	if origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, s.host(r)) {
			return false // "null", another host, or nonsense
		}
		return u.Scheme == "https" || (u.Scheme == "http" && !s.Secure(r))
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
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
// first of a name counts. A cookie not sent is nil. Over TLS only the
// __Host- names count, so a cookie planted without the prefix is ignored.
func visitorCookies(r *http.Request, secure bool) (text, csrf, session *string) {
	if len(r.Header["Cookie"]) == 0 {
		return nil, nil, nil
	}
	textName, csrfName, sessionName := TextCookie, csrfCookie, sessionCookie
	if secure {
		textName, csrfName, sessionName = hostPrefix+TextCookie, hostPrefix+csrfCookie, hostPrefix+sessionCookie
	}
	for _, c := range r.Cookies() {
		switch {
		case c.Name == textName && text == nil:
			text = &c.Value
		case c.Name == csrfName && csrf == nil:
			csrf = &c.Value
		case c.Name == sessionName && session == nil:
			session = &c.Value
		}
	}
	return text, csrf, session
}

// host is the host the visitor asked for: Host, or behind a trusted proxy
// that sends it, the last hop of X-Forwarded-Host.
func (s *Server) host(r *http.Request) string {
	if s.trust {
		if xfh := r.Header.Get("X-Forwarded-Host"); xfh != "" {
			if i := strings.LastIndexByte(xfh, ','); i >= 0 {
				xfh = xfh[i+1:]
			}
			return strings.TrimSpace(xfh)
		}
	}
	return r.Host
}

func (s *Server) Secure(r *http.Request) bool {
	return r.TLS != nil || (s.trust && r.Header.Get("X-Forwarded-Proto") == "https")
}

// CookieName is the name of cookie name for r: __Host- prefixed over TLS.
func (s *Server) CookieName(r *http.Request, name string) string {
	if s.Secure(r) {
		return hostPrefix + name
	}
	return name
}

// sessionValue is the session cookie r carries, "" if none.
func (s *Server) sessionValue(r *http.Request) string {
	_, _, v := visitorCookies(r, s.Secure(r))
	if v == nil {
		return ""
	}
	return *v
}

func (s *Server) setCSRFCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.CookieName(r, csrfCookie), Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteLaxMode, MaxAge: 7 * 24 * 3600,
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: s.CookieName(r, sessionCookie), Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteLaxMode, Expires: expires,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.CookieName(r, name), Value: "", Path: "/", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

// validCSRF checks an unsafe request: it comes from this site's pages
// (sameOrigin), and its form field (or header, for scripts) equals the
// CSRF cookie, which withState accepted only if made for this session.
func (s *Server) validCSRF(r *http.Request, st *RequestState) bool {
	if st.newCSRF || !s.sameOrigin(r) {
		return false
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return len(got) == len(st.csrf) && subtle.ConstantTimeCompare([]byte(got), []byte(st.csrf)) == 1
}

// rotateCSRF gives a new token at login and logout, bound to the session
// that starts (sessionToken) or to none, so a token seen before
// authentication is worthless after it.
func (s *Server) rotateCSRF(w http.ResponseWriter, r *http.Request, sessionToken string) {
	st := State(r)
	st.csrf = s.csrfToken(sessionToken)
	s.setCSRFCookie(w, r, st.csrf)
}

// BaseURL is the address the visitor used, for links in feeds and for
// commands they can copy.
func (s *Server) BaseURL(r *http.Request) string {
	scheme := "http"
	if s.Secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
