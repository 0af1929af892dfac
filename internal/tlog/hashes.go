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

// Proofs need the hashes of levels below cacheLevel too: a proof of a leaf
// reads its siblings at levels 0..3, which all lie in the leaf's level-0
// tile. Once a tile is full those hashes never change, so proofs take them
// from memory, a whole tile's worth at a time: the stored hashes with
// indexes [StoredHashCount(256k), StoredHashCount(256k+256)), which are
// exactly the ones written while leaves 256k..256k+255 were integrated
// (levels 0..7 of the tile, plus the higher nodes its last leaf closed).
// About 16.6 KB per 256 leaves, so a million-leaf log takes 65 MB; the
// cache is bounded by maxTileChunks and forgets arbitrary tiles beyond it.
//
// Tiles served over HTTP and every check (start, integration, fsck) still
// read the database, so that an edited row shows there at once; proofs are
// checked by their readers against the signed checkpoint in any case.

// maxTileChunks bounds the tile cache: 8,192 tiles are 2,097,152 leaves
// and about 136 MB.
const maxTileChunks = 8192

// tileChunks caches the stored hashes of full level-0 tiles by tile number,
// and the hashes so far of the partial tile at the right edge of the tree,
// which every proof in a tree of that size needs: stored hashes never
// change once written, so a prefix read once stays right.
type tileChunks struct {
	mu    sync.RWMutex
	m     map[int64][]tlog.Hash
	partK int64       // the partial tile whose hashes part holds
	part  []tlog.Hash // its stored hashes from the first on, as far as read
}

// chunkRange returns the stored hash indexes [lo, hi) of level-0 tile k.
func chunkRange(k int64) (lo, hi int64) {
	return tlog.StoredHashCount(k * tileWidth), tlog.StoredHashCount((k + 1) * tileWidth)
}

// chunkOf returns the level-0 tile holding stored hash index, when the
// hash lies below cacheLevel.
func chunkOf(index int64) (int64, bool) {
	level, n := tlog.SplitStoredHashIndex(index)
	if level >= cacheLevel {
		return 0, false
	}
	return (n << level) / tileWidth, true
}

func (c *tileChunks) get(index int64) (tlog.Hash, bool) {
	k, ok := chunkOf(index)
	if !ok {
		return tlog.Hash{}, false
	}
	lo, _ := chunkRange(k)
	c.mu.RLock()
	defer c.mu.RUnlock()
	if hs := c.m[k]; hs != nil {
		return hs[index-lo], true
	}
	if k == c.partK && index-lo < int64(len(c.part)) {
		return c.part[index-lo], true
	}
	return tlog.Hash{}, false
}

func (c *tileChunks) putPartial(k int64, hs []tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k > c.partK || k == c.partK && len(hs) > len(c.part) {
		c.partK, c.part = k, hs
	}
}

func (c *tileChunks) put(k int64, hs []tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64][]tlog.Hash{}
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= maxTileChunks {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = hs
}

// addFrom caches the full tiles among leaves [from, to) whose stored
// hashes are all in hs (the hashes an integration just computed).
func (c *tileChunks) addFrom(from, to int64, hs map[int64]tlog.Hash) {
	for k := (from + tileWidth - 1) / tileWidth; (k+1)*tileWidth <= to; k++ {
		lo, hi := chunkRange(k)
		chunk := make([]tlog.Hash, hi-lo)
		complete := true
		for i := range chunk {
			h, ok := hs[lo+int64(i)]
			if !ok {
				complete = false
				break
			}
			chunk[i] = h
		}
		if complete {
			c.put(k, chunk)
		}
	}
}

// loadChunk reads level-0 tile k's stored hashes in a tree of size size
// from the database into the cache. The tree must be integrated.
func (l *Log) loadChunk(ctx context.Context, q querier, k, size int64) ([]tlog.Hash, error) {
	lo, hi := chunkRange(k)
	full := (k+1)*tileWidth <= size
	if !full {
		hi = tlog.StoredHashCount(size)
	}
	rows, err := q.Query(ctx, "SELECT idx, hash FROM tlog_hashes WHERE idx >= ? AND idx < ? ORDER BY idx", lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read stored hashes of tile %d: %w", k, err)
	}
	defer rows.Close()
	chunk := make([]tlog.Hash, 0, hi-lo)
	var raw []byte
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &raw); err != nil {
			return nil, fmt.Errorf("read stored hashes of tile %d: %w", k, err)
		}
		if idx != lo+int64(len(chunk)) {
			return nil, fmt.Errorf("stored hash %d is missing", lo+int64(len(chunk)))
		}
		if len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d has %d bytes", idx, len(raw))
		}
		chunk = append(chunk, tlog.Hash(raw))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored hashes of tile %d: %w", k, err)
	}
	if int64(len(chunk)) != hi-lo {
		return nil, fmt.Errorf("stored hash %d is missing", lo+int64(len(chunk)))
	}
	if full {
		l.chunks.put(k, chunk)
	} else {
		l.chunks.putPartial(k, chunk)
	}
	return chunk, nil
}

// proofReader reads stored hashes for proofs in a tree of size size:
// below cacheLevel from the tile cache (loading the tile on a miss), above
// it from the hash cache, and what neither holds from the database.
func (l *Log) proofReader(ctx context.Context, size int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var rest, pos []int64
		for i, idx := range indexes {
			if h, ok := l.chunks.get(idx); ok {
				out[i] = h
				continue
			}
			if k, ok := chunkOf(idx); ok && idx < tlog.StoredHashCount(size) {
				chunk, err := l.loadChunk(ctx, l.db, k, size)
				if err != nil {
					return nil, err
				}
				lo, _ := chunkRange(k)
				out[i] = chunk[idx-lo]
				continue
			}
			if h, ok := l.hashes.get(idx); ok {
				out[i] = h
				continue
			}
			rest = append(rest, idx)
			pos = append(pos, int64(i))
		}
		if len(rest) == 0 {
			return out, nil
		}
		hs, err := l.readHashes(ctx, l.db, nil, rest)
		if err != nil {
			return nil, err
		}
		for j, i := range pos {
			out[i] = hs[j]
		}
		return out, nil
	})
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
