package disclosure_test

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// An archived community publishes nothing new and its catalog is frozen,
// with org's one message; its board stays readable.
func TestArchivedCommunityPublishesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		it := e.item(t, e.demo.Suojin4, "yearly-plan")
		d, err := e.svc.CreateDraft(ctx, e.cadreA, e.demo.Suojin4, disclosure.DraftInput{ItemID: it.ID, Title: "2026年社区工作计划", Period: "2026年", Body: "开展夏季纳凉晚会。"})
		if err != nil {
			t.Fatal(err)
		}
		if err := org.NewService(db, mingbai.SystemClock).Archive(ctx, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(ctx, e.cadreA, e.demo.Suojin4, d.ID); err != org.ErrArchived {
			t.Errorf("publish in an archived community: %v, want %v", err, org.ErrArchived)
		}
		if err := e.svc.ArchiveItem(ctx, e.cadreA, e.demo.District, e.demo.Suojin4, it.ID, false); err != org.ErrArchived {
			t.Errorf("archiving a catalog item of an archived community: %v, want %v", err, org.ErrArchived)
		}
		if _, err := e.svc.Board(ctx, e.demo.Suojin4); err != nil {
			t.Errorf("reading an archived community's board: %v", err)
		}
	})
}
