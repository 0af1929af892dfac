package org

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/store"
)

// ErrArchived is what every feature answers to a write into an archived
// community; the web layer's access check uses the same words.
var ErrArchived = mingbai.Errorf(mingbai.ECONFLICT, "该社区已撤销归档，不能再修改。")

// Writable refuses a write into an archived unit. Features call it (or
// Community with forWrite) so that the rule lives here once.
func (u *Unit) Writable() error {
	if u.Archived() {
		return ErrArchived
	}
	return nil
}

// LoadCommunity loads community id inside the caller's transaction; with
// forWrite it refuses an archived community, so a feature's write and the
// check see the same row.
func LoadCommunity(ctx context.Context, tx *store.Tx, id int64, forWrite bool) (*Unit, error) {
	u, err := unitByID(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("community %d: %w", id, err)
	}
	if u.Kind != Community {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该社区。")
	}
	if forWrite {
		if err := u.Writable(); err != nil {
			return nil, err
		}
	}
	return u, nil
}
