package web_test

import (
	"encoding/xml"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

var (
	linkTag  = regexp.MustCompile(`<link\s[^>]*>`)
	linkAttr = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// atomLinks returns the href and title of every <link rel="alternate"
// type="application/atom+xml"> in a page's head, the way feed readers
// discover a site's feeds.
func atomLinks(page string) (hrefs, titles []string) {
	head, _, _ := strings.Cut(page, "</head>")
	for _, tag := range linkTag.FindAllString(head, -1) {
		attrs := map[string]string{}
		for _, m := range linkAttr.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if attrs["rel"] == "alternate" && attrs["type"] == "application/atom+xml" {
			hrefs = append(hrefs, attrs["href"])
			titles = append(titles, attrs["title"])
		}
	}
	return hrefs, titles
}

// TestBoardPagesLinkTheirFeeds: the community board, each section page and
// the search page announce their Atom feed in the head, and each announced
// feed answers 200 with an Atom document; a section page announces its
// section's feed first.
func TestBoardPagesLinkTheirFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client()
		const slug = "/c/suojin-4"
		pages := map[string]string{
			slug:                         slug + "/feed.atom",
			slug + "/party":              slug + "/feed/party",
			slug + "/government":         slug + "/feed/government",
			slug + "/affairs":            slug + "/feed/affairs",
			slug + "/finance":            slug + "/feed/finance",
			slug + "/search":             slug + "/feed.atom",
			slug + "/search?q=%E7%94%B5": slug + "/feed.atom",
		}
		for path, want := range pages {
			resp := c.get(path)
			page := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			hrefs, titles := atomLinks(page)
			if len(hrefs) == 0 || hrefs[0] != want {
				t.Errorf("%s links feeds %q, want %q first", path, hrefs, want)
				continue
			}
			for i, href := range hrefs {
				if titles[i] == "" {
					t.Errorf("%s: the feed link %s has no title", path, href)
				}
				fr := c.get(href)
				doc := body(t, fr)
				if fr.StatusCode != http.StatusOK || !strings.HasPrefix(fr.Header.Get("Content-Type"), "application/atom+xml") {
					t.Errorf("%s links %s, which answers %d %s", path, href, fr.StatusCode, fr.Header.Get("Content-Type"))
					continue
				}
				var feed struct {
					XMLName xml.Name
				}
				if err := xml.Unmarshal([]byte(doc), &feed); err != nil || feed.XMLName.Space != "http://www.w3.org/2005/Atom" || feed.XMLName.Local != "feed" {
					t.Errorf("%s links %s, which is not an Atom feed (%v, %v)", path, href, feed.XMLName, err)
				}
			}
		}
	})
}
