package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Scanner is one row to read: a *sql.Row or the current row of *sql.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// QueryAll runs query in tx and reads every row with scan: the one loop
// over rows, so no caller forgets to close them or to check their error.
func QueryAll[T any](ctx context.Context, tx *Tx, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ScanInt64 reads a row of one integer column, for QueryAll over ids.
func ScanInt64(r Scanner) (int64, error) {
	var n int64
	err := r.Scan(&n)
	return n, err
}

// Placeholders returns n comma-separated parameter marks, "?, ?, ?", for
// an INSERT of a feature's column list (its XColumns and XWidth).
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return "?" + strings.Repeat(", ?", n-1)
}

// RowErr is the error of reading one row that must exist: notFound (a
// user-facing error) when there was none, any other error wrapped with
// what, nil when the row was read.
func RowErr(err, notFound error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return notFound
	}
	return fmt.Errorf("%s: %w", what, err)
}
