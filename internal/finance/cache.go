package finance

import "sync"

// statementCache keeps the decoded views of published statements. A
// published statement never changes (its hash is in the log, the period
// never reopens), so an entry never goes stale; the key still carries the
// stored hash so that a repaired row is never answered from memory.
// Decoding a month of a busy community (hundreds of entries) allocates a
// few megabytes, and the collections that follow were the slow tail of
// the statement page.
type statementCache struct {
	mu   sync.Mutex
	max  int
	m    map[statementKey]*StatementView
	keys []statementKey // insertion order, for eviction
}

type statementKey struct {
	community int64
	period    Period
	sha256    string
}

func newStatementCache(max int) *statementCache {
	return &statementCache{max: max, m: map[statementKey]*StatementView{}}
}

// get returns a copy of the cached view. The slices inside are shared and
// must be treated as read-only, which every caller does.
func (c *statementCache) get(community int64, p Period, sum string) (*StatementView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[statementKey{community, p, sum}]
	if !ok {
		return nil, false
	}
	cp := *v
	return &cp, true
}

func (c *statementCache) put(community int64, p Period, v *StatementView) {
	k := statementKey{community, p, v.SHA256}
	cp := *v
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	// Oldest first out: a board reads the latest months, which stay.
	for len(c.keys) >= c.max {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.m[k] = &cp
	c.keys = append(c.keys, k)
}
