package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	enc, err := hashPassword("correct horse", TestHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoded = %q", enc)
	}
	again, _ := hashPassword("correct horse", TestHashParams)
	if again == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tc := range []struct {
		password  string
		params    HashParams
		ok, stale bool
	}{
		{"correct horse", TestHashParams, true, false},
		{"correct horsE", TestHashParams, false, false},
		{"correct horse", DefaultHashParams, true, true},
	} {
		ok, stale, err := checkPassword(enc, tc.password, tc.params)
		if err != nil || ok != tc.ok || stale != tc.stale {
			t.Errorf("check %q: ok=%v stale=%v err=%v", tc.password, ok, stale, err)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, _, err := checkPassword(bad, "x", TestHashParams); err == nil {
			t.Errorf("checkPassword accepted %q", bad)
		}
	}
}

// BenchmarkHashPassword measures one hash with the production parameters;
// a login should cost 30–60 ms of one server.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("correct horse battery", DefaultHashParams); err != nil {
			b.Fatal(err)
		}
	}
}
