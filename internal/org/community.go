package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mingbai"
	"mingbai/internal/store"
)

// ErrArchived is what every feature answers to a write into an archived
// community; the web layer's access check uses the same words.
var ErrArchived = mingbai.Errorf(mingbai.ECONFLICT, "该社区已撤销归档，只能查看，不能再提交或修改。")

// Writable refuses a write into an archived unit. Features call it (or
// Community with forWrite) so that the rule lives here once.
func (u *Unit) Writable() error {
	if u.Archived() {
		return ErrArchived
	}
	return nil
}

// LoadUnit loads unit id, of any kind, inside the caller's transaction.
func LoadUnit(ctx context.Context, tx *store.Tx, id int64) (*Unit, error) {
	return unitByID(ctx, tx, id)
}

// CommunityQuery selects one unit for ScanCommunity, for a hot path that
// prepares it once.
const CommunityQuery = "SELECT " + unitColumns + " FROM org_units WHERE id = ?"

// LoadCommunity loads community id inside the caller's transaction; with
// forWrite it refuses an archived community, so a feature's write and the
// check see the same row. It is the one way features load a community.
func LoadCommunity(ctx context.Context, tx *store.Tx, id int64, forWrite bool) (*Unit, error) {
	return ScanCommunity(tx.QueryRow(ctx, CommunityQuery, id), id, forWrite)
}

// ScanCommunity is LoadCommunity on the row of a CommunityQuery.
func ScanCommunity(row store.Scanner, id int64, forWrite bool) (*Unit, error) {
	u, err := scanUnit(row)
	if errors.Is(err, sql.ErrNoRows) || err == nil && u.Kind != Community {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该社区。")
	}
	if err != nil {
		return nil, fmt.Errorf("community %d: %w", id, err)
	}
	if forWrite {
		if err := u.Writable(); err != nil {
			return nil, err
		}
	}
	return &u, nil
}
