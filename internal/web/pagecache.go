package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mingbai"
)

// pageCache keeps the public pages anonymous visitors read, rendered, by
// the community's page version. A page is the same for every anonymous
// visitor with the same text size, and it changes only when the
// community's version does (a new leaf in its log, a redaction, a new
// catalog, a new day), so a stored copy is served only while the version
// it was made at is still current: the version is read from the database
// on every request, never assumed, so a page is never stale, even when
// another process wrote the change.
type pageCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedPage
	size    int // bytes held, plain and compressed
	max     int
}

// cachedPage is one rendered page at one version.
type cachedPage struct {
	version string
	etag    string
	plain   []byte
	gz      []byte

	// header holds the answer's header values, built once: a cached
	// answer then costs no allocation for its header.
	header struct{ ctype, etag, plainLen, gzLen []string }

	// fresh is the database generation (store.DB.Generation) at which the
	// page was last found current, and day the civil date then; while
	// neither has moved, nothing the page shows can have changed.
	fresh atomic.Pointer[freshness]
}

type freshness struct {
	gen int64
	day int
}

// maxCachedPage keeps a single enormous page (a search with thousands of
// hits) from pushing the board pages out.
const maxCachedPage = 512 << 10

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: make(map[string]*cachedPage), max: maxBytes}
}

func (c *pageCache) get(key, version string) *cachedPage {
	e := c.peek(key)
	if e == nil || e.version != version {
		return nil
	}
	return e
}

func (c *pageCache) peek(key string) *cachedPage {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[key]
}

// cacheKey names a public page in the cache: its path and query, and the
// text size, which is the one thing of the visitor's that changes it.
func cacheKey(r *http.Request, largeText bool) string {
	// The common case costs no string; a path holding a "?" (sent as
	// %3F) takes the long form, so it cannot pass for a path and query.
	if r.URL.RawQuery == "" && !largeText && !strings.Contains(r.URL.Path, "?") {
		return r.URL.Path
	}
	key := r.URL.Path + "?" + r.URL.RawQuery
	if largeText {
		key += "|large"
	}
	return key
}

// cacheable reports whether r may be answered with the shared copy.
func cacheable(r *http.Request, st *RequestState) bool {
	return st.actor == nil && cacheableRequest(r)
}

func cacheableRequest(r *http.Request) bool {
	if r.Method != http.MethodGet || len(r.URL.RawQuery) > 256 {
		return false
	}
	return r.URL.RawQuery == "" || !r.URL.Query().Has("done")
}

// withCachedPages answers, ahead of all other middleware, the commonest
// request of all: a visitor without a session asking for a public page
// whose cached copy nothing can have changed, because nothing at all has
// been committed to the database since the copy was last found current
// (and the day is the same). The answer is the same bytes for everyone,
// so it needs no request state, session lookup or compressing writer:
// only the headers every answer carries and its access line. Any commit,
// anywhere, sends the request down the normal path, where servePublic
// checks the community's own version and renders again only if that
// changed. Where the database cannot tell (PostgreSQL) this step does
// nothing.
func (s *Server) withCachedPages(next http.Handler) http.Handler {
	logger := s.logger.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := s.freshCopy(r)
		if e == nil {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		id := nextRequestID()
		h := w.Header()
		h["X-Request-Id"] = []string{id}
		setSecurityHeaders(h, r)
		varyOnEncoding(h)
		status, size := writeCached(w, r, e)
		ip := s.forwardedFor(r)
		if ip == "" {
			ip = peerIP(r)
		}
		logRequest(logger, r, id, ip, status, size, start)
	})
}

// freshCopy is the cached copy withCachedPages may answer r with, or nil.
func (s *Server) freshCopy(r *http.Request) *cachedPage {
	if s.pageVersion == nil || !cacheableRequest(r) {
		return nil
	}
	text, _, session := visitorCookies(r, s.Secure(r))
	if session != nil && *session != "" {
		return nil // perhaps logged in: withState finds out
	}
	e := s.cache.peek(cacheKey(r, text != nil && *text == "large"))
	if e == nil {
		return nil
	}
	f := e.fresh.Load()
	if f == nil || f.day != s.today() {
		return nil
	}
	if gen, ok := s.db.Generation(r.Context()); !ok || gen != f.gen {
		return nil
	}
	return e
}

// withNewCSRF gives a visitor without a CSRF cookie a token, and the
// cookie with it unless the answer is a static file. It runs after the
// page cache's first look (withCachedPages), so a shared copy never
// carries one visitor's Set-Cookie to the next.
func (s *Server) withNewCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := State(r)
		if st.newCSRF && st.csrf == "" {
			st.csrf = s.csrfToken(st.sessionToken)
			if !strings.HasPrefix(r.URL.Path, "/static/") {
				s.setCSRFCookie(w, r, st.csrf)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// today is the civil date in China, which public pages' deadlines use.
func (s *Server) today() int {
	y, m, d := s.now().In(mingbai.Shanghai).Date()
	return y*10000 + int(m)*100 + d
}

func (c *pageCache) put(key string, e *cachedPage) {
	n := len(e.plain) + len(e.gz)
	if n > maxCachedPage {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		c.size -= len(old.plain) + len(old.gz)
		delete(c.entries, key)
	}
	// When full, drop entries in map order, which is as good as random
	// and costs no bookkeeping on the read path.
	for k, old := range c.entries {
		if c.size+n <= c.max {
			break
		}
		c.size -= len(old.plain) + len(old.gz)
		delete(c.entries, k)
	}
	c.entries[key] = e
	c.size += n
}

// pageRecorder captures what a page handler writes, so it can be stored.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }
func (p *pageRecorder) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
func (p *pageRecorder) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return p.body.Write(b)
}

// servePublic answers an anonymous GET of a community's public page from
// the cache, or renders it with page, stores it and answers. Visitors who
// are logged in, requests that carry a one-off notice, and any answer
// other than 200 go straight to page.
func (s *Server) servePublic(w http.ResponseWriter, r *http.Request, page func(http.ResponseWriter, *http.Request) error) error {
	st := State(r)
	if s.pageVersion == nil || st.Community == nil || !cacheable(r, st) {
		return page(w, r)
	}
	// The generation is read before the version: a commit between the two
	// then leaves the copy marked older than it is, never newer.
	gen, genOK := s.db.Generation(r.Context())
	day := s.today()
	version, err := s.pageVersion(r.Context(), st.Community.ID)
	if err != nil {
		return page(w, r)
	}
	// A renamed community or street changes the page without a leaf.
	version += "/" + strconv.FormatInt(st.Community.UpdatedAt.UnixNano(), 36)
	if st.Street != nil {
		version += "/" + strconv.FormatInt(st.Street.UpdatedAt.UnixNano(), 36)
	}
	key := cacheKey(r, st.largeText)
	e := s.cache.get(key, version)
	if e == nil {
		rec := &pageRecorder{header: make(http.Header)}
		if err := page(rec, r); err != nil {
			return err
		}
		// The token check is a guard: a page that shows a form with the
		// visitor's CSRF token is theirs alone and must never be shared.
		if rec.status != http.StatusOK || rec.header.Get("Content-Encoding") != "" || bytes.Contains(rec.body.Bytes(), []byte(st.csrf)) {
			copyRecorded(w, rec)
			return nil
		}
		e = newCachedPage(version, rec)
		s.cache.put(key, e)
	}
	if genOK {
		e.fresh.Store(&freshness{gen: gen, day: day})
	}
	writeCached(w, r, e)
	return nil
}

// writeCached answers r with the stored page e, or 304 when the visitor
// holds it already, and reports the status and the body's size.
func writeCached(w http.ResponseWriter, r *http.Request, e *cachedPage) (status, size int) {
	h := w.Header()
	h["Content-Type"] = e.header.ctype
	h["Etag"] = e.header.etag
	// The answer depends on the text-size cookie, so shared caches must
	// not hand one visitor's copy to another.
	h["Cache-Control"] = privateNoCache
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			if strings.TrimSpace(t) == e.etag {
				w.WriteHeader(http.StatusNotModified)
				return http.StatusNotModified, 0
			}
		}
	}
	body := e.plain
	h["Content-Length"] = e.header.plainLen
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h["Content-Encoding"] = gzipEncoding
		h["Content-Length"] = e.header.gzLen
		body = e.gz
	}
	writeWhole(w, r, http.StatusOK, body)
	return http.StatusOK, len(body)
}

var (
	privateNoCache = []string{"private, no-cache"}
	gzipEncoding   = []string{"gzip"}
)

// Cached wraps a public page handler in servePublic.
func (s *Server) Cached(page func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { return s.servePublic(w, r, page) }
}

func newCachedPage(version string, rec *pageRecorder) *cachedPage {
	plain := bytes.Clone(rec.body.Bytes())
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(plain)
	zw.Close()
	sum := sha256.Sum256(plain)
	e := &cachedPage{
		version: version,
		etag:    `"` + hex.EncodeToString(sum[:12]) + `"`,
		plain:   plain,
		gz:      gz.Bytes(),
	}
	e.header.ctype = []string{rec.header.Get("Content-Type")}
	e.header.etag = []string{e.etag}
	e.header.plainLen = []string{strconv.Itoa(len(e.plain))}
	e.header.gzLen = []string{strconv.Itoa(len(e.gz))}
	return e
}

func copyRecorded(w http.ResponseWriter, rec *pageRecorder) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}
