package finance

import (
	"testing"

	"mingbai"
)

// FuzzCount: a count typed in a form is refused with EINVALID or is
// between 0 and 10⁹.
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
