package board

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"rsc.io/qr"
)

// TestQRSVGRuns: qrSVG draws each horizontal run of dark modules as one
// segment; read back, the segments cover exactly the dark modules of the
// code qr.Encode makes (same count, same places, none twice), so the
// picture is still the same QR code, in fewer bytes.
func TestQRSVGRuns(t *testing.T) {
	seg := regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	for _, text := range []string{
		"https://gongkai.example/c/suojin-4/d/12/v/3",
		"https://gongkai.example/log/checkpoint#size=1901&root=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"A",
	} {
		svg, err := qrSVG(text, "扫码")
		if err != nil {
			t.Fatal(err)
		}
		code, err := qr.Encode(text, qr.M)
		if err != nil {
			t.Fatal(err)
		}
		_, d, _ := strings.Cut(string(svg), `<path fill="#000" d="`)
		d, _, _ = strings.Cut(d, `"`)
		covered := map[[2]int]bool{}
		segments := 0
		for d != "" {
			m := seg.FindStringSubmatch(d)
			if m == nil {
				t.Fatalf("%s: unreadable path at %.40q", text, d)
			}
			var x, y, w, back int
			fmt.Sscan(m[1]+" "+m[2]+" "+m[3]+" "+m[4], &x, &y, &w, &back)
			if w != back || w < 1 {
				t.Fatalf("%s: segment %q does not close its rectangle", text, m[0])
			}
			for i := range w {
				p := [2]int{x + i - 4, y - 4}
				if covered[p] {
					t.Fatalf("%s: module %v drawn twice", text, p)
				}
				covered[p] = true
			}
			segments++
			d = d[len(m[0]):]
		}
		dark := 0
		for y := range code.Size {
			for x := range code.Size {
				if code.Black(x, y) {
					dark++
					if !covered[[2]int{x, y}] {
						t.Errorf("%s: dark module (%d, %d) not drawn", text, x, y)
					}
				}
			}
		}
		if len(covered) != dark {
			t.Errorf("%s: %d modules drawn, qr.Encode has %d dark", text, len(covered), dark)
		}
		if segments >= dark {
			t.Errorf("%s: %d segments for %d dark modules: runs not merged", text, segments, dark)
		}
		t.Logf("%s: %d dark modules in %d segments, %d bytes", text, dark, segments, len(svg))
	}
}
