package disclosure

import (
	"context"
	"fmt"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/zh"
)

// SeedDemo fills the demo district's boards with a year of disclosures
// before now: the founding report's items for 锁金四村社区 (党务五公开,
// the service hall's departments, the residents' covenant, the election,
// the half-year statistics of suggestions, the finance tables and the
// story of the two electric fans), a lighter year for the other
// communities, some corrections, one withdrawal, one redaction, and
// 锁金一村社区 overdue on its quarterly finances. It does nothing when the
// demo board already has disclosures.
func SeedDemo(ctx context.Context, s *Service, d *org.DemoOrg) error {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM disclosures`).Scan(&n); err != nil {
		return fmt.Errorf("demo board: %w", err)
	}
	if n > 0 {
		return nil
	}
	var at time.Time
	// The demo publishes on days of the past year: the same service with a
	// clock of its own.
	demo := &Service{db: s.db, log: s.log, cal: s.cal, calOf: s.calOf, files: s.files, rules: s.rules, now: func() time.Time { return at }}
	actor := func(name string, r mingbai.Role, unit int64) *mingbai.Actor {
		return &mingbai.Actor{Name: name, Grants: []mingbai.Grant{{Role: r, UnitID: unit, District: d.District}}}
	}
	clerk := actor("民政局 刘科员", mingbai.RoleClerk, d.CivilAffairs)

	now := s.now().In(mingbai.Shanghai)
	// The four quarters before the current one, oldest first.
	q0 := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 9, 30, 0, 0, mingbai.Shanghai)
	type quarter struct {
		label string
		start time.Time
		after time.Time // a working morning early in the next quarter
	}
	var quarters []quarter
	for i := 4; i >= 1; i-- {
		st := q0.AddDate(0, -3*i, 0)
		quarters = append(quarters, quarter{
			label: fmt.Sprintf("%d年第%s季度", st.Year(), []string{"一", "二", "三", "四"}[(int(st.Month())-1)/3]),
			start: st, after: st.AddDate(0, 3, 6),
		})
	}
	year := quarters[3].start.Year()
	half := quarters[2]

	var err error
	// keep are the phones the demo cadre confirms as public (便民热线).
	publish := func(a *mingbai.Actor, community int64, code, title, period, body string, when time.Time, keep ...string) *Version {
		if err != nil {
			return nil
		}
		at = when.UTC()
		var items []Item
		if items, err = demo.Items(ctx, community); err != nil {
			return nil
		}
		var item int64
		for _, it := range items {
			if it.Code == code {
				item = it.ID
			}
		}
		var dr *Draft
		if dr, err = demo.CreateDraft(ctx, a, community, DraftInput{ItemID: item, Title: title, Period: period, Body: body, PublicPhones: keep}); err != nil {
			err = fmt.Errorf("demo %s: %w", title, err)
			return nil
		}
		var v *Version
		if v, err = demo.Publish(ctx, a, community, dr.ID); err != nil {
			err = fmt.Errorf("demo %s: %w", title, err)
		}
		return v
	}

	communities, phones := map[int64]string{}, map[int64]string{}
	units, qerr := s.db.Query(ctx, `SELECT id, name, phone FROM org_units WHERE kind = 'community' AND district_id = ?`, d.District)
	if qerr != nil {
		return fmt.Errorf("demo communities: %w", qerr)
	}
	for units.Next() {
		var id int64
		var name, phone string
		if err := units.Scan(&id, &name, &phone); err != nil {
			units.Close()
			return err
		}
		communities[id], phones[id] = name, phone
	}
	units.Close()

	for _, c := range d.Communities {
		name := communities[c]
		cadre := actor(name+"居委会", mingbai.RoleCadre, c)
		sec := actor(name+"党组织", mingbai.RolePartySecretary, c)
		start := quarters[0].start.AddDate(0, 0, 10)
		// The year's standards and goals go up in January of the newest
		// quarter's year.
		january := time.Date(year, 1, 12, 9, 30, 0, 0, mingbai.Shanghai)
		publish(sec, c, "party-fees", name+"党费收缴标准", fmt.Sprintf("%d年", year), partyFeeBody, january)
		publish(sec, c, "party-goals", fmt.Sprintf("%s%d年党建工作目标", name, year), fmt.Sprintf("%d年", year), "1. 落实“三会一课”制度，每月第一个星期五为主题党日。\n2. 在职党员到社区报到率达到100%。\n3. 发展党员1至2名，做好预备党员教育考察。", january.AddDate(0, 0, 1))
		publish(cadre, c, "covenant", name+"居民公约", "", covenantBody, start.AddDate(0, 0, 3))
		// The office's own number is kept as a public phone; any other
		// number in a demo text is masked like a cadre's would be.
		var office []string
		for _, n := range zh.FindNumbers(phones[c]) {
			office = append(office, n.Digits)
		}
		publish(cadre, c, "hotlines", name+"便民服务热线", "", "- 居委会值班电话："+phones[c]+"\n- 供电报修：95598\n- 燃气报修：025-968888\n- 市民热线：12345", start.AddDate(0, 0, 4), office...)
		publish(cadre, c, "division", name+"居委会成员分工", "", "| 姓名 | 分工 | 联系楼栋 |\n|---|---|---|\n| 王主任 | 全面工作、财务 | 1—4幢 |\n| 李副主任 | 党建、民政 | 5—8幢 |\n| 张委员 | 综治、调解 | 9—12幢 |", start.AddDate(0, 0, 5))
		for i, q := range quarters {
			publish(sec, c, "party-fees", fmt.Sprintf("%s%s党费收缴情况", name, q.label), q.label,
				fmt.Sprintf("本季度应缴党员%d名，实缴%d名，合计%d.%02d元，已全额上缴街道党工委。", 38+i, 38+i, 3400+i*37, (i*13)%100), q.after)
			// 锁金一村 stopped publishing its finances after the first
			// quarter: it is the overdue community of the demo.
			if c == d.Suojin1 && i > 0 {
				continue
			}
			if c != d.Suojin4 {
				publish(cadre, c, "income-expense", fmt.Sprintf("%s%s居委会收支情况", name, q.label), q.label,
					fmt.Sprintf("| 项目 | 收入（元） | 支出（元） |\n|---|---|---|\n| 街道拨付办公经费 | 5,000.00 | |\n| 办公用品 | | %d.00 |\n| 社区活动 | | %d.00 |\n| **合计** | **5,000.00** | **%d.00** |", 620+i*40, 1800+i*120, 2420+i*160), q.after.AddDate(0, 0, 1))
			}
		}
	}
	if err != nil {
		return err
	}

	// 锁金四村社区: the founding report's board.
	A := d.Suojin4
	cadre := actor("锁金四村社区居委会", mingbai.RoleCadre, A)
	sec := actor("锁金四村社区党组织", mingbai.RolePartySecretary, A)
	q := quarters
	publish(sec, A, "party-members", "在职党员公开身份", fmt.Sprintf("%d年", year), "| 姓名 | 所在楼栋 | 承诺事项 |\n|---|---|---|\n| 李建国 | 12幢 | 楼道卫生监督 |\n| 周敏 | 7幢 | 帮扶独居老人 |\n| 陈立 | 3幢 | 义务调解邻里纠纷 |", q[0].after.AddDate(0, 0, 8))
	publish(sec, A, "party-development", "发展对象公示", q[2].label, "经支部委员会研究，拟将**赵磊**同志列为发展对象，现予公示。公示期5个工作日。对公示对象有意见的，可向社区党组织或街道党工委反映。", q[2].after.AddDate(0, 0, -20))
	publish(clerk, A, "gov-duties", "一门通服务大厅进驻部门及职责", "", "| 窗口 | 部门 | 主要职责 |\n|---|---|---|\n| 1号 | 玄武区民政局 | 低保、救助、养老服务 |\n| 2号 | 玄武区人力资源和社会保障局 | 就业登记、社保 |\n| 3号 | 玄武区市场监督管理局 | 个体工商户登记 |\n| 4号 | 玄武区税务局 | 代开发票、税务咨询 |", q[0].after.AddDate(0, 0, 3))
	publish(clerk, A, "gov-services", "最低生活保障申请办事指南", "", "# 申请条件\n家庭月人均收入低于本市低保标准，且家庭财产符合规定。\n# 所需材料\n- 申请书\n- 户口簿、身份证\n- 家庭收入证明\n# 办理流程\n1. 向社区提出申请\n2. 街道入户调查\n3. 社区公示7天\n4. 区民政局审批\n# 承诺时限\n公示结束后10个工作日内作出决定。", q[0].after.AddDate(0, 0, 4))
	publish(cadre, A, "election", "第十二届居民委员会选举结果", fmt.Sprintf("%d年", year), "经居民代表大会选举，产生第十二届居民委员会：\n- 主任：王秀英（得票86）\n- 副主任：李建国（得票81）\n- 委员：张伟、刘芳、孙丽\n任期五年。", q[1].after.AddDate(0, 0, 12))
	publish(cadre, A, "yearly-plan", fmt.Sprintf("%d年社区工作计划", year), fmt.Sprintf("%d年", year), "1. 完成12幢、14幢加装电梯意见征集。\n2. 开展夏季纳凉晚会等邻里活动。\n3. 提问栏问题7个工作日内答复。", time.Date(year, 1, 15, 9, 30, 0, 0, mingbai.Shanghai))
	publish(cadre, A, "suggestions", fmt.Sprintf("%s居民意见建议办理情况（半年统计）", half.label), half.label, "| 类别 | 收到 | 已答复 | 采纳 |\n|---|---|---|---|\n| 环境卫生 | 14 | 14 | 9 |\n| 物业管理 | 11 | 10 | 6 |\n| 治安 | 5 | 5 | 3 |\n| **合计** | **30** | **29** | **18** |\n未答复的1件已转街道办理。", half.after.AddDate(0, 0, 2))
	publish(cadre, A, "civility", "文明楼栋、文明家庭评选结果", fmt.Sprintf("%d年", year-1), "文明楼栋：7幢、12幢。文明家庭：周家、陈家、赵家。", q[0].after.AddDate(0, 0, 15))

	// The two electric fans: the plan, the meeting, the party, the money.
	plan := publish(cadre, A, "income-expense", q[1].label+"居委会收支情况", q[1].label,
		"| 项目 | 收入（元） | 支出（元） |\n|---|---|---|\n| 街道拨付办公经费 | 5,000.00 | |\n| 办公用品 | | 640.00 |\n| **合计** | **5,000.00** | **640.00** |\n\n**支出计划**：拟购买电扇两台，预算 360.00 元，公示期内居民可提出异议。", q[1].after)
	publish(cadre, A, "meeting-decisions", "居民会议关于电扇经费改办纳凉晚会的决定", q[2].label,
		"居民提出：居委会办公室已有空调，不必再买电扇。\n居民会议到会代表58人（应到86人，超过半数），表决：同意52票，反对4票，弃权2票。\n**决定**：原定购买电扇两台的360元用于举办夏季纳凉晚会。", q[2].start.AddDate(0, 0, 20))
	for i, qq := range q {
		if i == 1 {
			continue
		}
		extra := ""
		if i == 2 {
			extra = "\n| 夏季纳凉晚会（居民会议决定） | | 360.00 |"
		}
		publish(cadre, A, "income-expense", qq.label+"居委会收支情况", qq.label,
			fmt.Sprintf("| 项目 | 收入（元） | 支出（元） |\n|---|---|---|\n| 街道拨付办公经费 | 5,000.00 | |\n| 办公用品 | | %d.00 |%s", 600+i*30, extra), qq.after)
	}
	publish(cadre, A, "cadre-pay", q[3].label+"干部补贴发放情况", q[3].label, "| 姓名 | 职务 | 补贴（元） |\n|---|---|---|\n| 王秀英 | 主任 | 3,600.00 |\n| 李建国 | 副主任 | 3,300.00 |\n| 张伟 | 委员 | 3,000.00 |", q[3].after.AddDate(0, 0, 2))
	relief := publish(cadre, A, "relief", "防汛救灾物资发放情况", q[2].label, "| 户主 | 物资 | 数量 |\n|---|---|---|\n| 王*英 | 大米 | 10公斤 |\n| 陈*明 | 食用油 | 5升 |\n领取人住址：锁金四村12幢301室", q[2].start.AddDate(0, 1, 3))
	notice := publish(cadre, A, "service-items", "夏季义诊活动通知", q[2].label, "社区卫生服务中心将于本周六上午在社区广场举办义诊。", q[2].start.AddDate(0, 0, 5))
	if err != nil {
		return err
	}

	// A correction, with a reason: the plan's office supplies were 680.
	at = q[1].after.AddDate(0, 0, 3).UTC()
	if _, err := demo.Correct(ctx, cadre, A, plan.DisclosureID, CorrectInput{
		Title: plan.Title, Period: plan.Period, Version: 1, Reason: "办公用品支出抄录有误，应为680.00元（发票号00231）",
		Body: "| 项目 | 收入（元） | 支出（元） |\n|---|---|---|\n| 街道拨付办公经费 | 5,000.00 | |\n| 办公用品 | | 680.00 |\n| **合计** | **5,000.00** | **680.00** |\n\n**支出计划**：拟购买电扇两台，预算 360.00 元，公示期内居民可提出异议。",
	}); err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	// A withdrawal that says why.
	at = q[2].start.AddDate(0, 0, 6).UTC()
	if _, err := demo.Withdraw(ctx, cadre, A, notice.DisclosureID, 1, "因天气原因义诊活动取消，改期另行通知。"); err != nil {
		return fmt.Errorf("demo withdrawal: %w", err)
	}
	// A redaction: a household's address that should never have been public
	// (the number detector masks phones and IDs before they are stored; an
	// address is personal data that only a person recognises).
	at = q[2].start.AddDate(0, 1, 5).UTC()
	if err := demo.Redact(ctx, cadre, A, relief.DisclosureID, 1, RedactInput{
		Mask: []string{"12幢301室"},
		What: "领取人门牌号", Why: "误登受助家庭住址，依《个人信息保护法》删除",
	}); err != nil {
		return fmt.Errorf("demo redaction: %w", err)
	}
	return nil
}

const partyFeeBody = `# 在职党员
按税后月工资收入计算，按全额比例缴纳（非累进）：

| 月收入（税后） | 比例 |
|---|---|
| 3000元以下（含） | 0.5% |
| 3000元至5000元（含） | 1% |
| 5000元至10000元（含） | 1.5% |
| 10000元以上 | 2% |

例：税后月收入5400元，每月缴纳81元。
# 离退休党员
月收入5000元以下（含）0.5%，5000元以上1%。
# 其他
学生、未就业党员、享受低保的党员每月0.2元。依据中组发〔2008〕3号。`

const covenantBody = `# 居民公约
1. 爱护公共设施，不乱贴乱画，不占用消防通道。
2. 垃圾分类投放，不高空抛物。
3. 文明养犬，及时清理。
4. 邻里和睦，互帮互助，关心独居老人。
5. 积极参加居民会议，依法表达意见。`
