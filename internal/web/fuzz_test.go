package web

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"mingbai"
)

// Fuzz targets for the numbers the web layer reads from paths, queries and
// forms.

func FuzzPathID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+7", "007", "9223372036854775807", "9223372036854775808", "1e3", "0x10", "١٢", "", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("id", v)
		id, err := pathID(r, "id")
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.ENOTFOUND {
				t.Fatalf("pathID(%q): %v is not ENOTFOUND", v, err)
			}
			return
		}
		// A record has one URL: only the plain decimal of a positive id.
		if id <= 0 || strconv.FormatInt(id, 10) != v {
			t.Fatalf("pathID(%q) = %d", v, id)
		}
	})
}

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

func FuzzCount(f *testing.F) {
	for _, s := range []string{"3", " 12 ", "0", "-1", "1000000000", "1000000001", "1e9", "+5", "３", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := count("quantity", v)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("count(%q): %v is not EINVALID", v, err)
			}
			return
		}
		if n < 0 || n > 1e9 {
			t.Fatalf("count(%q) = %d", v, n)
		}
	})
}
