package gen

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// batch is one community's rows, ready to insert.
type batch struct {
	c           *community
	leafEnd     int64 // the log's size once this batch is written
	disclosures []any
	versions    []any
	search      []any
	leaves      []any
	qaItems     []any
	qaEvents    []any
	entries     []any
	vouchers    []any
	periods     []any
	notes       []any
}

func (b *batch) write(ctx context.Context, tx *store.Tx) error {
	for _, t := range []struct {
		head  string
		width int
		rows  []any
	}{
		{"INSERT INTO disclosures (id, " + disclosure.HeadColumns + ")", 1 + disclosure.HeadWidth, b.disclosures},
		{"INSERT INTO disclosure_versions (id, " + disclosure.VersionColumns + ")", 1 + disclosure.VersionWidth, b.versions},
		{"INSERT INTO disclosure_search (" + disclosure.SearchColumns + ")", disclosure.SearchWidth, b.search},
		{"INSERT INTO qa_items (id, " + qa.ItemColumns + ")", 1 + qa.ItemWidth, b.qaItems},
		{"INSERT INTO qa_events (id, " + qa.EventColumns + ", leaf_index, outcome_leaf)", 1 + qa.EventWidth + 2, b.qaEvents},
		{"INSERT INTO fin_entries (id, " + finance.EntryColumns + ", leaf_index)", 1 + finance.EntryWidth + 1, b.entries},
		{"INSERT INTO fin_voucher_seq (" + finance.VoucherSeqColumns + ")", 3, b.vouchers},
		{"INSERT INTO fin_periods (id, " + finance.PeriodColumns + ")", 1 + finance.PeriodWidth, b.periods},
		{"INSERT INTO fin_period_notes (id, " + finance.NoteColumns + ")", 1 + finance.NoteWidth, b.notes},
		// Leaves last: on PostgreSQL a trigger numbers each leaf
		// MAX(idx)+1 again as it goes in; in order, it agrees.
		{"INSERT INTO tlog_leaves (" + tlog.LeafColumns + ")", tlog.LeafWidth, b.leaves},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if err := tx.InsertRows(ctx, t.head, "", t.width, t.rows, nil); err != nil {
			return fmt.Errorf("%s: %w", t.head[:40], err)
		}
	}
	return nil
}

// leaf is one publication waiting for its index: leaves are numbered in
// time order within the community.
type leaf struct {
	at        time.Time
	seq       int
	env       tlog.Envelope
	corrects  *leaf
	withdraws *leaf
	idx       int64
}

// pub is a version of a disclosure, generated.
type pub struct {
	v    disclosure.Version
	item disclosure.Item
	leaf *leaf
}

// head is a disclosure with its versions.
type head struct {
	versions []*pub
}

func (g *generator) newLeaf(ls *[]*leaf, at time.Time, kind string, community int64, object int64, version int64, sum [32]byte) *leaf {
	l := &leaf{at: at.UTC(), seq: len(*ls), env: tlog.Envelope{Kind: kind, Community: community, Object: strconv.FormatInt(object, 10), Version: version, Time: at.UTC(), ContentSHA256: sum}}
	*ls = append(*ls, l)
	return l
}

// workTime returns a working-hours moment on day d (Shanghai), moved to
// the next working day if d is a rest day.
func (g *generator) workTime(r *rand.Rand, d time.Time) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, mingbai.Shanghai)
	for i := 0; i < 10 && !g.cal.IsWorkday(d); i++ {
		d = d.AddDate(0, 0, 1)
	}
	return d.Add(8*time.Hour + 30*time.Minute + time.Duration(r.IntN(8*3600))*time.Second)
}

func (g *generator) community(c *community) (*batch, error) {
	r := rand.New(rand.NewPCG(g.opts.Seed, uint64(c.index)+1))
	b := &batch{c: c}
	var leaves []*leaf
	heads, err := g.disclosures(r, c, &leaves)
	if err != nil {
		return nil, err
	}
	qaRows, err := g.questions(r, c, &leaves)
	if err != nil {
		return nil, err
	}
	fin, err := g.books(r, c, &leaves)
	if err != nil {
		return nil, err
	}
	// Number the leaves in time order, then write what refers to them.
	slices.SortStableFunc(leaves, func(a, b *leaf) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for _, l := range leaves {
		l.idx = g.nextLeaf
		g.nextLeaf++
		if l.corrects != nil {
			l.env.Corrects = &l.corrects.idx
		}
		if l.withdraws != nil {
			l.env.Withdraws = &l.withdraws.idx
		}
		row, err := tlog.LeafRow(l.idx, l.env)
		if err != nil {
			return nil, fmt.Errorf("gen: leaf: %w", err)
		}
		b.leaves = append(b.leaves, row...)
	}
	g.sum.Leaves += int64(len(leaves))
	b.leafEnd = g.nextLeaf

	for _, h := range heads {
		last := h.versions[len(h.versions)-1]
		firstV := h.versions[0]
		state := disclosure.StateAfter(last.v.Action)
		b.disclosures = append(b.disclosures, last.v.DisclosureID)
		b.disclosures = append(b.disclosures, disclosure.HeadRow(&disclosure.Disclosure{CommunityID: c.unit.ID, ItemID: last.v.ItemID, State: state,
			Version: last.v.Version, Title: last.v.Title, Period: last.v.Period, FirstPublishedAt: firstV.v.PublishedAt, PublishedAt: last.v.PublishedAt})...)
		for _, p := range h.versions {
			v := &p.v
			v.ID, v.LeafIndex = g.nextVersion, p.leaf.idx
			g.nextVersion++
			b.versions = append(b.versions, v.ID)
			b.versions = append(b.versions, disclosure.VersionRow(v)...)
		}
		if state == "published" {
			b.search = append(b.search, disclosure.SearchRow(&last.v, g.district.ID, last.item.Name, c.unit.Name)...)
		}
	}
	for _, it := range qaRows.items {
		b.qaItems = append(b.qaItems, it...)
	}
	for _, ev := range qaRows.events {
		var leafIdx, outcomeIdx any
		if ev.reply != nil {
			leafIdx, outcomeIdx = ev.reply.idx, ev.outcome.idx
		}
		f := qa.EventFacts{Community: c.unit.ID, Item: ev.item, Kind: ev.kind, Body: ev.body, Outcome: ev.outcomeText, Unit: ev.unit, Due: ev.due, At: ev.at}
		b.qaEvents = append(b.qaEvents, ev.id)
		b.qaEvents = append(b.qaEvents, qa.EventRow(f, ev.actor)...)
		b.qaEvents = append(b.qaEvents, leafIdx, outcomeIdx)
	}
	for _, e := range fin.entries {
		var idx any
		if e.leaf != nil {
			idx = e.leaf.idx
		}
		x := &e.e
		b.entries = append(b.entries, x.ID)
		b.entries = append(b.entries, finance.EntryRow(x)...)
		b.entries = append(b.entries, idx)
	}
	for _, y := range slices.Sorted(mapKeys(fin.vouchers)) {
		b.vouchers = append(b.vouchers, c.unit.ID, y, fin.vouchers[y])
	}
	for _, p := range fin.periods {
		row := &finance.PeriodInfo{Community: c.unit.ID, Period: finance.Period(p.period), Status: "published", Income: p.income, Expense: p.expense,
			ClosedAt: p.closedAt, PublishedAt: &p.publishedAt, LeafIndex: &p.leaf.idx, SHA256: p.sum}
		b.periods = append(b.periods, p.id)
		b.periods = append(b.periods, finance.PeriodRow(row, p.raw, c.cadre.UserID, c.supervisor.UserID)...)
		b.notes = append(b.notes, g.nextNote)
		b.notes = append(b.notes, finance.NoteRow(c.unit.ID, p.id, c.cadre.UserID, finance.Note{Kind: "close", Body: "本月收支已核对，凭证齐全。", AuthorName: c.cadre.Name, At: p.closedAt})...)
		b.notes = append(b.notes, g.nextNote+1)
		b.notes = append(b.notes, finance.NoteRow(c.unit.ID, p.id, c.supervisor.UserID, finance.Note{Kind: "approve", Body: "经审核，同意公开。", AuthorName: c.supervisor.Name, At: p.publishedAt})...)
		g.nextNote += 2
	}
	return b, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// plan is one disclosure to publish: its item, when, title, period, body.
type plan struct {
	code, title, period, body string
	at                        time.Time
}

// disclosures plans a community's board over the span: monthly,
// quarterly, half-yearly and yearly items on the catalog's schedule, many
// event notices, standing items updated now and then; about 400 a year.
// Some are corrected days later, a few notices withdrawn.
func (g *generator) disclosures(r *rand.Rand, c *community, leaves *[]*leaf) ([]*head, error) {
	name := c.unit.Name
	short := []rune(name)
	short = short[:len(short)-2] // without 社区
	var plans []plan
	add := func(code, title, period, body string, at time.Time) {
		if at.Before(g.until) && !at.Before(g.first) {
			plans = append(plans, plan{code, title, period, body, at})
		}
	}
	for m := time.Date(g.first.Year(), g.first.Month(), 1, 0, 0, 0, 0, mingbai.Shanghai); m.Before(g.until); m = m.AddDate(0, 1, 0) {
		y, mo := m.Year(), int(m.Month())
		label := fmt.Sprintf("%d年%d月", y, mo)
		next := m.AddDate(0, 1, 0)
		in, out1, out2 := 5000+r.IntN(30)*100, 600+r.IntN(900), 800+r.IntN(2400)
		add("income-expense", fmt.Sprintf("%s%s居委会收支情况", name, label), label,
			fmt.Sprintf("| 项目 | 收入（元） | 支出（元） |\n|---|---|---|\n| 街道拨付办公经费 | %s | |\n| 办公用品 | | %s |\n| 社区活动 | | %s |\n| **合计** | **%s** | **%s** |",
				yuan(in), yuan(out1), yuan(out2), yuan(in), yuan(out1+out2)), g.workTime(r, next.AddDate(0, 0, 4+r.IntN(6))))
		add("party-education", fmt.Sprintf("%s%s主题党日活动安排", name, label), label,
			fmt.Sprintf("本月主题党日定于%d月第一个星期五下午举行，内容：%s。在职党员、离退休党员请准时参加。", mo,
				[]string{"学习党的二十大精神", "重温入党誓词", "参观革命纪念馆", "志愿服务进楼栋", "专题党课", "民主评议党员"}[r.IntN(6)]), g.workTime(r, m.AddDate(0, 0, r.IntN(4))))
		if mo%3 == 0 {
			q := (mo - 1) / 3
			ql := quarterLabel(y, q)
			when := func() time.Time { return g.workTime(r, next.AddDate(0, 0, 3+r.IntN(12))) }
			n := 30 + r.IntN(30)
			add("party-fees", fmt.Sprintf("%s%s党费收缴情况", name, ql), ql,
				fmt.Sprintf("本季度应缴党员%d名，实缴%d名，合计%s元，已全额上缴街道党工委。", n, n, yuan(n*(60+r.IntN(80))*3)), when())
			add("gov-results", fmt.Sprintf("%s一门通办件情况", ql), ql,
				fmt.Sprintf("| 事项 | 受理 | 办结 | 按时办结率 |\n|---|---|---|---|\n| 社会救助 | %d | %d | 100%% |\n| 就业社保 | %d | %d | 98%% |\n| 证照办理 | %d | %d | 100%% |\n监督电话：12345",
					10+r.IntN(20), 10+r.IntN(10), 20+r.IntN(40), 20+r.IntN(30), 5+r.IntN(20), 5+r.IntN(15)), when())
			add("gov-fees", fmt.Sprintf("%s执法部门收费罚款情况", ql), ql,
				fmt.Sprintf("本季度辖区内市场监管部门罚款%d件，合计%s元；依据《行政处罚法》，标准见区政府网站。", r.IntN(6), yuan(r.IntN(50)*10000)), when())
			add("cadre-pay", fmt.Sprintf("%s干部补贴发放情况", ql), ql,
				fmt.Sprintf("| 职务 | 人数 | 补贴（元/月） |\n|---|---|---|\n| 主任（书记） | 1 | %s |\n| 副主任 | 1 | %s |\n| 委员 | %d | %s |",
					yuan(360000+r.IntN(20)*1000), yuan(330000), 3+r.IntN(3), yuan(300000)), when())
			add("fees", fmt.Sprintf("%s收费情况", ql), ql,
				fmt.Sprintf("收取社区活动室场地使用费%s元，用于活动室水电支出。收费标准经居民会议通过。", yuan(r.IntN(40)*5000)), when())
		}
		if mo == 1 {
			add("party-goals", fmt.Sprintf("%s%d年党建工作目标", name, y), fmt.Sprintf("%d年", y),
				"1. 落实“三会一课”制度，每月第一个星期五为主题党日。\n2. 在职党员到社区报到率达到100%。\n3. 发展党员1至2名，做好预备党员教育考察。", g.workTime(r, m.AddDate(0, 0, 8+r.IntN(10))))
			add("yearly-plan", fmt.Sprintf("%d年社区工作计划", y), fmt.Sprintf("%d年", y),
				fmt.Sprintf("1. 完成%d幢、%d幢加装电梯意见征集。\n2. 开展夏季纳凉晚会等邻里活动。\n3. 提问栏问题7个工作日内答复。\n4. 垃圾分类准确率达到%d%%。", 1+r.IntN(20), 21+r.IntN(20), 85+r.IntN(10)),
				g.workTime(r, m.AddDate(0, 0, 10+r.IntN(10))))
			add("civility", "文明楼栋、文明家庭评选结果", fmt.Sprintf("%d年", y-1),
				fmt.Sprintf("文明楼栋：%d幢、%d幢。文明家庭：%s家、%s家、%s家。", 1+r.IntN(15), 16+r.IntN(15), surname(r), surname(r), surname(r)),
				g.workTime(r, m.AddDate(0, 0, 15+r.IntN(10))))
		}
		if mo == 1 || mo == 7 {
			hl := fmt.Sprintf("%d年上半年", y)
			if mo == 1 {
				hl = fmt.Sprintf("%d年下半年", y-1)
			}
			a, b := 20+r.IntN(30), 10+r.IntN(20)
			add("suggestions", hl+"居民意见建议办理情况", hl,
				fmt.Sprintf("| 类别 | 收到 | 已答复 | 采纳 |\n|---|---|---|---|\n| 环境卫生 | %d | %d | %d |\n| 物业管理 | %d | %d | %d |", a, a, a*2/3, b, b, b/2), g.workTime(r, m.AddDate(0, 0, 5+r.IntN(10))))
		}
		if mo == 12 {
			add("evaluation", fmt.Sprintf("%d年度居委会成员民主评议结果", y), fmt.Sprintf("%d年", y),
				fmt.Sprintf("参加评议居民代表%d人。评议结果：称职%d人，基本称职%d人，不称职0人。", 40+r.IntN(40), 4+r.IntN(3), r.IntN(2)), g.workTime(r, m.AddDate(0, 0, 15+r.IntN(10))))
		}
		// Events and notices: about 30 a month.
		days := next.Sub(m).Hours() / 24
		for range 25 + r.IntN(12) {
			at := g.workTime(r, m.AddDate(0, 0, r.IntN(int(days))))
			date := at.AddDate(0, 0, 2+r.IntN(6)).Format("1月2日")
			switch k := r.IntN(100); {
			case k < 62:
				a := activities[r.IntN(len(activities))]
				add("service-items", a.title, label, fmt.Sprintf(a.body, date), at)
			case k < 74:
				t := meetingTopics[r.IntN(len(meetingTopics))]
				total := 60 + r.IntN(60)
				present := total/2 + 1 + r.IntN(total/2)
				yes := present/2 + 1 + r.IntN(present/2)
				title := t.title
				if strings.Contains(title, "%d") {
					title = fmt.Sprintf(title, 1+r.IntN(30))
				}
				add("meeting-decisions", title, label, fmt.Sprintf(t.body, present, total, yes, 1+r.IntN(30)), at)
			case k < 80:
				add("awards", fmt.Sprintf("%s%s表彰名单", label, []string{"优秀志愿者", "好邻居", "最美楼长", "优秀网格员"}[r.IntN(4)]), label,
					fmt.Sprintf("经居民推荐、居委会审核，%s、%s、%s获此表彰。", personName(r), personName(r), personName(r)), at)
			case k < 86:
				p1, p2 := personName(r), personName(r)
				add("relief", fmt.Sprintf("%s救助物资发放情况", label), label,
					fmt.Sprintf("| 户主 | 物资 | 数量 |\n|---|---|---|\n| %s | 大米 | %d公斤 |\n| %s | 食用油 | %d升 |", masked(p1), 5+r.IntN(10), masked(p2), 2+r.IntN(4)), at)
			case k < 93:
				s := serviceGuides[r.IntN(len(serviceGuides))]
				add("gov-services", s+"办事指南", "",
					fmt.Sprintf("# 申请条件\n符合%s相关规定的本区户籍或常住居民。\n# 所需材料\n- 申请表\n- 身份证、户口簿\n# 办理流程\n1. 社区受理\n2. 街道审核\n3. 区%s审批\n# 承诺时限\n%d个工作日。", s, []string{"民政局", "人社局", "市场监管局"}[r.IntN(3)], 5+r.IntN(15)), at)
			case k < 95:
				add("party-development", "发展对象公示", label,
					fmt.Sprintf("经支部委员会研究，拟将**%s**同志列为发展对象，现予公示。公示期5个工作日。", personName(r)), at)
			default:
				code := []string{"hotlines", "division", "work-rules", "cadre-duties", "covenant", "party-members", "party-procedures", "gov-duties"}[r.IntN(8)]
				it := g.items[code]
				add(code, string(short)+"社区"+it.Name, "", standingBody(r, code), at)
			}
		}
	}
	// An election once in five years, early in the span.
	add("election", "第十二届居民委员会选举结果", fmt.Sprintf("%d年", g.first.Year()),
		fmt.Sprintf("经居民代表大会选举，产生第十二届居民委员会：\n- 主任：%s（得票%d）\n- 副主任：%s\n- 委员：%s、%s\n任期五年。", c.cadre.Name, 70+r.IntN(20), personName(r), personName(r), personName(r)),
		g.workTime(r, g.first.AddDate(0, 2, 10)))
	slices.SortStableFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })

	var heads []*head
	for _, p := range plans {
		it, ok := g.items[p.code]
		if !ok {
			return nil, fmt.Errorf("gen: no catalog item %s", p.code)
		}
		by, byName := c.cadre.UserID, c.cadre.Name
		if it.Publisher == mingbai.RoleClerk {
			by, byName = g.clerk.UserID, g.clerk.Name
		}
		h := &head{}
		id := g.nextDisclosure
		g.nextDisclosure++
		v1 := disclosure.Version{DisclosureID: id, CommunityID: c.unit.ID, Version: 1, Action: "publish", ItemID: it.ID,
			Title: p.title, Period: p.period, Body: p.body, PublishedBy: by, PublisherName: byName, PublishedAt: p.at.UTC()}
		if err := g.addVersion(h, v1, it, leaves, nil, nil); err != nil {
			return nil, err
		}
		switch k := r.IntN(1000); {
		case k < 40: // a correction a few days later
			at := g.workTime(r, p.at.AddDate(0, 0, 1+r.IntN(10)))
			if at.Before(g.until) {
				v2 := v1
				v2.Version, v2.Action, v2.PublishedAt = 2, "correct", at.UTC()
				v2.Body = v1.Body + "\n\n（更正：原公布内容中数字抄录有误，以本版为准。）"
				v2.Reason = []string{"数字抄录有误，已按原始凭证更正", "日期写错，已更正", "遗漏一项内容，已补充"}[r.IntN(3)]
				prev := h.versions[0].leaf
				if err := g.addVersion(h, v2, it, leaves, prev, nil); err != nil {
					return nil, err
				}
			}
		case k < 46 && p.code == "service-items": // a notice called off
			at := g.workTime(r, p.at.AddDate(0, 0, 1+r.IntN(3)))
			if at.Before(g.until) {
				v2 := v1
				v2.Version, v2.Action, v2.PublishedAt, v2.Body = 2, "withdraw", at.UTC(), ""
				v2.Reason = "因天气原因活动取消，改期另行通知。"
				if err := g.addVersion(h, v2, it, leaves, nil, h.versions[0].leaf); err != nil {
					return nil, err
				}
			}
		}
		heads = append(heads, h)
		g.sum.Disclosures++
	}
	if c.index == 0 {
		for _, h := range heads {
			if len(h.versions) == 2 && h.versions[1].v.Action == "correct" {
				g.sum.ExampleDisclosure = h.versions[0].v.DisclosureID
			}
		}
	}
	return heads, nil
}

func (g *generator) addVersion(h *head, v disclosure.Version, it disclosure.Item, leaves *[]*leaf, corrects, withdraws *leaf) error {
	raw, err := disclosure.CanonicalContent(&v)
	if err != nil {
		return fmt.Errorf("gen: disclosure content: %w", err)
	}
	sum := sha256.Sum256(raw)
	v.ContentSHA256 = hex.EncodeToString(sum[:])
	l := g.newLeaf(leaves, v.PublishedAt, disclosure.LeafKind, v.CommunityID, v.DisclosureID, int64(v.Version), sum)
	l.corrects, l.withdraws = corrects, withdraws
	h.versions = append(h.versions, &pub{v: v, item: it, leaf: l})
	g.sum.Versions++
	switch v.Action {
	case "correct":
		g.sum.Corrections++
	case "withdraw":
		g.sum.Withdrawals++
	}
	return nil
}

func standingBody(r *rand.Rand, code string) string {
	switch code {
	case "hotlines":
		return fmt.Sprintf("- 居委会值班电话：025-8%07d\n- 供电报修：95598\n- 燃气报修：025-968888\n- 市民热线：12345", r.IntN(10000000))
	case "division":
		return fmt.Sprintf("| 姓名 | 分工 | 联系楼栋 |\n|---|---|---|\n| %s | 全面工作、财务 | 1—%d幢 |\n| %s | 党建、民政 | %d—%d幢 |", personName(r), 4+r.IntN(4), personName(r), 5+r.IntN(4), 12+r.IntN(10))
	case "covenant":
		return "# 居民公约\n1. 爱护公共设施，不乱贴乱画，不占用消防通道。\n2. 垃圾分类投放，不高空抛物。\n3. 文明养犬，及时清理。\n4. 邻里和睦，互帮互助，关心独居老人。"
	case "party-members":
		return fmt.Sprintf("| 姓名 | 所在楼栋 | 承诺事项 |\n|---|---|---|\n| %s | %d幢 | 楼道卫生监督 |\n| %s | %d幢 | 帮扶独居老人 |", personName(r), 1+r.IntN(30), personName(r), 1+r.IntN(30))
	}
	return fmt.Sprintf("第%d版修订：值班、接待、议事、财务等制度按街道要求修订，每周%s为居委会接待日。", 2+r.IntN(8), []string{"一", "二", "三", "四", "五"}[r.IntN(5)])
}

// yuan formats fen as 1,234.56.
func yuan(fen int) string {
	return zh.Fen(fen).String()
}

// qaEvent is a qa_events row, generated.
type qaEvent struct {
	id, item, unit, actor int64
	kind                  qa.EventKind
	body, outcomeText     string
	due                   *time.Time
	at                    time.Time
	reply, outcome        *leaf
}

type qaRows struct {
	items  [][]any
	events []*qaEvent
}

// questions makes about 40 questions and suggestions a year, nearly all
// answered within the working-day deadline, the newest still open.
func (g *generator) questions(r *rand.Rand, c *community, leaves *[]*leaf) (*qaRows, error) {
	out := &qaRows{}
	span := g.until.Sub(g.first)
	n := int(span.Hours()/24/365*40) + r.IntN(8)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = g.first.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	rules := qa.DefaultRules
	for _, at := range times {
		t := questionTopics[r.IntN(len(questionTopics))]
		bldg := 1 + r.IntN(40)
		body := fmt.Sprintf(t.Body, bldg)
		if r.IntN(10) == 0 {
			body += fmt.Sprintf("我的电话 139%08d。", r.IntN(100000000))
		}
		kind := qa.Question
		if r.IntN(3) == 0 {
			kind = qa.Suggestion
		}
		channel := qa.Online
		switch r.IntN(6) {
		case 0:
			channel = qa.Paper
		case 1:
			channel = qa.Hotline
		}
		codeB := make([]byte, qa.CodeLen)
		for i := range codeB {
			codeB[i] = qa.CodeAlphabet[r.IntN(len(qa.CodeAlphabet))]
		}
		code := string(codeB)
		ackDue, _ := g.cal.AddWorkdays(at, rules.AckWorkdays)
		replyDue, prov := g.cal.AddWorkdays(at, rules.ReplyWorkdays)
		ackDue, replyDue = ackDue.UTC(), replyDue.UTC()
		id := g.nextItem
		g.nextItem++
		ev := func(kind qa.EventKind, body string, unit, actor int64, due *time.Time, at time.Time) *qaEvent {
			e := &qaEvent{id: g.nextEvent, item: id, kind: kind, body: body, unit: unit, actor: actor, due: due, at: at.UTC()}
			g.nextEvent++
			out.events = append(out.events, e)
			g.sum.QAEvents++
			return e
		}
		ev(qa.EventReceived, string(channel), 0, 0, &replyDue, at)
		status := qa.Received
		var ackAt, repliedAt, confirmedAt *time.Time
		outcome := qa.Outcome("")
		updated := at
		age := g.until.Sub(at)
		if age < 5*24*time.Hour {
			if age > 2*24*time.Hour {
				ack := at.Add(20 * time.Hour)
				ev(qa.EventAcknowledged, "", c.unit.ID, c.cadre.UserID, &replyDue, ack)
				status, ackAt, updated = qa.Studying, &ack, ack
			}
		} else {
			ack := at.Add(time.Duration(2+r.IntN(20)) * time.Hour)
			ev(qa.EventAcknowledged, "", c.unit.ID, c.cadre.UserID, &replyDue, ack)
			days := 1 + r.IntN(7)
			if r.IntN(20) == 0 {
				days = 8 + r.IntN(4) // late
			}
			due, _ := g.cal.AddWorkdays(at, days)
			replied := due.Add(time.Duration(9+r.IntN(8)) * time.Hour).UTC().Truncate(time.Second)
			if !replied.Before(g.until) {
				replied = g.until.Add(-time.Hour).UTC()
			}
			o := qa.Adopted
			switch k := r.IntN(10); {
			case k < 2:
				o = qa.Partly
			case k < 3:
				o = qa.NotAdopted
			}
			reply := fmt.Sprintf(t.Reply, bldg)
			if o == qa.NotAdopted {
				reply = "经居委会研究，暂不采纳。\n不采纳理由：该事项需业主大会表决，已建议通过业主委员会提出。"
			}
			re := ev(qa.EventReply, reply, c.unit.ID, c.cadre.UserID, nil, replied)
			re.outcomeText = string(o)
			facts := qa.EventFacts{ID: re.id, Community: c.unit.ID, Item: id, Kind: qa.EventReply, Body: reply, Outcome: string(o), Unit: c.unit.ID, At: re.at}
			for _, k := range []string{qa.LeafReply, qa.LeafOutcome} {
				raw, err := qa.LeafContent(k, facts)
				if err != nil {
					return nil, fmt.Errorf("gen: qa leaf: %w", err)
				}
				l := g.newLeaf(leaves, re.at, k, c.unit.ID, re.id, 1, sha256.Sum256(raw))
				if k == qa.LeafReply {
					re.reply = l
				} else {
					re.outcome = l
				}
			}
			status, ackAt, repliedAt, outcome, updated = qa.Replied, &ack, &replied, o, replied
			if conf := replied.Add(30 * time.Hour); r.IntN(3) == 0 && conf.Before(g.until) {
				ev(qa.EventConfirmed, "", 0, 0, nil, conf)
				status, confirmedAt = qa.Confirmed, &conf
			}
		}
		it := &qa.Item{CommunityID: c.unit.ID, StreetID: c.street, Kind: kind, Code: code, Category: t.Category, Body: body,
			Nickname: personName(r), Channel: channel, Status: status, ReceivedAt: at, AckDue: ackDue, AcknowledgedAt: ackAt,
			ReplyDue: replyDue, DueProvisional: prov, RepliedAt: repliedAt, Outcome: outcome, ConfirmedAt: confirmedAt}
		out.items = append(out.items, append([]any{id}, qa.ItemRow(it, g.district.ID, updated)...))
		g.sum.Questions++
		if c.index == 0 && status == qa.Replied {
			g.sum.QuestionCode = code
		}
	}
	return out, nil
}

type genEntry struct {
	e    finance.Entry
	leaf *leaf
}

type genPeriod struct {
	id, period            int64
	raw, sum              string
	income, expense       zh.Fen
	closedAt, publishedAt time.Time
	leaf                  *leaf
}

type finRows struct {
	entries  []*genEntry
	periods  []*genPeriod
	vouchers map[int]int
}

// books posts about ten entries a month and publishes each month's
// statement early in the next, reviewed by the supervisor; the month the
// span ends in stays open.
func (g *generator) books(r *rand.Rand, c *community, leaves *[]*leaf) (*finRows, error) {
	out := &finRows{vouchers: map[int]int{}}
	balances := map[int64]zh.Fen{}
	for _, a := range c.accounts {
		balances[a.ID] = a.Opening
	}
	name := func(id int64) string {
		for _, a := range c.accounts {
			if a.ID == id {
				return a.Name
			}
		}
		return ""
	}
	rules := finance.DefaultRules
	for m := time.Date(g.first.Year(), g.first.Month(), 1, 0, 0, 0, 0, mingbai.Shanghai); m.Before(g.until); m = m.AddDate(0, 1, 0) {
		p := finance.Period(m.Year()*100 + int(m.Month()))
		last := p.Last().Day()
		type line struct {
			account     int64
			cat         string
			amount      zh.Fen
			summary, cp string
			decision    string
		}
		lines := []line{{c.bank, "101", zh.Fen(500000 + r.IntN(30)*10000), "街道拨付办公经费", "街道财政所", ""}}
		if r.IntN(3) == 0 {
			lines = append(lines, line{c.bank, "103", zh.Fen(r.IntN(40)*5000 + 5000), "活动室场地使用费", "", ""})
		}
		for range 5 + r.IntN(6) {
			switch k := r.IntN(10); {
			case k < 4:
				lines = append(lines, line{c.bank, "201", zh.Fen(2000 + r.IntN(300)*100), []string{"购买办公用品", "打印纸、墨盒", "水电费", "电话网络费"}[r.IntN(4)], []string{"晨光文具店", "供电公司", "电信公司"}[r.IntN(3)], ""})
			case k < 7:
				lines = append(lines, line{c.bank, "202", zh.Fen(10000 + r.IntN(150)*1000), []string{"重阳节敬老活动", "纳凉晚会", "四点半课堂材料", "垃圾分类宣传品"}[r.IntN(4)], "", ""})
			case k < 9:
				lines = append(lines, line{c.bank, "205", zh.Fen(5000 + r.IntN(100)*1000), []string{"楼道灯维修", "门禁维修", "健身器材维修"}[r.IntN(3)], "物业维修队", ""})
			default:
				lines = append(lines, line{c.cash, "209", zh.Fen(1000 + r.IntN(50)*100), "零星支出", "", ""})
			}
		}
		if int(m.Month())%3 == 0 {
			lines = append(lines, line{c.bank, "20301", zh.Fen(900000 + r.IntN(10)*10000), "本季度干部补贴", "", "依据区民政局补贴标准"})
			d := zh.Fen(200000 + r.IntN(20)*10000)
			lines = append(lines, line{c.relief, "102", d, "辖区单位救灾救济捐款", "爱心企业", ""},
				line{c.relief, "204", d - zh.Fen(r.IntN(10)*10000), "困难家庭救助金发放", "", "居民代表会议议定"})
		}
		if r.IntN(6) == 0 {
			lines = append(lines, line{c.bank, "202", zh.Fen(250000 + r.IntN(100)*1000), "社区邻里节活动", "", "居民会议决定"})
		}
		for i, ln := range lines {
			cat := g.categories[ln.cat]
			if cat.id == 0 {
				return nil, fmt.Errorf("gen: no finance category %s", ln.cat)
			}
			// Income first in the month, spending after; never below zero.
			day := 1 + i*last/len(lines)
			if cat.dir == finance.Expense && balances[ln.account] < ln.amount {
				continue
			}
			if cat.dir == finance.Income {
				balances[ln.account] += ln.amount
			} else {
				balances[ln.account] -= ln.amount
			}
			date := finance.MakeDate(m.Year(), m.Month(), day)
			enteredAt := g.workTime(r, time.Date(m.Year(), m.Month(), day, 0, 0, 0, 0, mingbai.Shanghai)).UTC()
			if !enteredAt.Before(g.until) {
				continue
			}
			out.vouchers[m.Year()]++
			e := finance.Entry{ID: g.nextEntry, Community: c.unit.ID, AccountID: ln.account, AccountName: name(ln.account), Year: m.Year(),
				VoucherNo: out.vouchers[m.Year()], Date: date, Period: p, Direction: cat.dir, CategoryID: cat.id, CategoryCode: cat.code,
				CategoryName: cat.name, Amount: ln.amount, Summary: ln.summary, Counterparty: ln.cp, Decision: ln.decision,
				EnteredBy: c.cadre.UserID, EnteredName: c.cadre.Name, EnteredAt: enteredAt}
			g.nextEntry++
			out.entries = append(out.entries, &genEntry{e: e})
			g.sum.Entries++
		}
	}
	// Statements: closed on the 3rd–6th, published on the 8th–12th of the
	// next month. Entries are in date order within a month already.
	byPeriod := map[finance.Period][]*genEntry{}
	var order []finance.Period
	for _, e := range out.entries {
		if len(byPeriod[e.e.Period]) == 0 {
			order = append(order, e.e.Period)
		}
		byPeriod[e.e.Period] = append(byPeriod[e.e.Period], e)
	}
	opening := map[int64]zh.Fen{}
	for _, a := range c.accounts {
		opening[a.ID] = a.Opening
	}
	for _, p := range order {
		first := time.Date(p.Year(), time.Month(p.Month()), 1, 0, 0, 0, 0, mingbai.Shanghai).AddDate(0, 1, 0)
		closed := g.workTime(r, first.AddDate(0, 0, 2+r.IntN(4))).UTC().Truncate(time.Second)
		published := g.workTime(r, first.AddDate(0, 0, 7+r.IntN(5))).UTC().Truncate(time.Second)
		if !published.Before(g.until) {
			break // this month and later stay open
		}
		es := byPeriod[p]
		// Sort as the service lists them: date, year, voucher.
		slices.SortStableFunc(es, func(a, b *genEntry) int {
			if c := a.e.Date.Compare(b.e.Date.Time); c != 0 {
				return c
			}
			return cmp.Compare(a.e.VoucherNo, b.e.VoucherNo)
		})
		st := &finance.Statement{Community: c.unit.ID, CommunityName: c.unit.Name, Period: p.String(), ClosedAt: closed.Format(time.RFC3339),
			Accounts: []finance.StatementAccount{}, Categories: []finance.StatementCategory{}, Entries: []finance.EntryContent{},
			Subsidies: []finance.Subsidy{}, Donations: []finance.Donation{}, Distributions: []finance.Distribution{}, Fees: []finance.Fee{}}
		month := make([]*finance.Entry, len(es))
		for i, ge := range es {
			ge.e.Flagged = finance.Flagged(&ge.e, rules)
			month[i] = &ge.e
		}
		finance.TallyStatement(st, c.accounts, opening, month)
		for i, a := range c.accounts {
			opening[a.ID] = st.Accounts[i].Closing
		}
		raw, err := tlog.Canonical(st)
		if err != nil {
			return nil, fmt.Errorf("gen: statement: %w", err)
		}
		sum := sha256.Sum256(raw)
		gp := &genPeriod{id: g.nextPeriod, period: int64(p), raw: string(raw), sum: hex.EncodeToString(sum[:]),
			income: st.Income, expense: st.Expense, closedAt: closed, publishedAt: published}
		g.nextPeriod++
		for _, ge := range es {
			lc, err := tlog.Canonical(finance.LeafContent(&ge.e))
			if err != nil {
				return nil, fmt.Errorf("gen: entry: %w", err)
			}
			ge.leaf = g.newLeaf(leaves, published, finance.KindEntry, c.unit.ID, ge.e.ID, 1, sha256.Sum256(lc))
		}
		gp.leaf = g.newLeaf(leaves, published, finance.KindStatement, c.unit.ID, gp.id, 1, sum)
		out.periods = append(out.periods, gp)
		g.sum.Statements++
		if c.index == 0 {
			g.sum.StatementPeriod = p.String()
		}
	}
	return out, nil
}
