package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// childEnv marks the copy of this test binary that TestWithoutPostgres
// runs with a chosen environment.
const childEnv = "MINGBAI_STORETEST_CHILD"

// TestEachChild is the test TestWithoutPostgres runs in a child process;
// on its own it does nothing.
func TestEachChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestWithoutPostgres in a child process")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.CheckSchema(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Logf("ran on %s", db.Dialect)
	})
}

// TestWithoutPostgres: with MINGBAI_TEST_POSTGRES unset, Each runs on
// SQLite and skips PostgreSQL with a one-line reason, so a plain
// `go test ./...` passes on a fresh checkout; with CI or
// MINGBAI_TEST_REQUIRE set, the same run fails; "off" skips even in CI.
// Under -short PostgreSQL is skipped even when configured, with its own
// line, unless required; then it runs (when this test has a server).
func TestWithoutPostgres(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child process")
	}
	server := os.Getenv(storetest.PostgresEnv)
	if server == "off" {
		server = ""
	}
	for _, tt := range []struct {
		name     string
		short    bool
		server   bool // the case sets MINGBAI_TEST_POSTGRES to this test's server
		env      []string
		pass     bool
		wantText string
	}{
		{"unset", false, false, nil, true, "--- SKIP: TestEachChild/postgres"},
		{"unset in CI", false, false, []string{"CI=true"}, false, "--- FAIL: TestEachChild/postgres"},
		{"unset and required", false, false, []string{storetest.RequireEnv + "=1"}, false, "--- FAIL: TestEachChild/postgres"},
		{"off in CI", false, false, []string{"CI=true", storetest.PostgresEnv + "=off"}, true, "--- SKIP: TestEachChild/postgres"},
		{"set, -short", true, true, nil, true, "-short: PostgreSQL tests skipped, SQLite only"},
		{"unset, -short", true, false, nil, true, "-short: PostgreSQL tests skipped, SQLite only"},
		{"unset, -short, in CI", true, false, []string{"CI=true"}, false, "--- FAIL: TestEachChild/postgres"},
		{"set, -short, required", true, true, []string{storetest.RequireEnv + "=1"}, true, "ran on postgres"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.server && server == "" {
				t.Skip("needs " + storetest.PostgresEnv)
			}
			args := []string{"-test.run", "^TestEachChild$", "-test.v", "-test.count=1"}
			if tt.short {
				args = append(args, "-test.short")
			}
			cmd := exec.Command(os.Args[0], args...)
			env := []string{childEnv + "=1"}
			for _, kv := range os.Environ() {
				k, _, _ := strings.Cut(kv, "=")
				if k != "CI" && k != storetest.RequireEnv && k != storetest.PostgresEnv {
					env = append(env, kv)
				}
			}
			if tt.server {
				env = append(env, storetest.PostgresEnv+"="+server)
			}
			cmd.Env = append(env, tt.env...)
			out, err := cmd.CombinedOutput()
			if (err == nil) != tt.pass {
				t.Errorf("child passed = %v, want %v\n%s", err == nil, tt.pass, out)
			}
			if !strings.Contains(string(out), tt.wantText) || !strings.Contains(string(out), "--- PASS: TestEachChild/sqlite") {
				t.Errorf("child output lacks %q or SQLite's pass:\n%s", tt.wantText, out)
			}
		})
	}
}
