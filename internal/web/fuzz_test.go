package web

import (
	"net/http/httptest"
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
		id, err := PathID(r, "id")
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
