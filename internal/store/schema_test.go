package store_test

// The migrations are written twice, once per dialect, by hand. This test
// migrates a fresh database of each and compares what their catalogs say,
// so a migration added to one dialect and forgotten or mistyped in the
// other fails here, naming the table, the column or index and what each
// dialect has.

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// Accepted differences between the dialects, each with its reason. Keep
// this short: anything else that differs is drift to fix in a migration.
var (
	// Tables only one dialect has. SQLite's FTS5 shadow tables
	// (<name>_data, _idx, _content, _docsize, _config) go with their
	// virtual table and are not listed.
	schemaOnlySQLiteTables = map[string]string{
		"disclosure_fts": "full-text search: FTS5 index over disclosure_search; PostgreSQL uses the GIN index disclosure_search_tsv",
	}
	schemaOnlyPostgresTables = map[string]string{}

	// Columns only one dialect has, as table.column.
	schemaOnlySQLiteColumns = map[string]string{
		"disclosure_search.ctokens": "full-text search: community-prefixed tokens generated for FTS5 (0010); PostgreSQL scopes by disclosure_search_community",
	}
	schemaOnlyPostgresColumns = map[string]string{
		"disclosure_search.tsv": "full-text search: the tsvector the GIN index disclosure_search_tsv is built on",
	}

	// Primary key columns that SQLite lets be NULL (its old quirk: only an
	// INTEGER PRIMARY KEY or a column declared NOT NULL refuses NULL) while
	// PostgreSQL makes every key column NOT NULL.
	schemaNullableSQLiteKeys = map[string]string{
		"sessions.token_hash": "every INSERT sets it to a SHA-256 and lookups compare with =, which never matches NULL; making it NOT NULL on SQLite means rebuilding the table",
	}

	// Indexes only one dialect has, by name.
	schemaOnlySQLiteIndexes = map[string]string{
		"fin_periods_list": "covering index: SQLite keeps the large statement inline before the listed columns; PostgreSQL keeps it out of line (0008)",
	}
	schemaOnlyPostgresIndexes = map[string]string{
		"disclosure_search_tsv":       "full-text search: GIN index, the counterpart of SQLite's disclosure_fts",
		"disclosure_search_community": "full-text search: a community's search combines it with the GIN index; SQLite uses ctokens in disclosure_fts",
	}
)

// Trigger events ("table: before update") only one dialect has.
var (
	schemaOnlySQLiteTriggers = map[string]string{
		"disclosure_search: after insert": "full-text search: keeps disclosure_fts in step; PostgreSQL's tsv is a generated column",
		"disclosure_search: after delete": "full-text search: keeps disclosure_fts in step; PostgreSQL's tsv is a generated column",
		"disclosure_search: after update": "full-text search: keeps disclosure_fts in step; PostgreSQL's tsv is a generated column",
	}
	schemaOnlyPostgresTriggers = map[string]string{
		"tlog_leaves: before insert": "concurrent writers: numbers the leaf under an advisory lock; SQLite has one writer, so MAX(idx) + 1 in the INSERT is enough",
	}
)

// schemaTable is what both dialects must agree on for one table.
type schemaTable struct {
	columns map[string]schemaColumn
	// pk lists the primary key's columns in key order.
	pk []string
	// rowidKey is true on SQLite when the primary key is one INTEGER
	// column, an alias of the rowid that the database assigns when an
	// INSERT leaves it out.
	rowidKey bool
	// uniques holds the UNIQUE constraints, by column list.
	uniques map[string]bool
	// indexes holds the indexes made by CREATE INDEX, by name.
	indexes map[string]schemaIndex
	// fks holds the foreign keys as "col -> table(col) on delete action".
	fks map[string]bool
	// checks holds the CHECK constraints, normalised, sorted.
	checks []string
	// triggers holds the events a trigger fires on ("before update"), so
	// a table append-only on one dialect must be so on the other.
	triggers map[string]bool
}

func newSchemaTable() *schemaTable {
	return &schemaTable{columns: map[string]schemaColumn{}, uniques: map[string]bool{}, indexes: map[string]schemaIndex{}, fks: map[string]bool{}, triggers: map[string]bool{}}
}

type schemaColumn struct {
	family    string // integer, text, blob, real, boolean, timestamp, or the type as declared
	notNull   bool
	dflt      string // normalised; "" for none
	serial    bool   // PostgreSQL: the default is a sequence (BIGSERIAL)
	generated string // normalised generation expression, "" for a stored column
}

type schemaIndex struct {
	unique  bool
	method  string // btree unless said otherwise
	columns string // normalised, comma-separated
	where   string // normalised partial-index predicate
}

func (i schemaIndex) String() string {
	s := ""
	if i.unique {
		s = "UNIQUE "
	}
	if i.method != "btree" {
		s += "USING " + i.method + " "
	}
	s += "(" + i.columns + ")"
	if i.where != "" {
		s += " WHERE " + i.where
	}
	return s
}

func TestSchemaSameOnBothDialects(t *testing.T) {
	ctx := context.Background()
	lite := readSQLiteSchema(t, ctx, storetest.SQLite(t))
	pg := readPostgresSchema(t, ctx, storetest.PostgresFromEmpty(t))
	for _, d := range compareSchemas(lite, pg) {
		t.Error(d)
	}
	for _, d := range staleAllowances(lite, pg) {
		t.Error(d)
	}
}

// staleAllowances names each accepted difference that is no longer there,
// so the lists above shrink when a difference is fixed.
func staleAllowances(lite, pg map[string]*schemaTable) []string {
	var stale []string
	split := func(key, sep string) (string, string) {
		a, b, _ := strings.Cut(key, sep)
		return a, b
	}
	has := func(m map[string]*schemaTable, table string, f func(*schemaTable) bool) bool {
		return m[table] != nil && f(m[table])
	}
	check := func(what string, present bool, key string) {
		if !present {
			stale = append(stale, fmt.Sprintf("accepted difference %s %q is no longer there: remove it from the list", what, key))
		}
	}
	for k := range schemaOnlySQLiteTables {
		check("table", lite[k] != nil && pg[k] == nil, k)
	}
	for k := range schemaOnlyPostgresTables {
		check("table", pg[k] != nil && lite[k] == nil, k)
	}
	for k := range schemaOnlySQLiteColumns {
		tb, col := split(k, ".")
		check("column", has(lite, tb, func(t *schemaTable) bool { _, ok := t.columns[col]; return ok }) &&
			!has(pg, tb, func(t *schemaTable) bool { _, ok := t.columns[col]; return ok }), k)
	}
	for k := range schemaOnlyPostgresColumns {
		tb, col := split(k, ".")
		check("column", has(pg, tb, func(t *schemaTable) bool { _, ok := t.columns[col]; return ok }) &&
			!has(lite, tb, func(t *schemaTable) bool { _, ok := t.columns[col]; return ok }), k)
	}
	for k := range schemaNullableSQLiteKeys {
		tb, col := split(k, ".")
		check("nullable key", has(lite, tb, func(t *schemaTable) bool { c, ok := t.columns[col]; return ok && !c.notNull }), k)
	}
	anyIndex := func(m map[string]*schemaTable, name string) bool {
		for _, t := range m {
			if _, ok := t.indexes[name]; ok {
				return true
			}
		}
		return false
	}
	for k := range schemaOnlySQLiteIndexes {
		check("index", anyIndex(lite, k) && !anyIndex(pg, k), k)
	}
	for k := range schemaOnlyPostgresIndexes {
		check("index", anyIndex(pg, k) && !anyIndex(lite, k), k)
	}
	for k := range schemaOnlySQLiteTriggers {
		tb, ev := split(k, ": ")
		check("trigger", has(lite, tb, func(t *schemaTable) bool { return t.triggers[ev] }) &&
			!has(pg, tb, func(t *schemaTable) bool { return t.triggers[ev] }), k)
	}
	for k := range schemaOnlyPostgresTriggers {
		tb, ev := split(k, ": ")
		check("trigger", has(pg, tb, func(t *schemaTable) bool { return t.triggers[ev] }) &&
			!has(lite, tb, func(t *schemaTable) bool { return t.triggers[ev] }), k)
	}
	sort.Strings(stale)
	return stale
}

// TestSchemaCompareFindsDrift proves the comparison sees each kind of
// drift it claims to: it applies one change to SQLite alone and expects a
// message naming the table and what differs.
func TestSchemaCompareFindsDrift(t *testing.T) {
	ctx := context.Background()
	pg := readPostgresSchema(t, ctx, storetest.PostgresFromEmpty(t))
	tests := []struct {
		name, ddl, want string
	}{
		{"missing table", "CREATE TABLE drift_only (id INTEGER PRIMARY KEY)", "table drift_only: sqlite has it, postgres does not"},
		{"missing column", "ALTER TABLE fin_fees ADD COLUMN drift TEXT NOT NULL DEFAULT ''", "column fin_fees.drift: sqlite has text NOT NULL DEFAULT '', postgres does not"},
		{"column default", "ALTER TABLE qa_throttle ADD COLUMN weight INTEGER NOT NULL DEFAULT 1", "column qa_throttle.weight: sqlite has integer NOT NULL DEFAULT 1, postgres does not"},
		{"missing index", "CREATE INDEX drift_idx ON fin_fees(period)", "index fin_fees.drift_idx: sqlite has (period), postgres does not"},
		{"index columns", "DROP INDEX fin_fees_period; CREATE INDEX fin_fees_period ON fin_fees(period, community_id)", "index fin_fees.fin_fees_period: sqlite has (period,community_id), postgres has (community_id,period)"},
		{"partial predicate", "DROP INDEX qa_items_open_due; CREATE INDEX qa_items_open_due ON qa_items(reply_due) WHERE status IN ('received')", "index qa_items.qa_items_open_due: sqlite has (reply_due) WHERE statusin'received', postgres has (reply_due) WHERE statusin'received','studying','referred'"},
		{"append-only guard", "DROP TRIGGER disclosure_item_versions_no_update", "table disclosure_item_versions: trigger before update: postgres has one, sqlite does not"},
		{"unique index", "DROP INDEX fin_fees_period; CREATE UNIQUE INDEX fin_fees_period ON fin_fees(community_id, period)", "index fin_fees.fin_fees_period: sqlite has UNIQUE (community_id,period), postgres has (community_id,period)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.SQLite(t)
			err := db.Write(ctx, func(tx *store.Tx) error {
				for _, stmt := range strings.Split(tt.ddl, "; ") {
					if _, err := tx.Exec(ctx, stmt); err != nil {
						return fmt.Errorf("%s: %w", stmt, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			diffs := compareSchemas(readSQLiteSchema(t, ctx, db), pg)
			for _, d := range diffs {
				if d == tt.want {
					return
				}
			}
			t.Errorf("after %q: differences\n\t%s\nwant among them\n\t%s", tt.ddl, strings.Join(diffs, "\n\t"), tt.want)
		})
	}

	// Rebuilding a table changes nullability, defaults, types, unique
	// constraints, foreign keys and checks at once; each must be named.
	t.Run("rebuilt table", func(t *testing.T) {
		db := storetest.SQLite(t)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, stmt := range []string{
				"DROP TABLE mail_prefs",
				`CREATE TABLE mail_prefs (
					user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
					email BLOB,
					mode TEXT NOT NULL DEFAULT 'none' CHECK (mode IN ('none', 'daily')),
					last_digest_at TIMESTAMP,
					UNIQUE (email)
				)`,
			} {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		diffs := compareSchemas(readSQLiteSchema(t, ctx, db), pg)
		for _, want := range []string{
			"column mail_prefs.email: sqlite has blob, postgres has text NOT NULL",
			"column mail_prefs.mode: sqlite has text NOT NULL DEFAULT 'none', postgres has text NOT NULL",
			"table mail_prefs: unique constraint (email): sqlite has it, postgres does not",
			"table mail_prefs: foreign key user_id -> users(id) on delete cascade: sqlite has it, postgres does not",
			"table mail_prefs: foreign key user_id -> users(id) on delete no action: postgres has it, sqlite does not",
			"table mail_prefs: check modein'none','daily': sqlite has it, postgres does not",
			"table mail_prefs: check modein'none','instant','daily': postgres has it, sqlite does not",
		} {
			found := false
			for _, d := range diffs {
				found = found || d == want
			}
			if !found {
				t.Errorf("differences\n\t%s\nwant among them\n\t%s", strings.Join(diffs, "\n\t"), want)
			}
		}
	})
}

// compareSchemas lists every difference between the two schemas that the
// allow-lists above do not accept, one message per difference.
func compareSchemas(lite, pg map[string]*schemaTable) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, name := range sortedKeys(lite, pg) {
		l, p := lite[name], pg[name]
		switch {
		case p == nil:
			if schemaOnlySQLiteTables[name] == "" {
				add("table %s: sqlite has it, postgres does not", name)
			}
			continue
		case l == nil:
			if schemaOnlyPostgresTables[name] == "" {
				add("table %s: postgres has it, sqlite does not", name)
			}
			continue
		}

		for _, col := range sortedKeys(l.columns, p.columns) {
			lc, lok := l.columns[col]
			pc, pok := p.columns[col]
			key := name + "." + col
			switch {
			case !pok:
				if schemaOnlySQLiteColumns[key] == "" {
					add("column %s: sqlite has %s, postgres does not", key, lc)
				}
			case !lok:
				if schemaOnlyPostgresColumns[key] == "" {
					add("column %s: postgres has %s, sqlite does not", key, pc)
				}
			default:
				// A single INTEGER primary key on SQLite is the rowid: never
				// NULL, assigned when left out. On PostgreSQL a BIGSERIAL
				// is that; a plain BIGINT key (a leaf index, a district's
				// settings row) is given by the application on both.
				if l.rowidKey && len(l.pk) == 1 && l.pk[0] == col {
					lc.notNull = true
					lc.serial = pc.serial
				}
				if pc.serial && !(l.rowidKey && len(l.pk) == 1 && l.pk[0] == col) {
					add("column %s: postgres assigns it from a sequence, sqlite does not (declare it INTEGER PRIMARY KEY)", key)
				}
				if schemaNullableSQLiteKeys[key] != "" && !lc.notNull && pc.notNull {
					lc.notNull = true
				}
				if lc != pc {
					add("column %s: sqlite has %s, postgres has %s", key, lc, pc)
				}
			}
		}

		if strings.Join(l.pk, ",") != strings.Join(p.pk, ",") {
			add("table %s: primary key: sqlite has (%s), postgres has (%s)", name, strings.Join(l.pk, ","), strings.Join(p.pk, ","))
		}
		for _, u := range sortedKeys(l.uniques, p.uniques) {
			if !p.uniques[u] {
				add("table %s: unique constraint (%s): sqlite has it, postgres does not", name, u)
			}
			if !l.uniques[u] {
				add("table %s: unique constraint (%s): postgres has it, sqlite does not", name, u)
			}
		}
		for _, ix := range sortedKeys(l.indexes, p.indexes) {
			li, lok := l.indexes[ix]
			pi, pok := p.indexes[ix]
			switch {
			case !pok:
				if schemaOnlySQLiteIndexes[ix] == "" {
					add("index %s.%s: sqlite has %s, postgres does not", name, ix, li)
				}
			case !lok:
				if schemaOnlyPostgresIndexes[ix] == "" {
					add("index %s.%s: postgres has %s, sqlite does not", name, ix, pi)
				}
			case li != pi:
				add("index %s.%s: sqlite has %s, postgres has %s", name, ix, li, pi)
			}
		}
		for _, fk := range sortedKeys(l.fks, p.fks) {
			if !p.fks[fk] {
				add("table %s: foreign key %s: sqlite has it, postgres does not", name, fk)
			}
			if !l.fks[fk] {
				add("table %s: foreign key %s: postgres has it, sqlite does not", name, fk)
			}
		}
		for _, ev := range sortedKeys(l.triggers, p.triggers) {
			key := name + ": " + ev
			switch {
			case !p.triggers[ev] && schemaOnlySQLiteTriggers[key] == "":
				add("table %s: trigger %s: sqlite has one, postgres does not", name, ev)
			case !l.triggers[ev] && schemaOnlyPostgresTriggers[key] == "":
				add("table %s: trigger %s: postgres has one, sqlite does not", name, ev)
			}
		}
		lchecks, pchecks := countSet(l.checks), countSet(p.checks)
		for _, c := range sortedKeys(lchecks, pchecks) {
			switch {
			case lchecks[c] > pchecks[c]:
				add("table %s: check %s: sqlite has it, postgres does not", name, c)
			case lchecks[c] < pchecks[c]:
				add("table %s: check %s: postgres has it, sqlite does not", name, c)
			}
		}
	}
	return diffs
}

func (c schemaColumn) String() string {
	s := c.family
	if c.generated != "" {
		s += " GENERATED AS " + c.generated
	}
	if c.notNull {
		s += " NOT NULL"
	}
	if c.dflt != "" {
		s += " DEFAULT " + c.dflt
	}
	if c.serial {
		s += " (sequence)"
	}
	return s
}

// readSQLiteSchema reads the schema from sqlite_master and the pragma
// table functions.
func readSQLiteSchema(t *testing.T, ctx context.Context, db *store.DB) map[string]*schemaTable {
	t.Helper()
	tables := map[string]*schemaTable{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		type master struct{ name, sql string }
		var all []master
		rows, err := tx.Query(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
		if err != nil {
			return fmt.Errorf("list tables: %w", err)
		}
		for rows.Next() {
			var m master
			if err := rows.Scan(&m.name, &m.sql); err != nil {
				rows.Close()
				return err
			}
			all = append(all, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// An FTS5 virtual table stands for itself and its shadow tables.
		shadow := map[string]bool{}
		for _, m := range all {
			if strings.HasPrefix(strings.ToUpper(m.sql), "CREATE VIRTUAL TABLE") {
				for _, s := range []string{"_data", "_idx", "_content", "_docsize", "_config"} {
					shadow[m.name+s] = true
				}
			}
		}
		for _, m := range all {
			if shadow[m.name] {
				continue
			}
			tb := newSchemaTable()
			tables[m.name] = tb
			if strings.HasPrefix(strings.ToUpper(m.sql), "CREATE VIRTUAL TABLE") {
				continue
			}
			if err := readSQLiteTable(ctx, tx, m.name, m.sql, tb); err != nil {
				return fmt.Errorf("table %s: %w", m.name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func readSQLiteTable(ctx context.Context, tx *store.Tx, name, createSQL string, tb *schemaTable) error {
	rows, err := tx.Query(ctx, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, name)
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	pk := map[int]string{}
	for rows.Next() {
		var col, typ string
		var notNull, pkPos, hidden int
		var dflt *string
		if err := rows.Scan(&col, &typ, &notNull, &dflt, &pkPos, &hidden); err != nil {
			rows.Close()
			return err
		}
		c := schemaColumn{family: typeFamily(typ), notNull: notNull == 1}
		if dflt != nil {
			c.dflt = normaliseExpr(*dflt)
		}
		if hidden == 2 || hidden == 3 {
			c.generated = normaliseExpr(sqliteGeneratedExpr(createSQL, col))
		}
		tb.columns[col] = c
		if pkPos > 0 {
			pk[pkPos] = col
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 1; i <= len(pk); i++ {
		tb.pk = append(tb.pk, pk[i])
	}
	tb.rowidKey = len(tb.pk) == 1 && strings.EqualFold(strings.TrimSpace(columnType(tx, ctx, name, tb.pk[0])), "INTEGER")

	// Indexes: 'c' made by CREATE INDEX, 'u' by a UNIQUE constraint,
	// 'pk' by a primary key that is not the rowid.
	type ixRow struct {
		name, origin string
		unique       bool
	}
	var ixs []ixRow
	rows, err = tx.Query(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, name)
	if err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	for rows.Next() {
		var r ixRow
		if err := rows.Scan(&r.name, &r.unique, &r.origin); err != nil {
			rows.Close()
			return err
		}
		ixs = append(ixs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range ixs {
		switch r.origin {
		case "pk":
		case "u":
			cols, err := sqliteIndexColumns(ctx, tx, r.name)
			if err != nil {
				return err
			}
			tb.uniques[cols] = true
		default:
			var ddl string
			if err := tx.QueryRow(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", r.name).Scan(&ddl); err != nil {
				return fmt.Errorf("index %s: %w", r.name, err)
			}
			cols, where := splitCreateIndex(ddl)
			tb.indexes[r.name] = schemaIndex{unique: r.unique, method: "btree", columns: normaliseList(cols), where: normaliseExpr(where)}
		}
	}

	rows, err = tx.Query(ctx, `SELECT "from", "table", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list(?)`, name)
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	for rows.Next() {
		var from, table, to, onDelete string
		if err := rows.Scan(&from, &table, &to, &onDelete); err != nil {
			rows.Close()
			return err
		}
		tb.fks[fmt.Sprintf("%s -> %s(%s) on delete %s", from, table, to, strings.ToLower(onDelete))] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", name)
	if err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	for rows.Next() {
		var ddl string
		if err := rows.Scan(&ddl); err != nil {
			rows.Close()
			return err
		}
		m := sqliteTriggerEvent.FindStringSubmatch(ddl)
		if m == nil {
			rows.Close()
			return fmt.Errorf("trigger without a timing and event: %s", ddl)
		}
		tb.triggers[strings.ToLower(m[1]+" "+m[2])] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range sqliteChecks(createSQL) {
		tb.checks = append(tb.checks, normaliseExpr(c))
	}
	sort.Strings(tb.checks)
	return nil
}

var sqliteTriggerEvent = regexp.MustCompile(`(?i)\b(BEFORE|AFTER|INSTEAD\s+OF)\s+(INSERT|UPDATE|DELETE)\b`)

func columnType(tx *store.Tx, ctx context.Context, table, col string) string {
	var typ string
	tx.QueryRow(ctx, "SELECT type FROM pragma_table_info(?) WHERE name = ?", table, col).Scan(&typ)
	return typ
}

func sqliteIndexColumns(ctx context.Context, tx *store.Tx, index string) (string, error) {
	rows, err := tx.Query(ctx, "SELECT COALESCE(name, '') FROM pragma_index_info(?) ORDER BY seqno", index)
	if err != nil {
		return "", fmt.Errorf("index %s columns: %w", index, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		cols = append(cols, c)
	}
	return strings.Join(cols, ","), rows.Err()
}

// splitCreateIndex returns the column list and the WHERE clause of a
// CREATE INDEX statement.
func splitCreateIndex(ddl string) (cols, where string) {
	open := strings.Index(ddl, "(")
	end := matchParen(ddl, open)
	cols = ddl[open+1 : end]
	rest := strings.TrimSpace(ddl[end+1:])
	if len(rest) >= 5 && strings.EqualFold(rest[:5], "WHERE") {
		where = strings.TrimSpace(rest[5:])
	}
	return cols, where
}

// sqliteGeneratedExpr finds the generation expression of col in a CREATE
// TABLE statement (as ALTER TABLE ADD COLUMN left it).
func sqliteGeneratedExpr(createSQL, col string) string {
	re := regexp.MustCompile(`(?is)\b` + regexp.QuoteMeta(col) + `\s+\w+\s+GENERATED\s+ALWAYS\s+AS\s*\(`)
	loc := re.FindStringIndex(createSQL)
	if loc == nil {
		return "?"
	}
	open := loc[1] - 1
	return createSQL[open+1 : matchParen(createSQL, open)]
}

// sqliteChecks returns the expressions of the CHECK constraints of a
// CREATE TABLE statement, skipping comments and quoted text.
func sqliteChecks(createSQL string) []string {
	var checks []string
	s := createSQL
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			i = skipQuoted(s, i)
		case strings.HasPrefix(s[i:], "--"):
			if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(s)
			}
		case len(s)-i > 5 && strings.EqualFold(s[i:i+5], "CHECK") && (i == 0 || !isWordByte(s[i-1])) && !isWordByte(s[i+5]):
			open := strings.IndexByte(s[i:], '(') + i
			end := matchParen(s, open)
			checks = append(checks, s[open+1:end])
			i = end
		}
	}
	return checks
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func skipQuoted(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

// matchParen returns the index of the parenthesis closing the one at open.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'':
			i = skipQuoted(s, i)
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// readPostgresSchema reads the schema of the current schema (public) from
// pg_catalog.
func readPostgresSchema(t *testing.T, ctx context.Context, db *store.DB) map[string]*schemaTable {
	t.Helper()
	tables := map[string]*schemaTable{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
				COALESCE(pg_get_expr(d.adbin, d.adrelid), ''), a.attgenerated <> ''
			FROM pg_class c
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
			WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
			ORDER BY c.relname, a.attnum`)
		if err != nil {
			return fmt.Errorf("columns: %w", err)
		}
		for rows.Next() {
			var table, col, typ, dflt string
			var notNull, generated bool
			if err := rows.Scan(&table, &col, &typ, &notNull, &dflt, &generated); err != nil {
				rows.Close()
				return err
			}
			tb := tables[table]
			if tb == nil {
				tb = newSchemaTable()
				tables[table] = tb
			}
			c := schemaColumn{family: typeFamily(typ), notNull: notNull}
			switch {
			case generated:
				c.generated = normaliseExpr(dflt)
			case strings.HasPrefix(dflt, "nextval("):
				c.serial = true
			default:
				c.dflt = normaliseExpr(dflt)
			}
			tb.columns[col] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// Constraints: primary keys, unique constraints, foreign keys and
		// checks, with their columns in key order.
		rows, err = tx.Query(ctx, `SELECT c.relname, k.contype,
				COALESCE((SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
					JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num), ''),
				COALESCE(f.relname, ''),
				COALESCE((SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
					JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num), ''),
				k.confdeltype, pg_get_constraintdef(k.oid)
			FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid
			LEFT JOIN pg_class f ON f.oid = k.confrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'`)
		if err != nil {
			return fmt.Errorf("constraints: %w", err)
		}
		for rows.Next() {
			var table, kind, cols, ftable, fcols, delType, def string
			if err := rows.Scan(&table, &kind, &cols, &ftable, &fcols, &delType, &def); err != nil {
				rows.Close()
				return err
			}
			tb := tables[table]
			switch kind {
			case "p":
				tb.pk = strings.Split(cols, ",")
			case "u":
				tb.uniques[cols] = true
			case "f":
				actions := map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
				tb.fks[fmt.Sprintf("%s -> %s(%s) on delete %s", cols, ftable, fcols, actions[delType])] = true
			case "c":
				expr := strings.TrimSpace(strings.TrimPrefix(def, "CHECK"))
				tb.checks = append(tb.checks, normaliseExpr(expr))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// Indexes not made for a constraint.
		rows, err = tx.Query(ctx, `SELECT c.relname, i.relname, x.indisunique, am.amname,
				(SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ', ' ORDER BY k) FROM generate_series(1, x.indnkeyatts) k),
				COALESCE(pg_get_expr(x.indpred, x.indrelid, true), '')
			FROM pg_index x
			JOIN pg_class c ON c.oid = x.indrelid
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_am am ON am.oid = i.relam
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
				AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`)
		if err != nil {
			return fmt.Errorf("indexes: %w", err)
		}
		for rows.Next() {
			var table, name, method, cols, where string
			var unique bool
			if err := rows.Scan(&table, &name, &unique, &method, &cols, &where); err != nil {
				rows.Close()
				return err
			}
			tables[table].indexes[name] = schemaIndex{unique: unique, method: method, columns: normaliseList(cols), where: normaliseExpr(where)}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Triggers, one event each: tgtype bit 2 is BEFORE, 4 INSERT,
		// 8 DELETE, 16 UPDATE (pg_trigger.h).
		rows, err = tx.Query(ctx, `SELECT c.relname, t.tgtype::int
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`)
		if err != nil {
			return fmt.Errorf("triggers: %w", err)
		}
		for rows.Next() {
			var table string
			var typ int
			if err := rows.Scan(&table, &typ); err != nil {
				rows.Close()
				return err
			}
			timing := "after"
			if typ&2 != 0 {
				timing = "before"
			}
			for bit, ev := range map[int]string{4: "insert", 8: "delete", 16: "update"} {
				if typ&bit != 0 {
					tables[table].triggers[timing+" "+ev] = true
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, tb := range tables {
			sort.Strings(tb.checks)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// typeFamily maps a declared type to what the application can rely on:
// the width of an integer or the time zone handling of a timestamp are
// the dialect's business.
func typeFamily(typ string) string {
	t := strings.ToLower(strings.TrimSpace(typ))
	switch {
	case t == "integer" || t == "int" || t == "bigint" || t == "smallint" || t == "bigserial" || t == "serial":
		return "integer"
	case t == "text" || strings.HasPrefix(t, "varchar") || strings.HasPrefix(t, "character varying"):
		return "text"
	case t == "blob" || t == "bytea":
		return "blob"
	case t == "real" || t == "double precision" || t == "float":
		return "real"
	case t == "boolean" || t == "bool":
		return "boolean"
	case strings.HasPrefix(t, "timestamp"):
		return "timestamp"
	}
	return t
}

var (
	pgCast     = regexp.MustCompile(`::[a-z_]+( [a-z_]+)*(\[\])?`)
	pgAnyArray = regexp.MustCompile(`= any \(array\[(.*?)\]\)`)
	spaces     = regexp.MustCompile(`[\s()]+`)
)

// normaliseExpr reduces an SQL expression to a form both dialects print
// alike: lower case, identifiers unquoted, casts dropped, "= ANY (ARRAY[…])" read as "IN (…)",
// without blanks and parentheses.
func normaliseExpr(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, `"`, "")
	s = pgCast.ReplaceAllString(s, "")
	s = pgAnyArray.ReplaceAllString(s, " in ($1)")
	return spaces.ReplaceAllString(s, "")
}

// normaliseList normalises each expression of a comma-separated list.
func normaliseList(s string) string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, normaliseExpr(s[start:i]))
				start = i + 1
			}
		}
	}
	parts = append(parts, normaliseExpr(s[start:]))
	return strings.Join(parts, ",")
}

func sortedKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func countSet(xs []string) map[string]int {
	m := map[string]int{}
	for _, x := range xs {
		m[x]++
	}
	return m
}
