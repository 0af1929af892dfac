package qa_test

import (
	"context"
	"testing"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// An archived community takes no new question, complaint or answer, with
// the one message org gives for every feature; what it published stays
// readable.
func TestArchivedCommunityTakesNoWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := &mingbai.Actor{}
		rc, err := e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "环境卫生", Body: "12幢楼道灯坏了", IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.ByCode(ctx, rc.Code)
		if err != nil {
			t.Fatal(err)
		}
		if err := org.NewService(db, mingbai.SystemClock).Archive(ctx, e.demo.Suojin4, 0); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Submit(ctx, anon, e.demo.Suojin4, qa.Submission{Category: "环境卫生", Body: "9幢门禁坏了", IP: "10.0.0.2"})
		if err != org.ErrArchived {
			t.Errorf("question into an archived community: %v, want %v", err, org.ErrArchived)
		}
		_, err = e.svc.Complain(ctx, anon, e.demo.Suojin4, qa.ComplaintSubmission{Category: "财务问题", Body: "居委会把电扇的钱挪作他用，请核查。", Anonymous: true, IP: "10.0.0.3"})
		if err != org.ErrArchived {
			t.Errorf("complaint into an archived community: %v, want %v", err, org.ErrArchived)
		}
		if err := e.svc.Reply(ctx, e.cadre, e.demo.Suojin4, v.Item.ID, qa.Answer{Body: "已请物业更换灯泡。", Outcome: qa.Adopted}); err != org.ErrArchived {
			t.Errorf("answer in an archived community: %v, want %v", err, org.ErrArchived)
		}
		if _, err := e.svc.ByCode(ctx, rc.Code); err != nil {
			t.Errorf("reading a question of an archived community: %v", err)
		}
	})
}
