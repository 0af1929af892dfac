package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ?", "SELECT '?' , $1"},
		{"INSERT INTO t (a) VALUES (?) RETURNING id", "INSERT INTO t (a) VALUES ($1) RETURNING id"},
	}
	for _, tt := range tests {
		if got := store.Postgres.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := store.SQLite.Rebind(tt.in); got != tt.in {
			t.Errorf("SQLite Rebind changed %q", tt.in)
		}
	}
}

func TestStore(t *testing.T) {
	storetest.EachFromEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("migrate is idempotent", func(t *testing.T) {
			done, err := db.Migrate(ctx)
			if err != nil || len(done) != 0 {
				t.Fatalf("second Migrate = %v, %v; want nothing applied", done, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("time round trip and RETURNING", func(t *testing.T) {
			at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
			var id int64
			err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				id, err = tx.InsertID(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
					"district", "玄武区", "xuanwu-rt", at, at)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got time.Time
			var archived *time.Time
			if err := db.QueryRow(ctx, "SELECT created_at, archived_at FROM org_units WHERE id = ?", id).Scan(&got, &archived); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(at) || archived != nil {
				t.Fatalf("got %v, %v; want %v, nil", got, archived, at)
			}
		})

		t.Run("failed write leaves nothing", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Write(ctx, func(tx *store.Tx) error {
				now := time.Now()
				if _, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', 'x', 'half-written', ?, ?)`, now, now); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want boom", err)
			}
			var n int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units WHERE slug = 'half-written'").Scan(&n); err != nil || n != 0 {
				t.Fatalf("count = %d, %v; want 0", n, err)
			}
		})

		t.Run("unique violation is recognised", func(t *testing.T) {
			ins := func() error {
				return db.Write(ctx, func(tx *store.Tx) error {
					now := time.Now()
					_, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', 'x', 'dup', ?, ?)`, now, now)
					return err
				})
			}
			if err := ins(); err != nil {
				t.Fatal(err)
			}
			if err := ins(); !store.IsUniqueViolation(err) {
				t.Fatalf("second insert err = %v, want a unique violation", err)
			}
		})

		t.Run("savepoint failure rolls back only its part", func(t *testing.T) {
			err := db.Write(ctx, func(tx *store.Tx) error {
				now := time.Now()
				if _, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', 'a', 'sp-kept', ?, ?)`, now, now); err != nil {
					return err
				}
				err := tx.Savepoint(ctx, "part", func() error {
					if _, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', 'b', 'sp-dropped', ?, ?)`, now, now); err != nil {
						return err
					}
					return errors.New("this part fails")
				})
				if err == nil {
					t.Error("savepoint error lost")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var kept, dropped int
			db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units WHERE slug = 'sp-kept'").Scan(&kept)
			db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units WHERE slug = 'sp-dropped'").Scan(&dropped)
			if kept != 1 || dropped != 0 {
				t.Fatalf("kept=%d dropped=%d, want 1 and 0", kept, dropped)
			}
		})

		t.Run("concurrent writers all commit", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for i := range 40 {
				wg.Go(func() {
					errs <- db.Write(ctx, func(tx *store.Tx) error {
						var n int
						if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM org_unit_history").Scan(&n); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "INSERT INTO org_unit_history (unit_id, change, new_value, changed_at) VALUES ((SELECT MIN(id) FROM org_units), 'test', ?, ?)", fmt.Sprint(i), time.Now())
						return err
					})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var n int
			db.QueryRow(ctx, "SELECT COUNT(*) FROM org_unit_history").Scan(&n)
			if n != 40 {
				t.Fatalf("history rows = %d, want 40", n)
			}
		})

		t.Run("newer schema is refused", func(t *testing.T) {
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', ?)", time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "DELETE FROM schema_migrations WHERE version = 999")
				return err
			})
			_, err = db.Migrate(ctx)
			var newer *store.ErrNewerSchema
			if !errors.As(err, &newer) || newer.Database != 999 {
				t.Fatalf("Migrate on a newer schema = %v, want ErrNewerSchema", err)
			}
		})
	})
}

// TestWriteRetriesDeadlock makes two PostgreSQL transactions lock two rows
// in opposite orders. The server kills one as a deadlock victim; Write must
// run it again so that both callers succeed.
func TestWriteRetriesDeadlock(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	var ids [2]int64
	for i := range ids {
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			ids[i], err = tx.InsertID(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', ?, ?, ?, ?) RETURNING id`,
				fmt.Sprint("d", i), fmt.Sprint("deadlock-", i), time.Now(), time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "SET deadlock_timeout = '100ms'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var barrier sync.WaitGroup
	barrier.Add(2)
	var attempts [2]int
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := range 2 {
		wg.Go(func() {
			errs[w] = db.Write(ctx, func(tx *store.Tx) error {
				attempts[w]++
				if _, err := tx.Exec(ctx, "SET LOCAL deadlock_timeout = '100ms'"); err != nil {
					return err
				}
				first, second := ids[w], ids[1-w]
				if _, err := tx.Exec(ctx, "UPDATE org_units SET phone = ? WHERE id = ?", "1", first); err != nil {
					return err
				}
				if attempts[w] == 1 {
					barrier.Done()
					barrier.Wait() // both hold their first lock now
				}
				_, err := tx.Exec(ctx, "UPDATE org_units SET phone = ? WHERE id = ?", "2", second)
				return err
			})
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	if attempts[0]+attempts[1] < 3 {
		t.Fatalf("attempts %v: no deadlock was retried", attempts)
	}
}

// TestQueryPrepared: a kept statement answers like a fresh query, again
// and again, and sees rows committed after it was prepared.
func TestQueryPrepared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func() int {
			t.Helper()
			var n int
			if err := db.QueryRowPrepared(ctx, `SELECT COUNT(*) FROM org_units WHERE kind = ?`, "district").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO org_units (kind, name, slug, created_at, updated_at) VALUES ('district', '测试区', 'prepared-test', ?, ?)`, time.Now().UTC(), time.Now().UTC())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != before+1 {
			t.Fatalf("after an insert: %d districts, want %d", got, before+1)
		}
		rows, err := db.QueryPrepared(ctx, `SELECT name FROM org_units WHERE slug = ?`, "prepared-test")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		var name string
		if err := rows.Scan(&name); err != nil || name != "测试区" {
			t.Fatalf("name %q, %v", name, err)
		}
		if err := db.QueryRowPrepared(ctx, `SELECT nope FROM nowhere`).Scan(&name); err == nil {
			t.Fatal("a broken query gave no error")
		}
	})
}
