package qa

import (
	"context"
	"fmt"
	"sync"

	"mingbai/internal/org"
	"mingbai/internal/store"
)

// Submissions are the one path that hundreds of residents may take at the
// same moment, and every submission's statements run one after another
// inside the shared group-commit transaction (store.WriteBatched). A
// profile of 200 concurrent submitters showed that parsing those statements
// again for each submission cost more than running them, so they are
// prepared once, on first use, and kept for the life of the database.

// hotStatements are the prepared statements of Submit and the rate limits.
type hotStatements struct {
	community     *store.Stmt // org.CommunityQuery
	rules         *store.Stmt // a district's qa_rules row
	throttleCount *store.Stmt // submissions of a key since a time
	throttleAdd   *store.Stmt // one more submission of a key
	duplicate     *store.Stmt // the same text to the same community since a time
	insertItem    *store.Stmt // a new item; no row when its code is taken
	insertEvent   *store.Stmt // a timeline event
}

type hotCache struct {
	mu sync.Mutex
	st *hotStatements
}

const (
	rulesSQL = `SELECT ack_workdays, reply_workdays, max_extension_workdays, reopen_days, ip_per_hour, account_per_day
		FROM qa_rules WHERE district_id = ?`
	throttleCountSQL = "SELECT COUNT(*) FROM qa_throttle WHERE throttle_key = ? AND at > ?"
	throttleAddSQL   = "INSERT INTO qa_throttle (throttle_key, at) VALUES (?, ?)"
	duplicateSQL     = "SELECT COUNT(*) FROM qa_items WHERE community_id = ? AND body_hash = ? AND received_at > ?"
)

var (
	// A tracking code that is already taken (one chance in 10^14), or a
	// submission key a concurrent request stored first, inserts nothing
	// and returns no row, and Submit looks for the key, then draws another
	// code: no savepoint is needed to survive the unique violation.
	insertItemSQL  = "INSERT INTO qa_items (" + ItemColumns + ", ip, submit_key) VALUES (" + store.Placeholders(ItemWidth+2) + ") ON CONFLICT DO NOTHING RETURNING id"
	insertEventSQL = "INSERT INTO qa_events (" + EventColumns + ") VALUES (" + store.Placeholders(EventWidth) + ") RETURNING id"
)

// hot returns the prepared statements, preparing them on first use. A
// failure is returned and tried again next time.
func (s *Service) hot(ctx context.Context) (*hotStatements, error) {
	s.hotCache.mu.Lock()
	defer s.hotCache.mu.Unlock()
	if s.hotCache.st != nil {
		return s.hotCache.st, nil
	}
	var st hotStatements
	for _, p := range []struct {
		dst **store.Stmt
		sql string
	}{
		{&st.community, org.CommunityQuery}, {&st.rules, rulesSQL}, {&st.throttleCount, throttleCountSQL},
		{&st.throttleAdd, throttleAddSQL}, {&st.duplicate, duplicateSQL}, {&st.insertItem, insertItemSQL},
		{&st.insertEvent, insertEventSQL},
	} {
		stmt, err := s.db.PrepareWrite(ctx, p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare qa statements: %w", err)
		}
		*p.dst = stmt
	}
	s.hotCache.st = &st
	return &st, nil
}

func (st *hotStatements) close() {
	for _, s := range []*store.Stmt{st.community, st.rules, st.throttleCount, st.throttleAdd, st.duplicate, st.insertItem, st.insertEvent} {
		if s != nil {
			s.Close()
		}
	}
}
