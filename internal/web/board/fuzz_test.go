package board

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzQueryPage: any ?page= reads as a page from 1 to 100000.
func FuzzQueryPage(f *testing.F) {
	for _, s := range []string{"1", "2", "0", "-5", "100000", "100001", "99999999999999999999", "a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/?page="+url.QueryEscape(v), nil)
		if p := queryPage(r); p < 1 || p > 100000 {
			t.Fatalf("queryPage(%q) = %d", v, p)
		}
	})
}
