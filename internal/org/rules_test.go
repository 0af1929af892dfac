package org

import "testing"

func TestCleanPhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"025-85401234", "025-85401234"},
		{"02585401234", "025-85401234"},
		{" 025 8540 1234 ", "025-85401234"},
		{"010-62345678", "010-62345678"},
		{"0571-8888888", "0571-8888888"},
		{"057188888888", "0571-88888888"},
		{"025-85401234-801", "025-85401234-801"},
		{"02585401234-801", "025-85401234-801"},
		{"13812345678", "13812345678"},
		{"199 1234 5678", "19912345678"},
	} {
		got, err := cleanPhone(c.in, true)
		if err != nil || got != c.want {
			t.Errorf("cleanPhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"85401234",        // no area code
		"025-8540123",     // 7 digits after a 3-digit area code
		"025-854012345",   // 9 digits
		"0518-123456",     // 6 digits
		"0518-1234567",    // local numbers never start with 1
		"025-05401234",    // nor with 0
		"12812345678",     // no mobile prefix 12
		"1381234567",      // 10 digits
		"+86 13812345678", // country code
		"025-85401234-",   // empty extension
		"025-85401234-1234567",
		"025-8540-1234", // the local number is not split
		"025—85401234",  // a dash that is not a hyphen
	} {
		if got, err := cleanPhone(in, false); err == nil {
			t.Errorf("cleanPhone(%q) = %q, want an error", in, got)
		}
	}
	if got, err := cleanPhone("", false); got != "" || err != nil {
		t.Errorf("optional empty phone = %q, %v", got, err)
	}
}

func TestCleanGBCode(t *testing.T) {
	for _, in := range []string{"320102", "110101", "419001", "469005", " 320104 "} {
		if _, err := cleanGBCode(in); err != nil {
			t.Errorf("cleanGBCode(%q): %v", in, err)
		}
	}
	for _, in := range []string{"320100", "320000", "320002", "000102", "100102", "3201020", "32 102"} {
		if _, err := cleanGBCode(in); err == nil {
			t.Errorf("cleanGBCode(%q) accepted", in)
		}
	}
}
