package finance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"mingbai"
	"mingbai/internal/zh"
)

// SeedDemo fills 锁金四村社区's books with two years of months before the
// current one: entries, cadre subsidies, fees, a relief donation traced to
// households, and the money side of the two electric fans (the plan was
// dropped after residents objected; the summer evening party was paid
// instead, under the residents' meeting's decision). Every month but the
// last is closed, reviewed and published; last month is left open for the
// cadre to close. The amounts come from a fixed seed, so the demo is the
// same on every start in the same month.
func SeedDemo(ctx context.Context, s *Service, communityID int64, cadre, supervisor *mingbai.Actor) error {
	now := DateOf(s.clock())
	cur := PeriodOf(now)
	start := cur
	for i := 0; i < 24; i++ {
		start = start.Prev()
	}
	if err := s.OpenBooks(ctx, cadre, communityID, start, []NewAccount{
		{Name: "现金", Kind: Cash, Opening: 80000},
		{Name: "银行存款", Kind: Bank, Opening: 6500000},
		{Name: "救灾救济", Kind: Earmarked},
	}); err != nil {
		return fmt.Errorf("demo books: %w", err)
	}
	b, err := s.BooksOf(ctx, communityID)
	if err != nil {
		return err
	}
	c, err := s.community(ctx, communityID, false)
	if err != nil {
		return err
	}
	cats, err := s.Categories(ctx, c.District)
	if err != nil {
		return err
	}
	cat := map[string]int64{}
	for _, ct := range cats {
		cat[ct.Name] = ct.ID
	}
	acct := map[string]int64{}
	for _, a := range b.Accounts {
		acct[a.Name] = a.ID
	}
	rng := rand.New(rand.NewPCG(4, 2004))
	post := func(d Date, account, category string, amount zh.Fen, summary, counterparty, decision string) error {
		_, err := s.Post(ctx, cadre, communityID, NewEntry{AccountID: acct[account], Date: d, CategoryID: cat[category], Amount: amount,
			Summary: summary, Counterparty: counterparty, Decision: decision})
		if err != nil {
			return fmt.Errorf("demo entry %s %s: %w", d, summary, err)
		}
		return nil
	}
	day := func(p Period, d int) Date { return MakeDate(p.Year(), time.Month(p.Month()), d) }
	fansMonth := Period((cur.Year()-1)*100 + 7)
	if fansMonth >= cur.Prev() {
		fansMonth = cur.Prev().Prev()
	}
	reliefMonth := start.Next().Next().Next()
	for p := start; p < cur; p = p.Next() {
		if p.Month()%3 == 1 || p == start {
			if err := post(day(p, 3), "银行存款", "工作经费", 3000000, fmt.Sprintf("街道拨付%d年第%d季度社区工作经费", p.Year(), (p.Month()+2)/3), "锁金村街道办事处", ""); err != nil {
				return err
			}
		}
		if err := post(day(p, 6), "现金", "办公费", zh.Fen(8000+rng.IntN(40000)), "购买办公用品、打印纸", "苏果超市", ""); err != nil {
			return err
		}
		if err := post(day(p, 12), "银行存款", "活动经费", zh.Fen(30000+rng.IntN(90000)), "社区文体活动用品", "", ""); err != nil {
			return err
		}
		if err := post(day(p, 15), "银行存款", "干部补贴", 540000, fmt.Sprintf("%s社区干部补贴（3人）", p.Label()), "", "玄民〔2024〕12号"); err != nil {
			return err
		}
		// The fee table and the voucher of each month come from one count
		// of cars at the one rate, so they agree.
		cars := 20 + rng.IntN(5)
		if err := post(day(p, 4), "现金", "收费", zh.Fen(cars*3000), fmt.Sprintf("收取停车管理费（%d辆，每车每月30元）", cars), "", ""); err != nil {
			return err
		}
		if p.Month()%2 == 0 {
			if err := post(day(p, 21), "银行存款", "维修费", zh.Fen(20000+rng.IntN(120000)), "楼道照明维修", "玄武物业维修队", ""); err != nil {
				return err
			}
		}
		if p == fansMonth {
			if err := post(day(p, 25), "银行存款", "活动经费", 238000, "纳凉晚会：音响租赁、茶水、西瓜、场地布置", "锁金四村文艺队",
				"居民会议决议：不购买两台电风扇（居委会已有空调），改办纳凉晚会"); err != nil {
				return err
			}
		}
		if p == fansMonth.Next() {
			// One large repair with neither decision nor reason, which the
			// board flags for residents to ask about.
			if err := post(day(p, 9), "银行存款", "维修费", 320000, "活动室屋顶防水维修", "玄武物业维修队", ""); err != nil {
				return err
			}
		}
		if p == reliefMonth {
			if err := post(day(p, 8), "救灾救济", "捐赠收入", 500000, "收到匿名爱心人士捐款（救灾救济专款）", "", ""); err != nil {
				return err
			}
			if err := post(day(p, 20), "救灾救济", "救助", 300000, "发放困难家庭救助金（6户）", "", "社区两委会议决定"); err != nil {
				return err
			}
			rice, err := s.AddDonation(ctx, cadre, communityID, day(p, 8), Donation{Donor: "南京爱心粮油公司", Item: "大米（10公斤）", Unit: "袋", Quantity: 40, Value: 400000})
			if err != nil {
				return fmt.Errorf("demo donation: %w", err)
			}
			cash, err := s.AddDonation(ctx, cadre, communityID, day(p, 8), Donation{Item: "现金", Unit: "元", Value: 500000, Note: "存入救灾救济专户"})
			if err != nil {
				return fmt.Errorf("demo donation: %w", err)
			}
			households := []string{"张建国", "李桂英", "王德明", "赵秀兰", "刘长海", "陈玉珍", "周福生", "欧阳娜娜"}
			for i, h := range households {
				if _, err := s.Distribute(ctx, cadre, communityID, rice, day(p, 10+i), h, 5, 50000); err != nil {
					return fmt.Errorf("demo distribution: %w", err)
				}
				if i < 6 {
					if _, err := s.Distribute(ctx, cadre, communityID, cash, day(p, 20), h, 0, 50000); err != nil {
						return fmt.Errorf("demo distribution: %w", err)
					}
				}
			}
		}
		for _, sub := range []Subsidy{
			{Person: "王秀英", Post: "居委会主任", Kind: "subsidy", Amount: 200000, Basis: "玄民〔2024〕12号"},
			{Person: "李建国", Post: "党委书记", Kind: "subsidy", Amount: 200000, Basis: "玄民〔2024〕12号"},
			{Person: "陈晓燕", Post: "居委会委员", Kind: "subsidy", Amount: 140000, Basis: "玄民〔2024〕12号"},
		} {
			if _, err := s.AddSubsidy(ctx, cadre, communityID, p, sub); err != nil {
				return fmt.Errorf("demo subsidy: %w", err)
			}
		}
		if _, err := s.AddFee(ctx, cadre, communityID, p, Fee{FeeType: "停车管理费", Payers: int64(cars), Amount: zh.Fen(cars * 3000), Note: "居民会议通过的收费标准：每车每月30元"}); err != nil {
			return fmt.Errorf("demo fee: %w", err)
		}
		if p == cur.Prev() {
			break // last month stays open for the cadre to close
		}
		if err := s.Close(ctx, cadre, communityID, p, ""); err != nil {
			return fmt.Errorf("demo close %s: %w", p, err)
		}
		if err := s.Approve(ctx, supervisor, communityID, p, "账实相符，同意公开"); err != nil {
			return fmt.Errorf("demo approve %s: %w", p, err)
		}
	}
	// A budget for the year of the latest published month, so the board
	// shows budget against actual (活动经费 deliberately tight).
	budget := map[int64]zh.Fen{}
	for name, amt := range map[string]zh.Fen{"工作经费": 36000000, "办公费": 300000, "活动经费": 500000, "维修费": 600000} {
		if id, ok := cat[name]; ok {
			budget[id] = amt
		}
	}
	if err := s.SetBudget(ctx, cadre, communityID, cur.Prev().Prev().Year(), budget); err != nil {
		return fmt.Errorf("demo budget: %w", err)
	}
	return nil
}
