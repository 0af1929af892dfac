package qa

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
)

// DemoTopic is a question's category, its text and the reply it gets.
type DemoTopic struct{ Category, Body, Reply string }

// DemoTopics are what the demo's residents write about, by category
// (a %d for the building in the question and in its reply); the data
// generator draws on them too.
var DemoTopics = []DemoTopic{
	{"环境卫生", "%d幢门口的垃圾桶经常满溢，夏天气味很大，希望增加清运次数。", "已与环卫所协调，%d幢门口垃圾每天清运两次。"},
	{"设施维修", "%d幢楼道的声控灯坏了好几盏，晚上上下楼看不清。", "已安排电工更换%d幢楼道灯，共换了 6 盏。"},
	{"物业管理", "%d幢楼下的电动车乱停，挡住了消防通道。", "已在%d幢楼下划定停车区并张贴提示，物业每天巡查。"},
	{"社区服务", "建议在%d幢附近设一个老年人休息的长椅。", "已在%d幢东侧安放两张长椅。"},
	{"文体活动", "希望夏天晚上在%d幢前的空地组织纳凉晚会。", "纳凉晚会已列入居民会议议题，地点在%d幢前空地。"},
	{"治安安全", "%d幢单元门的门禁坏了，陌生人随便进出。", "已报修%d幢门禁，三天内修好。"},
	{"居务公开", "希望把%d幢所在片区的公共收益情况也公开到公开栏。", "公共收益每季度在公开栏和网上公开，%d幢片区单列。"},
	{"设施维修", "%d幢屋顶漏水，顶楼住户家里墙面发霉。", "已申请维修资金，%d幢屋顶防水工程排期施工。"},
}

var demoNames = []string{"张桂兰", "李建华", "王秀英", "刘德明", "陈玉珍", "杨国强", "赵凤英", "黄志刚", "周淑芬", "吴海燕", ""}

// SeedDemo fills half a year of questions and suggestions for the demo
// district's street 锁金村街道, most of them in 锁金四村社区: hundreds
// received, most adopted, some overdue, one referred to a department, one
// reopened, and complaints at street level. It is deterministic and runs
// in one transaction, so it takes a second or two.
func SeedDemo(ctx context.Context, s *Service, d *org.DemoOrg, now time.Time) error {
	rng := rand.New(rand.NewPCG(20250915, 4))
	code := func() string {
		b := make([]byte, codeLen)
		for i := range b {
			b[i] = codeAlphabet[rng.IntN(len(codeAlphabet))]
		}
		return string(b)
	}
	now = now.UTC().Truncate(time.Second)
	start := now.AddDate(0, -6, 0)
	span := now.Sub(start)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		communities := []struct {
			id int64
			n  int
		}{{d.Suojin4, 300}, {d.Suojin1, 80}}
		referred, reopened := false, false
		for _, c := range communities {
			cm, err := org.LoadCommunity(ctx, tx, c.id, false)
			if err != nil {
				return err
			}
			for i := 0; i < c.n; i++ {
				// Spread receipts over the half year, in order.
				at := start.Add(time.Duration(float64(span) * (float64(i) + rng.Float64()) / float64(c.n)))
				at = at.Truncate(time.Second)
				t := DemoTopics[rng.IntN(len(DemoTopics))]
				bldg := 1 + rng.IntN(40)
				kind := Question
				if rng.IntN(3) == 0 {
					kind = Suggestion
				}
				channel := Online
				switch rng.IntN(6) {
				case 0:
					channel = Paper
				case 1:
					channel = Hotline
				}
				body := fmt.Sprintf(t.Body, bldg)
				if rng.IntN(10) == 0 {
					body += fmt.Sprintf("我的电话 139%08d。", rng.IntN(100000000))
				}
				ackDue, _ := s.Calendar().AddWorkdays(at, DefaultRules.AckWorkdays)
				replyDue, prov := s.Calendar().AddWorkdays(at, DefaultRules.ReplyWorkdays)
				row := &Item{CommunityID: c.id, StreetID: cm.ParentID, Kind: kind, Code: code(), Category: t.Category, Body: body,
					Channel: channel, Status: Received, ReceivedAt: at, AckDue: ackDue, ReplyDue: replyDue, DueProvisional: prov}
				row.Nickname = demoNames[rng.IntN(len(demoNames))]
				id, err := tx.InsertID(ctx, "INSERT INTO qa_items ("+ItemColumns+") VALUES ("+store.Placeholders(ItemWidth)+") RETURNING id",
					ItemRow(row, cm.DistrictID, at)...)
				if err != nil {
					return fmt.Errorf("demo item: %w", err)
				}
				if _, err := addEvent(ctx, tx, event{community: c.id, item: id, kind: EventReceived, body: string(channel), due: &replyDue, at: at}); err != nil {
					return err
				}
				if err := s.appendQuestionLeaf(ctx, tx, id); err != nil {
					return err
				}
				age := now.Sub(at)
				// The newest items are still open; a few older ones are
				// overdue (the cadres fell behind in one busy week).
				if age < 5*24*time.Hour || (age < 40*24*time.Hour && rng.IntN(12) == 0) {
					if age > 2*24*time.Hour {
						ack := at.Add(20 * time.Hour)
						if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, acknowledged_at = ? WHERE id = ?", string(Studying), ack, id); err != nil {
							return err
						}
						if err := s.addStep(ctx, tx, event{community: c.id, item: id, kind: EventAcknowledged, unit: c.id, due: &replyDue, at: ack}); err != nil {
							return err
						}
					}
					continue
				}
				ack := at.Add(time.Duration(2+rng.IntN(20)) * time.Hour)
				days := 1 + rng.IntN(8)
				if rng.IntN(15) == 0 {
					days = 9 + rng.IntN(4) // a late reply
				}
				due, _ := s.Calendar().AddWorkdays(at, days)
				replied := due.Add(time.Duration(9+rng.IntN(8)) * time.Hour).UTC()
				if replied.After(now) {
					replied = now.Add(-time.Hour)
				}
				if _, err := tx.Exec(ctx, "UPDATE qa_items SET acknowledged_at = ? WHERE id = ?", ack, id); err != nil {
					return err
				}
				if err := s.addStep(ctx, tx, event{community: c.id, item: id, kind: EventAcknowledged, unit: c.id, due: &replyDue, at: ack}); err != nil {
					return err
				}
				outcome := Adopted
				switch r := rng.IntN(10); {
				case r < 2:
					outcome = Partly
				case r < 3:
					outcome = NotAdopted
				}
				reply := fmt.Sprintf(t.Reply, bldg)
				if outcome == NotAdopted {
					reply = "经居委会研究，暂不采纳。\n不采纳理由：该事项需业主大会表决，已建议通过业主委员会提出。"
				}
				it := &Item{ID: id, CommunityID: c.id, Code: "", Kind: kind}
				if !referred && c.id == d.Suojin4 && t.Category == "社区服务" && age > 30*24*time.Hour {
					// One suggestion goes to 民政局, who answer in the thread.
					referred = true
					if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, referred_to = ? WHERE id = ?", string(Referred), d.CivilAffairs, id); err != nil {
						return err
					}
					it.ReferredTo = d.CivilAffairs
					if err := s.answer(ctx, tx, &mingbai.Actor{}, it, Answer{Body: "此事涉及养老服务设施，已转区民政局办理。", Outcome: ReferredTo, ReferTo: d.CivilAffairs}, c.id, ack.Add(time.Hour)); err != nil {
						return err
					}
					if err := s.answer(ctx, tx, &mingbai.Actor{}, it, Answer{Body: "区民政局已将锁金四村列入今年社区养老服务点建设计划。", Outcome: Adopted}, d.CivilAffairs, replied); err != nil {
						return err
					}
					continue
				}
				if err := s.answer(ctx, tx, &mingbai.Actor{}, it, Answer{Body: reply, Outcome: outcome}, c.id, replied); err != nil {
					return err
				}
				if !reopened && c.id == d.Suojin4 && now.Sub(replied) < 10*24*time.Hour && now.Sub(replied) > 24*time.Hour {
					// One resident was not satisfied and reopened it.
					reopened = true
					ro := replied.Add(20 * time.Hour)
					rdue, prov := s.Calendar().AddWorkdays(ro, DefaultRules.ReplyWorkdays)
					if _, err := tx.Exec(ctx, `UPDATE qa_items SET status = ?, reopened = ?, outcome = '', replied_at = NULL, reply_due = ?, due_provisional = ? WHERE id = ?`,
						string(Studying), true, rdue.UTC(), prov, id); err != nil {
						return err
					}
					if err := s.addStep(ctx, tx, event{community: c.id, item: id, kind: EventReopened, body: "说是修好了，可是晚上还是不亮，请再来看看。", due: &rdue, at: ro}); err != nil {
						return err
					}
					continue
				}
				if rng.IntN(3) == 0 {
					conf := replied.Add(30 * time.Hour)
					if conf.After(now) {
						continue
					}
					if _, err := tx.Exec(ctx, "UPDATE qa_items SET status = ?, confirmed_at = ? WHERE id = ?", string(Confirmed), conf, id); err != nil {
						return err
					}
					if err := s.addStep(ctx, tx, event{community: c.id, item: id, kind: EventConfirmed, at: conf}); err != nil {
						return err
					}
				}
			}
		}
		// An answer template for the cadres.
		if _, err := tx.Exec(ctx, "INSERT INTO qa_templates (community_id, title, body, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
			d.Suojin4, "已派人维修", "您反映的问题已收到，居委会已安排物业派人维修，预计三个工作日内完成。如仍有问题，请凭查询码重新提出。", now,
			d.Suojin4, "需业主大会决定", "经居委会研究，该事项需业主大会表决，暂不采纳。我们已建议业主委员会在下次会议上讨论。", now); err != nil {
			return fmt.Errorf("demo templates: %w", err)
		}
		// Complaints about the committees reach the street.
		complaints := []struct {
			community         int64
			category, body    string
			anonymous         bool
			name, contact     string
			daysAgo           int
			outcome, outcome2 string
		}{
			{d.Suojin4, "财务问题", "去年买电扇的钱到底用在哪里了，公开栏上没有写清楚。", false, "孙大爷", "13851234567", 120, Substantiated, "经核查，该笔支出已按居民会议决议用于纳凉晚会，但未及时公开明细，已责令补充公开。"},
			{d.Suojin4, "工作作风", "办事的时候工作人员态度不好，让我跑了三趟。", true, "", "", 60, PartlyFound, "已约谈相关工作人员，推行一次告知制度。"},
			{d.Suojin4, "优亲厚友", "低保评议时有干部亲属优先，请街道核查。", true, "", "", 20, "", ""},
			{d.Suojin1, "公开不实", "公开栏上的收费标准和实际收的不一样。", false, "钱先生", "025-85401111", 45, Unsubstantiated, "经核查，公开栏为旧标准，已更新；实际收费与新标准一致。"},
		}
		for _, c := range complaints {
			cm, err := org.LoadCommunity(ctx, tx, c.community, false)
			if err != nil {
				return err
			}
			at := now.AddDate(0, 0, -c.daysAgo)
			status := string(ComplaintReceived)
			var concluded any
			if c.outcome != "" {
				status = string(ComplaintConcluded)
				concluded = at.AddDate(0, 0, 12)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO qa_complaints (community_id, street_id, district_id, code, category, body, body_hash, anonymous, name, contact,
				status, outcome, conclusion, received_at, concluded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				c.community, cm.ParentID, cm.DistrictID, code(), c.category, c.body, bodyHash(c.body), c.anonymous, c.name, c.contact,
				status, c.outcome, c.outcome2, at, concluded); err != nil {
				return fmt.Errorf("demo complaint: %w", err)
			}
		}
		return nil
	})
}
