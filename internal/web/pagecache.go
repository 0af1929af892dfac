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
	ctype   string
	etag    string
	plain   []byte
	gz      []byte
}

// maxCachedPage keeps a single enormous page (a search with thousands of
// hits) from pushing the board pages out.
const maxCachedPage = 512 << 10

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: make(map[string]*cachedPage), max: maxBytes}
}

func (c *pageCache) get(key, version string) *cachedPage {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || e.version != version {
		return nil
	}
	return e
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
	st := state(r)
	if s.disclosure == nil || st.actor != nil || st.community == nil || r.Method != http.MethodGet || r.URL.Query().Has("done") || len(r.URL.RawQuery) > 256 {
		return page(w, r)
	}
	version, err := s.disclosure.PageVersion(r.Context(), st.community.ID)
	if err != nil {
		return page(w, r)
	}
	// A renamed community or street changes the page without a leaf.
	version += "/" + strconv.FormatInt(st.community.UpdatedAt.UnixNano(), 36)
	if st.street != nil {
		version += "/" + strconv.FormatInt(st.street.UpdatedAt.UnixNano(), 36)
	}
	key := r.URL.Path + "?" + r.URL.RawQuery
	if st.largeText {
		key += "|large"
	}
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
	h := w.Header()
	h.Set("Content-Type", e.ctype)
	h.Set("ETag", e.etag)
	// The answer depends on the text-size cookie, so shared caches must
	// not hand one visitor's copy to another.
	h.Set("Cache-Control", "private, no-cache")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(t) == e.etag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	body := e.plain
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = e.gz
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// cached wraps a public page handler in servePublic.
func (s *Server) cached(page func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { return s.servePublic(w, r, page) }
}

func newCachedPage(version string, rec *pageRecorder) *cachedPage {
	plain := bytes.Clone(rec.body.Bytes())
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(plain)
	zw.Close()
	sum := sha256.Sum256(plain)
	return &cachedPage{
		version: version,
		ctype:   rec.header.Get("Content-Type"),
		etag:    `"` + hex.EncodeToString(sum[:12]) + `"`,
		plain:   plain,
		gz:      gz.Bytes(),
	}
}

func copyRecorded(w http.ResponseWriter, rec *pageRecorder) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}
