package tlog

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// cacheLevel is the lowest tree level whose stored hashes are kept in
// memory. A proof needs one hash per level; the levels at and above
// cacheLevel hold one hash in 2^cacheLevel of the tree (about 4 MB per
// million leaves) and are read by every proof, so caching them leaves one
// small query per proof for the levels below.
const cacheLevel = 4

// hashCache holds stored hashes of levels ≥ cacheLevel. Stored hashes
// never change once written, so entries never go stale; tampering with
// them in the database is fsck's business, and fsck reads the database.
type hashCache struct {
	mu sync.RWMutex
	m  map[int64]tlog.Hash
}

func cacheable(index int64) bool {
	level, _ := tlog.SplitStoredHashIndex(index)
	return level >= cacheLevel
}

func (c *hashCache) get(index int64) (tlog.Hash, bool) {
	c.mu.RLock()
	h, ok := c.m[index]
	c.mu.RUnlock()
	return h, ok
}

func (c *hashCache) add(index int64, h tlog.Hash) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]tlog.Hash{}
	}
	c.m[index] = h
	c.mu.Unlock()
}

func (c *hashCache) addAll(hs map[int64]tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]tlog.Hash{}
	}
	for i, h := range hs {
		if cacheable(i) {
			c.m[i] = h
		}
	}
}

// querier is a store.DB or a store.Tx.
type querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// reader returns a tlog.HashReader over the stored hashes: first the
// hashes in pending (being written by the caller's transaction), then the
// cache, then the database through q.
func (l *Log) reader(ctx context.Context, q querier, pending map[int64]tlog.Hash) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return l.readHashes(ctx, q, pending, indexes)
	})
}

func (l *Log) readHashes(ctx context.Context, q querier, pending map[int64]tlog.Hash, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, idx := range indexes {
		if h, ok := pending[idx]; ok {
			out[i] = h
			continue
		}
		if h, ok := l.hashes.get(idx); ok {
			out[i] = h
			continue
		}
		missing = append(missing, idx)
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := queryHashes(ctx, q, missing)
	if err != nil {
		return nil, err
	}
	for i, idx := range indexes {
		if h, ok := found[idx]; ok {
			out[i] = h
			if cacheable(idx) {
				l.hashes.add(idx, h)
			}
		} else if _, ok := pending[idx]; !ok {
			if _, ok := l.hashes.get(idx); !ok {
				return nil, fmt.Errorf("stored hash %d is missing", idx)
			}
		}
	}
	return out, nil
}

// queryHashes reads the stored hashes with the given indexes. A tile's
// hashes lie spread over a range twice their number, which one range scan
// reads faster than a long IN list.
func queryHashes(ctx context.Context, q querier, indexes []int64) (map[int64]tlog.Hash, error) {
	sorted := slices.Clone(indexes)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var (
		rows *sql.Rows
		err  error
	)
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if len(sorted) > 32 && hi-lo < 4*int64(len(sorted)) {
		rows, err = q.Query(ctx, "SELECT idx, hash FROM tlog_hashes WHERE idx >= ? AND idx <= ?", lo, hi)
	} else {
		args := make([]any, len(sorted))
		for i, idx := range sorted {
			args[i] = idx
		}
		rows, err = q.Query(ctx, "SELECT idx, hash FROM tlog_hashes WHERE idx IN (?"+strings.Repeat(", ?", len(sorted)-1)+")", args...)
	}
	if err != nil {
		return nil, fmt.Errorf("read stored hashes: %w", err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(sorted))
	var raw []byte
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &raw); err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		if len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d has %d bytes", idx, len(raw))
		}
		found[idx] = tlog.Hash(raw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored hashes: %w", err)
	}
	return found, nil
}
