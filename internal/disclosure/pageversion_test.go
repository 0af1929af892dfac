package disclosure_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

// TestPageVersionIgnoresOtherLeaves: the board's cached pages change with
// a publication, not with a question or a ledger entry of the same
// community, which are leaves too; otherwise every question posted would
// make the board render again (the load benchmark's mix fell from 9,413
// to 805 requests a second when questions became leaves).
func TestPageVersionIgnoresOtherLeaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		c := e.demo.Suojin4
		version := func() string {
			t.Helper()
			v, err := e.svc.PageVersion(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		before := version()
		for i, kind := range []string{"qa_question", "qa_step", "ledger_entry", "fin_budget"} {
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := e.log.Append(ctx, tx, tlog.Envelope{Kind: kind, Community: c, Object: "other", Version: int64(i + 1), Time: e.now, ContentSHA256: sha256.Sum256([]byte(kind))})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if after := version(); after != before {
			t.Fatalf("a question or ledger leaf changed the board's page version: %s → %s", before, after)
		}
		e.publish(t, e.cadreA, c, "yearly-plan", "2026年社区工作计划", "2026年", "开展夏季纳凉晚会。")
		if after := version(); after == before {
			t.Fatal("a publication left the board's page version as it was")
		}
	})
}
