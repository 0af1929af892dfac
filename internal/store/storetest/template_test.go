package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"mingbai/internal/store"
)

// TestTemplateConcurrentMakers: several makers at once, each on its own
// connections as the test binaries of several packages are, all succeed
// (one makes the template, the others wait on the advisory lock and find
// it), and clones of it are each a database of their own at the current
// schema.
func TestTemplateConcurrentMakers(t *testing.T) {
	base := postgresBase(t)
	var b [6]byte
	rand.Read(b[:])
	name := "mbtmpltest_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	ctx := context.Background()
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = makeTemplate(ctx, base, name) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("maker %d: %v", i, err)
		}
	}
	dbs := make([]*store.DB, 3)
	for i := range dbs {
		dbs[i] = open(t, createDatabase(t, base, name))
	}
	for i, db := range dbs {
		if err := db.CheckSchema(ctx); err != nil {
			t.Errorf("clone %d: %v", i, err)
		}
	}
	// Each clone is a database of its own.
	if err := dbs[0].Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM schema_migrations")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := dbs[1].CheckSchema(ctx); err != nil {
		t.Errorf("a change to one clone reached another: %v", err)
	}
}

// TestCloneEqualsMigrated: a database cloned from the template has the
// tables, columns and rows (those the migrations insert) of one migrated
// from empty.
func TestCloneEqualsMigrated(t *testing.T) {
	clone, migrated := Postgres(t), PostgresFromEmpty(t)
	cs, ms := describe(t, clone), describe(t, migrated)
	if len(cs) == 0 {
		t.Fatal("the clone has no tables")
	}
	for k, v := range ms {
		if cs[k] != v {
			t.Errorf("%s: clone %q, migrated from empty %q", k, cs[k], v)
		}
	}
	for k := range cs {
		if _, ok := ms[k]; !ok {
			t.Errorf("%s: in the clone only", k)
		}
	}
}

// describe maps each public table to its columns and row count, and each
// other schema object to its kind, leaving out when migrations were
// applied.
func describe(t *testing.T, db *store.DB) map[string]string {
	ctx := context.Background()
	out := map[string]string{}
	rows, err := db.Query(ctx, `SELECT c.table_name, string_agg(c.column_name || ' ' || c.data_type, ', ' ORDER BY c.ordinal_position)
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' GROUP BY c.table_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var table, cols string
		if err := rows.Scan(&table, &cols); err != nil {
			t.Fatal(err)
		}
		out["table "+table] = cols
		tables = append(tables, table)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if table != "schema_migrations" {
			out["rows "+table] = fmt.Sprint(n)
		}
	}
	objs, err := db.Query(ctx, `SELECT c.relkind::text, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' UNION ALL SELECT 'function', proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
		UNION ALL SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal`)
	if err != nil {
		t.Fatal(err)
	}
	defer objs.Close()
	for objs.Next() {
		var kind, name string
		if err := objs.Scan(&kind, &name); err != nil {
			t.Fatal(err)
		}
		out["object "+name] = kind
	}
	if err := objs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
