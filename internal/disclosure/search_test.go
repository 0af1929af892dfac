package disclosure_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// searchDoc is one disclosure of the search corpus.
type searchDoc struct {
	key       string // how the table below names it
	community string // "A" 锁金四村, "B" 锁金一村, "C" 百子亭
	code      string
	title     string
	period    string
	body      string
}

var searchCorpus = []searchDoc{
	{"fee", "A", "party-fees", "党费收缴标准", "2026年", "在职党员按税后月工资收入计算：3000元以下（含）0.5%；3000元至5000元（含）1%；5000元至10000元（含）1.5%；10000元以上2%。离退休党员5000元以下0.5%，以上1%。"},
	{"feeq3", "A", "party-fees", "2026年第三季度党费收缴情况", "2026年第三季度", "本季度应缴党员42名，实缴42名，合计3,856.40元，已全额上缴街道党工委。"},
	{"dibao", "A", "relief", "低保家庭名单公示", "2026年9月", "| 户主 | 家庭人数 | 月保障金额 |\n|---|---|---|\n| 王*英 | 2 | 1,620元 |\n公示期7天，如有异议请向居委会反映。"},
	{"fans", "A", "income-expense", "2026年第三季度居委会收支情况", "2026年第三季度", "支出：购买电扇两台 360.00元（经居民会议决定改为举办纳凉晚会）。收入：街道拨付办公经费 5,000.00元。"},
	{"covenant", "A", "covenant", "锁金四村社区居民公约", "", "# 居民公约\n1. 爱护公共设施，不乱贴乱画。\n2. 垃圾分类投放。\n3. 邻里和睦，互帮互助。"},
	{"election", "A", "election", "第十二届居民委员会选举结果", "2026年", "当选主任：王秀英；副主任：李建国；委员：张伟、刘芳。任期五年。"},
	{"meeting", "A", "meeting-decisions", "居民会议关于纳凉晚会的决定", "2026年7月", "到会居民代表58人，超过半数。表决：同意52票。决定将购买电扇的经费用于举办夏季纳凉晚会。"},
	{"hotline", "A", "hotlines", "便民服务热线", "", "- 居委会：025-85401234\n- 物业：025-85409999\n- 供电：95598\n- WiFi 报修：请拨打物业电话"},
	{"pdf", "A", "work-rules", "值班制度（附PDF）", "", "居委会工作日8:30至17:30有人值班，节假日值班表见附件PDF。"},
	{"b-fee", "B", "party-fees", "锁金一村党费收缴标准", "2026年", "按中组发〔2008〕3号文件执行，党费按月收缴。"},
	{"b-fans", "B", "income-expense", "锁金一村2026年第二季度收支", "2026年第二季度", "支出：购置电风扇三台用于老年活动室。"},
	{"c-dibao", "C", "relief", "百子亭社区低保审核结果", "2026年8月", "经审核，新增低保家庭3户，停发1户。"},
	{"c-plan", "C", "yearly-plan", "百子亭社区2026年度工作计划", "2026年", "重点工作：老旧小区改造、加装电梯、养老服务中心建设。"},
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		secretaries := map[string]*mingbai.Actor{}
		cadres := map[string]*mingbai.Actor{}
		communities := map[string]int64{"A": e.demo.Suojin4, "B": e.demo.Suojin1, "C": e.demo.Baiziting}
		for k, c := range communities {
			cadres[k] = &mingbai.Actor{UserID: 100, Name: "干部", Grants: []mingbai.Grant{{Role: mingbai.RoleCadre, UnitID: c, District: e.demo.District}}}
			secretaries[k] = &mingbai.Actor{UserID: 101, Name: "书记", Grants: []mingbai.Grant{{Role: mingbai.RolePartySecretary, UnitID: c, District: e.demo.District}}}
		}
		ids := map[int64]string{}
		for _, d := range searchCorpus {
			a := cadres[d.community]
			if d.code == "party-fees" {
				a = secretaries[d.community]
			}
			v := e.publish(t, a, communities[d.community], d.code, d.title, d.period, d.body)
			ids[v.DisclosureID] = d.key
		}
		// Attachment names are searched too.
		pdf := e.item(t, e.demo.Suojin4, "work-rules")
		dr, err := e.svc.CreateDraft(ctx, cadres["A"], e.demo.Suojin4, disclosure.DraftInput{ItemID: pdf.ID, Title: "节假日值班安排", Body: "详见附件。"})
		if err != nil {
			t.Fatal(err)
		}
		att, err := e.svc.Files().Put(bytesReader([]byte("%PDF-1.4\n%%EOF\n")), "国庆节值班表.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AttachToDraft(ctx, cadres["A"], e.demo.Suojin4, dr.ID, att); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Publish(ctx, cadres["A"], e.demo.Suojin4, dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids[v.DisclosureID] = "duty"

		cases := []struct {
			q     string
			scope string // A (锁金四村) or D (the district)
			want  []string
		}{
			{"党费", "A", []string{"fee", "feeq3"}},
			{"党费", "D", []string{"fee", "feeq3", "b-fee"}},
			// The catalog item (党费收缴标准和收缴情况) is indexed with each disclosure.
			{"党费收缴标准", "D", []string{"fee", "feeq3", "b-fee"}},
			{"收缴", "A", []string{"fee", "feeq3"}},
			{"低保", "A", []string{"dibao"}},
			{"低保", "D", []string{"dibao", "c-dibao"}},
			{"低保审核", "D", []string{"c-dibao"}},
			{"电扇", "A", []string{"fans", "meeting"}},
			{"电扇", "D", []string{"fans", "meeting"}},
			{"电风扇", "D", []string{"b-fans"}},
			{"居民公约", "A", []string{"covenant"}},
			{"公约", "D", []string{"covenant"}},
			{"2026年第三季度", "A", []string{"feeq3", "fans"}},
			{"第三季度", "D", []string{"feeq3", "fans"}},
			{"第二季度", "D", []string{"b-fans"}},
			{"锁金四村", "D", []string{"fee", "feeq3", "dibao", "fans", "covenant", "election", "meeting", "hotline", "pdf", "duty"}},
			{"锁金一村", "D", []string{"b-fee", "b-fans"}},
			{"百子亭", "D", []string{"c-dibao", "c-plan"}},
			{"纳凉晚会", "D", []string{"fans", "meeting"}},
			{"晚会", "A", []string{"fans", "meeting"}},
			{"选举", "A", []string{"election"}},
			{"王秀英", "A", []string{"election"}},
			{"电梯", "D", []string{"c-plan"}},
			{"加装电梯", "A", nil},
			{"梯", "D", []string{"c-plan"}},
			{"扇", "D", []string{"fans", "meeting", "b-fans"}},
			{"晚", "A", []string{"fans", "meeting"}},
			{"PDF", "A", []string{"pdf", "duty"}},
			{"pdf", "A", []string{"pdf", "duty"}},
			{"WiFi报修", "A", []string{"hotline"}},
			{"wifi", "A", []string{"hotline"}},
			{"95598", "A", []string{"hotline"}},
			{"2008", "D", []string{"b-fee"}},
			{"中组发〔2008〕3号", "D", []string{"b-fee"}},
			{"值班表", "A", []string{"pdf", "duty"}},
			{"国庆节", "A", []string{"duty"}},
			{"垃圾分类", "A", []string{"covenant"}},
			{"公示期", "D", []string{"dibao"}},
			{"养老服务", "D", []string{"c-plan"}},
			{"区块链", "D", nil},
			{"党费 电扇", "D", nil},
			{"居民 会议", "A", []string{"fans", "meeting"}},
			{"ＰＤＦ", "A", []string{"pdf", "duty"}},
			{"，。！", "D", nil},
			{"xyzzy", "D", nil},
		}
		if len(cases) < 40 {
			t.Fatalf("only %d queries", len(cases))
		}
		for _, c := range cases {
			q := disclosure.SearchQuery{Q: c.q, DistrictID: e.demo.District}
			if c.scope == "A" {
				q = disclosure.SearchQuery{Q: c.q, CommunityID: e.demo.Suojin4}
			}
			res, err := e.svc.Search(ctx, q)
			if err != nil {
				t.Fatalf("%q: %v", c.q, err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, ids[h.ID])
			}
			sort.Strings(got)
			want := slices.Clone(c.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("search %q in %s: got %v, want %v", c.q, c.scope, got, want)
			}
			for _, h := range res.Hits {
				if c.scope == "A" && h.CommunityID != e.demo.Suojin4 {
					t.Errorf("search %q in A found %s of another community", c.q, h.CommunityName)
				}
			}
		}
		// A snippet marks what matched.
		res, _ := e.svc.Search(ctx, disclosure.SearchQuery{Q: "纳凉晚会", CommunityID: e.demo.Suojin4})
		marked := false
		for _, h := range res.Hits {
			for _, f := range h.Snippet {
				marked = marked || (f.Match && f.Text == "纳凉晚会")
			}
		}
		if !marked {
			t.Error("no snippet marks 纳凉晚会")
		}
		if _, err := e.svc.Search(ctx, disclosure.SearchQuery{Q: string(make([]rune, 101)), CommunityID: e.demo.Suojin4}); mingbai.ErrorField(err) != "q" {
			t.Errorf("overlong query: %v", err)
		}
	})
}

// TestSearchFollowsCorrectionAndWithdrawal checks that a community's
// search and the district's see a correction's new words and not its old
// ones, and nothing of a withdrawn disclosure: the index of community
// tokens (SQLite) is kept by the same triggers as the plain one.
func TestSearchFollowsCorrectionAndWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		v := e.publish(t, e.cadreA, e.demo.Suojin4, "income-expense", "第三季度电扇采购", "2026年第三季度", "购买电扇两台。")
		// The same words in another community, which a search of A must not see.
		e.publish(t, e.cadreB, e.demo.Suojin1, "income-expense", "锁金一村电扇采购与空调维修", "2026年第三季度", "购买电扇三台，维修空调。")
		find := func(q string, community int64) []int64 {
			t.Helper()
			sq := disclosure.SearchQuery{Q: q, CommunityID: community, DistrictID: e.demo.District}
			res, err := e.svc.Search(ctx, sq)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var ids []int64
			for _, h := range res.Hits {
				if community != 0 && h.CommunityID != community {
					t.Fatalf("search %q in community %d found %q of community %d", q, community, h.Title, h.CommunityID)
				}
				ids = append(ids, h.ID)
			}
			return ids
		}
		mine := []int64{v.DisclosureID}
		if got := find("电扇采购", e.demo.Suojin4); !slices.Equal(got, mine) {
			t.Fatalf("before correction: %v", got)
		}
		if _, err := e.svc.Correct(ctx, e.cadreA, e.demo.Suojin4, v.DisclosureID, disclosure.CorrectInput{
			Title: "第三季度空调维修", Period: "2026年第三季度", Body: "维修空调一台。", Reason: "原标题写错了事项", Version: v.Version}); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db)
		if got := find("电扇", e.demo.Suojin4); len(got) != 0 {
			t.Errorf("after correction, 电扇 in A: %v", got)
		}
		if got := find("空调维修", e.demo.Suojin4); !slices.Equal(got, mine) {
			t.Errorf("after correction, 空调维修 in A: %v", got)
		}
		if got := find("空调维修", 0); len(got) != 2 {
			t.Errorf("after correction, 空调维修 in the district: %v", got)
		}
		if _, err := e.svc.Withdraw(ctx, e.cadreA, e.demo.Suojin4, v.DisclosureID, v.Version+1, "事项重复公开"); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db)
		if got := find("空调维修", e.demo.Suojin4); len(got) != 0 {
			t.Errorf("after withdrawal, 空调维修 in A: %v", got)
		}
		if got := find("空调维修", 0); len(got) != 1 || slices.Contains(got, v.DisclosureID) {
			t.Errorf("after withdrawal, 空调维修 in the district: %v", got)
		}
	})
}

// checkIndex asks SQLite's FTS5 whether its index agrees with the search
// rows it is built from: a trigger that deleted other values than it
// indexed would leave the index silently wrong.
func checkIndex(t *testing.T, db *store.DB) {
	t.Helper()
	if db.Dialect != store.SQLite {
		return
	}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO disclosure_fts(disclosure_fts, rank) VALUES ('integrity-check', 1)`)
		return err
	})
	if err != nil {
		t.Fatalf("full-text index: %v", err)
	}
}

// TestDistrictSearchRanksNewestMatches: a district search ranks the newest
// districtMatches matches only, which with the default limit gives the
// same pages as ranking every match; below the limit the best but oldest
// match drops off the first page (SQLite; PostgreSQL ranks every match),
// and a page the limit leaves short is searched again in full.
func TestDistrictSearchRanksNewestMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		a := &mingbai.Actor{UserID: 100, Name: "干部", Grants: []mingbai.Grant{{Role: mingbai.RoleCadre, UnitID: e.demo.Suojin4, District: e.demo.District}}}
		// The first is the best match (the word five times) and the oldest.
		best := e.publish(t, a, e.demo.Suojin4, "work-rules", "测评测评测评测评测评安排", "", "测评")
		for i := range 29 {
			e.publish(t, a, e.demo.Suojin4, "work-rules", fmt.Sprintf("第%d次工作安排", i+1), "", "本次安排包括测评。")
			e.now = e.now.Add(time.Minute)
		}
		search := func(page int) []int64 {
			t.Helper()
			res, err := e.svc.Search(ctx, disclosure.SearchQuery{Q: "测评", DistrictID: e.demo.District, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			return ids
		}
		whole := append(search(1), search(2)...)
		if len(whole) != 30 {
			t.Fatalf("default limit: %d hits, want 30", len(whole))
		}
		if db.Dialect == store.SQLite && whole[0] != best.DisclosureID {
			t.Fatalf("default limit: first hit %d, want the best match %d", whole[0], best.DisclosureID)
		}

		restore := disclosure.SetDistrictMatches(25)
		defer restore()
		first := search(1)
		if len(first) != disclosure.PageSize {
			t.Fatalf("limit 25: page 1 has %d hits", len(first))
		}
		if db.Dialect == store.SQLite && slices.Contains(first, best.DisclosureID) {
			t.Fatal("limit 25: the oldest match was ranked though it is not among the newest 25")
		}
		if db.Dialect == store.Postgres && !slices.Equal(first, whole[:disclosure.PageSize]) {
			t.Fatal("PostgreSQL does not rank every match")
		}
		// Page 2 would hold 5 of the newest 25: short, so it is searched in full.
		if got := search(2); !slices.Equal(got, whole[disclosure.PageSize:]) {
			t.Fatalf("limit 25: page 2 %v, want the full ranking's %v", got, whole[disclosure.PageSize:])
		}

		disclosure.SetDistrictMatches(5)
		if got := search(1); !slices.Equal(got, whole[:disclosure.PageSize]) {
			t.Fatalf("limit 5: page 1 %v, want the full ranking's %v", got, whole[:disclosure.PageSize])
		}
	})
}
