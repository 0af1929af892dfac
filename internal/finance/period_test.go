package finance_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
	"mingbai/internal/tlog"
)

func TestCloseReviewPublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		jan := finance.Period(202501)
		in := e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "20,000", "街道拨付工作经费")
		out := e.mustPost(finance.MakeDate(2025, 1, 9), "银行存款", "活动经费", "16,008.14", "纳凉晚会")
		e.mustPost(finance.MakeDate(2025, 1, 12), "现金", "办公费", "325.04", "购买文具")

		// Only after the month, in order, by A's cadre.
		wantCode(t, e.fin.Close(ctx, e.cadre, e.demo.Suojin4, 202503, ""), mingbai.ECONFLICT)
		wantCode(t, e.fin.Close(ctx, e.cadre, e.demo.Suojin4, 202502, ""), mingbai.ECONFLICT)
		wantCode(t, e.fin.Close(ctx, e.super, e.demo.Suojin4, jan, ""), mingbai.EFORBIDDEN)
		wantCode(t, e.fin.Close(ctx, e.cadreB, e.demo.Suojin4, jan, ""), mingbai.EFORBIDDEN)
		if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, jan, "一月账目"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.fin.Close(ctx, e.cadre, e.demo.Suojin4, jan, ""), mingbai.ECONFLICT)
		// January is closed: no more entries dated in it.
		_, err := e.post(finance.MakeDate(2025, 1, 20), "银行存款", "办公费", "1", "迟到")
		wantCode(t, err, mingbai.EINVALID)

		// The public does not see it yet; the supervisor and street do.
		_, err = e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, jan)
		wantCode(t, err, mingbai.ENOTFOUND)
		_, err = e.fin.Entry(ctx, e.public, e.demo.Suojin4, in.ID)
		wantCode(t, err, mingbai.ENOTFOUND)
		v, err := e.fin.StatementOf(ctx, e.officer, e.demo.Suojin4, jan)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != finance.StatusClosed || v.Statement.Income != 2000000 || v.Statement.Expense != 1600814+32504 || len(v.Statement.Entries) != 3 {
			t.Fatalf("statement %+v", v.Statement)
		}
		if v.ExpenseDaxie != "人民币壹万陆仟叁佰叁拾叁元壹角捌分" || v.IncomeDaxie != "人民币贰万元整" {
			t.Fatalf("daxie %s / %s", v.IncomeDaxie, v.ExpenseDaxie)
		}
		bank := v.Statement.Accounts[1]
		if bank.Opening != 1000000 || bank.Income != 2000000 || bank.Expense != 1600814 || bank.Closing != 1399186 {
			t.Fatalf("bank %+v", bank)
		}
		if !v.Statement.Entries[1].Flagged {
			t.Fatal("the 16,008.14 expense without decision is not flagged")
		}

		// The cadre cannot approve; B's supervisor… there is none, the officer cannot either.
		wantCode(t, e.fin.Approve(ctx, e.cadre, e.demo.Suojin4, jan, ""), mingbai.EFORBIDDEN)
		wantCode(t, e.fin.Approve(ctx, e.officer, e.demo.Suojin4, jan, ""), mingbai.EFORBIDDEN)
		// Returned with a comment; cannot be approved until answered.
		wantCode(t, e.fin.Return(ctx, e.super, e.demo.Suojin4, jan, " "), mingbai.EINVALID)
		if err := e.fin.Return(ctx, e.super, e.demo.Suojin4, jan, "纳凉晚会支出超过2000元，请附居民会议决议。"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.fin.Approve(ctx, e.super, e.demo.Suojin4, jan, ""), mingbai.ECONFLICT)
		// Returned does not reopen the month for entries.
		_, err = e.post(finance.MakeDate(2025, 1, 20), "银行存款", "办公费", "1", "迟到")
		wantCode(t, err, mingbai.EINVALID)
		// The cadre adds the receipt and answers.
		if _, err := e.fin.Attach(ctx, e.cadre, e.demo.Suojin4, out.ID, "fapiao.pdf", strings.NewReader("%PDF-1.4 receipt")); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.fin.Answer(ctx, e.super, e.demo.Suojin4, jan, "答复"), mingbai.EFORBIDDEN)
		if err := e.fin.Answer(ctx, e.cadre, e.demo.Suojin4, jan, "已附发票；决议见2024年第3次居民会议。"); err != nil {
			t.Fatal(err)
		}
		v, _ = e.fin.StatementOf(ctx, e.super, e.demo.Suojin4, jan)
		if v.Status != finance.StatusClosed || len(v.Notes) != 3 || len(v.Statement.Entries[1].Attachments) != 1 {
			t.Fatalf("after answer: status %s, %d notes, attachments %v", v.Status, len(v.Notes), v.Statement.Entries[1].Attachments)
		}
		sizeBefore := leafCount(t, db)
		if err := e.fin.Approve(ctx, e.super, e.demo.Suojin4, jan, "同意公开"); err != nil {
			t.Fatal(err)
		}
		// Published: three entry leaves and one statement leaf.
		if n := leafCount(t, db) - sizeBefore; n != 4 {
			t.Fatalf("%d leaves appended, want 4", n)
		}
		pub, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, jan)
		if err != nil {
			t.Fatal(err)
		}
		if pub.Status != finance.StatusPublished || pub.LeafIndex == nil {
			t.Fatalf("published %+v", pub.PeriodInfo)
		}
		pubEntry, err := e.fin.Entry(ctx, e.public, e.demo.Suojin4, in.ID)
		if err != nil || pubEntry.LeafIndex == nil {
			t.Fatalf("public entry %+v %v", pubEntry, err)
		}
		// The receipt is not cleared: the public does not see it.
		pubOut, _ := e.fin.Entry(ctx, e.public, e.demo.Suojin4, out.ID)
		if len(pubOut.Attachments) != 0 {
			t.Fatal("uncleared receipt shown to the public")
		}
		// Never reopens: no return, no answer, no second approval, no attachment.
		wantCode(t, e.fin.Return(ctx, e.super, e.demo.Suojin4, jan, "再看看"), mingbai.ECONFLICT)
		wantCode(t, e.fin.Answer(ctx, e.cadre, e.demo.Suojin4, jan, "再答"), mingbai.ECONFLICT)
		wantCode(t, e.fin.Approve(ctx, e.super, e.demo.Suojin4, jan, ""), mingbai.ECONFLICT)
		_, err = e.fin.Attach(ctx, e.cadre, e.demo.Suojin4, out.ID, "more.pdf", strings.NewReader("%PDF-1.4 another"))
		wantCode(t, err, mingbai.ECONFLICT)

		// The leaves hash what the database holds: the content sources agree.
		content, err := contentOf(t, e, *pub.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		leaf := leafEnvelope(t, e, *pub.LeafIndex)
		if leaf.Kind != finance.KindStatement || leaf.Community != e.demo.Suojin4 || leaf.ContentSHA256 != sha(content) {
			t.Fatalf("statement leaf %+v", leaf)
		}
		entryContent, err := contentOf(t, e, *pubEntry.LeafIndex)
		if err != nil {
			t.Fatal(err)
		}
		if el := leafEnvelope(t, e, *pubEntry.LeafIndex); el.Kind != finance.KindEntry || el.ContentSHA256 != sha(entryContent) {
			t.Fatalf("entry leaf %+v", el)
		}
		if !bytes.Contains(entryContent, []byte("街道拨付工作经费")) {
			t.Fatalf("entry content %s", entryContent)
		}

		// A correction in a later month is a reversing entry flagged against
		// the original's leaf.
		e.clock.set(at(2025, 2, 20, 9))
		rev, err := e.fin.Reverse(ctx, e.cadre, e.demo.Suojin4, out.ID, "晚会费用重复入账")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.set(at(2025, 3, 15, 10))
		if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, 202502, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Approve(ctx, e.super, e.demo.Suojin4, 202502, ""); err != nil {
			t.Fatal(err)
		}
		rev, _ = e.fin.Entry(ctx, e.public, e.demo.Suojin4, rev.ID)
		if rl := leafEnvelope(t, e, *rev.LeafIndex); rl.Corrects == nil || *rl.Corrects != *pubOut.LeafIndex {
			t.Fatalf("reversal leaf corrects %v, want %d", rl.Corrects, *pubOut.LeafIndex)
		}
	})
}

func TestPublishInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "100", "一月")
		e.mustPost(finance.MakeDate(2025, 2, 3), "银行存款", "工作经费", "100", "二月")
		for _, p := range []finance.Period{202501, 202502} {
			if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, p, ""); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, e.fin.Approve(ctx, e.super, e.demo.Suojin4, 202502, ""), mingbai.ECONFLICT)
		if err := e.fin.Approve(ctx, e.super, e.demo.Suojin4, 202501, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.fin.Approve(ctx, e.super, e.demo.Suojin4, 202502, ""); err != nil {
			t.Fatal(err)
		}
		v, err := e.fin.StatementOf(ctx, e.public, e.demo.Suojin4, 202502)
		if err != nil {
			t.Fatal(err)
		}
		// February opens with January's closing balance.
		if v.Statement.Accounts[1].Opening != 1010000 || v.Statement.Accounts[1].Closing != 1020000 {
			t.Fatalf("feb bank %+v", v.Statement.Accounts[1])
		}
		ps, err := e.fin.Periods(ctx, e.public, e.demo.Suojin4)
		if err != nil || len(ps) != 2 {
			t.Fatalf("public periods %v %v", ps, err)
		}
		ps, _ = e.fin.Periods(ctx, e.cadre, e.demo.Suojin4)
		if len(ps) != 2 {
			t.Fatalf("cadre periods %d", len(ps))
		}
	})
}

func TestSpecials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.demo.Suojin4
		if _, err := e.fin.AddSubsidy(ctx, e.cadre, c, 202501, finance.Subsidy{Person: "王秀英", Post: "居委会主任", Kind: "subsidy", Amount: 180000, Basis: "玄民〔2024〕12号"}); err != nil {
			t.Fatal(err)
		}
		_, err := e.fin.AddSubsidy(ctx, e.cadre, c, 202501, finance.Subsidy{Person: "王秀英", Kind: "gift", Amount: 1, Basis: "x"})
		wantCode(t, err, mingbai.EINVALID)
		don, err := e.fin.AddDonation(ctx, e.cadre, c, finance.MakeDate(2025, 1, 8), finance.Donation{Donor: "匿名", Item: "大米", Unit: "袋", Quantity: 10, Value: 100000})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.fin.Distribute(ctx, e.cadre, c, don, finance.MakeDate(2025, 1, 10), "张建国", 4, 40000); err != nil {
			t.Fatal(err)
		}
		if _, err := e.fin.Distribute(ctx, e.cadre, c, don, finance.MakeDate(2025, 1, 11), "欧阳娜娜", 6, 60000); err != nil {
			t.Fatal(err)
		}
		_, err = e.fin.Distribute(ctx, e.cadre, c, don, finance.MakeDate(2025, 1, 12), "李四", 1, 0)
		wantCode(t, err, mingbai.EINVALID)
		_, err = e.fin.Distribute(ctx, e.cadreB, e.demo.Suojin1, don, finance.MakeDate(2025, 1, 12), "李四", 1, 0)
		wantCode(t, err, mingbai.ENOTFOUND)
		if _, err := e.fin.AddFee(ctx, e.cadre, c, 202501, finance.Fee{FeeType: "停车管理费", Payers: 30, Amount: 90000}); err != nil {
			t.Fatal(err)
		}
		// Not public before the month is published.
		sp, err := e.fin.SpecialsOf(ctx, e.public, c, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.Subsidies)+len(sp.Donations)+len(sp.Fees) != 0 {
			t.Fatalf("public sees unpublished specials: %+v", sp)
		}
		if err := e.fin.Close(ctx, e.cadre, c, 202501, ""); err != nil {
			t.Fatal(err)
		}
		// January closed: no more specials in it.
		_, err = e.fin.AddFee(ctx, e.cadre, c, 202501, finance.Fee{FeeType: "迟到", Amount: 1})
		wantCode(t, err, mingbai.EINVALID)
		if err := e.fin.Approve(ctx, e.super, c, 202501, ""); err != nil {
			t.Fatal(err)
		}
		sp, err = e.fin.SpecialsOf(ctx, e.public, c, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.Subsidies) != 1 || sp.SubsidyTotal != 180000 || len(sp.Fees) != 1 || len(sp.Donations) != 1 {
			t.Fatalf("specials %+v", sp)
		}
		tr := sp.Donations[0]
		if tr.DonorLabel() != "匿名" || len(tr.Steps) != 2 || tr.Steps[0].Household != "张**" || tr.Steps[1].Household != "欧阳**" ||
			tr.Steps[0].LeftQuantity != 6 || tr.Steps[1].LeftValue != 0 || !tr.FullyAccounts {
			t.Fatalf("trace %+v", tr)
		}
		// The statement carries them, masked.
		v, _ := e.fin.StatementOf(ctx, e.public, c, 202501)
		if len(v.Statement.Distributions) != 2 || v.Statement.Distributions[0].Household != "张**" {
			t.Fatalf("statement distributions %+v", v.Statement.Distributions)
		}
	})
}

func leafCount(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM tlog_leaves").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func contentOf(t *testing.T, e *env, idx int64) ([]byte, error) {
	t.Helper()
	return e.log.Content(context.Background(), idx)
}

func leafEnvelope(t *testing.T, e *env, idx int64) tlog.Envelope {
	t.Helper()
	lf, err := e.log.Leaf(context.Background(), idx)
	if err != nil {
		t.Fatal(err)
	}
	env, err := tlog.ParseEnvelope(lf.Entry)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

func TestStreetBooksAndRollup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.mustPost(finance.MakeDate(2025, 1, 3), "银行存款", "工作经费", "100", "一月")
		e.mustPost(finance.MakeDate(2025, 1, 4), "银行存款", "活动经费", "5,000", "大额无决议")
		if err := e.fin.Close(ctx, e.cadre, e.demo.Suojin4, 202501, ""); err != nil {
			t.Fatal(err)
		}
		// 15 March: January waits for review; February was due on 10 March.
		books, err := e.fin.StreetBooks(ctx, e.officer, e.demo.Suojincun)
		if err != nil {
			t.Fatal(err)
		}
		var a, b *finance.CommunityBooks
		for i := range books {
			switch books[i].Community.ID {
			case e.demo.Suojin4:
				a = &books[i]
			case e.demo.Suojin1:
				b = &books[i]
			}
		}
		if a == nil || len(a.Waiting) != 1 || a.Waiting[0] != 202501 || len(a.Late) != 1 || a.Late[0] != 202502 || a.Flagged != 1 {
			t.Fatalf("A %+v", a)
		}
		if b == nil || len(b.Late) != 2 {
			t.Fatalf("B %+v", b)
		}
		for _, who := range []*mingbai.Actor{e.cadre, e.super, e.public} {
			_, err := e.fin.StreetBooks(ctx, who, e.demo.Suojincun)
			wantCode(t, err, mingbai.EFORBIDDEN)
		}
		rows, in, ex, err := e.fin.Rollup(ctx, e.admin, e.demo.District, 202501)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || in != 10000 || ex != 500000 {
			t.Fatalf("rollup %v %s %s", rows, in, ex)
		}
		_, _, _, err = e.fin.Rollup(ctx, e.officer, e.demo.District, 202501)
		wantCode(t, err, mingbai.EFORBIDDEN)
	})
}
