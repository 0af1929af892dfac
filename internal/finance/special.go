package finance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"mingbai"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// The special disclosures (专项公开) of DOMAIN.md's 财务 catalog: cadre
// subsidies and bonuses, relief money and goods received and distributed,
// and fees collected. Each is recorded in an open month and becomes public
// with that month's statement, which carries them, so they are in the log
// with it. Recipients of relief are stored by name for the cadres and only
// ever shown masked (张*某 style, zh.MaskName).

// Subsidy is one cadre's subsidy or bonus for a month.
type Subsidy struct {
	ID     int64  `json:"id"`
	Period string `json:"period"`
	Person string `json:"person"`
	Post   string `json:"post"`
	Kind   string `json:"kind"` // subsidy or bonus
	Amount zh.Fen `json:"amount"`
	Basis  string `json:"basis"` // the document or decision it is paid under
}

// KindLabel is 补贴 or 奖金.
func (s Subsidy) KindLabel() string {
	if s.Kind == "bonus" {
		return "奖金"
	}
	return "补贴"
}

// Donation is relief money or goods received.
type Donation struct {
	ID         int64  `json:"id"`
	Period     string `json:"period"`
	ReceivedOn string `json:"received_on"`
	Donor      string `json:"donor"` // "" is 匿名
	Item       string `json:"item"`
	Unit       string `json:"unit"`
	Quantity   int64  `json:"quantity"`
	Value      zh.Fen `json:"value"`
	Note       string `json:"note"`
}

// DonorLabel is the donor's name or 匿名.
func (d Donation) DonorLabel() string {
	if d.Donor == "" {
		return "匿名"
	}
	return d.Donor
}

// Distribution is part of a donation given to a household. Household is
// masked whenever it leaves the service.
type Distribution struct {
	ID            int64  `json:"id"`
	DonationID    int64  `json:"donation_id"`
	Period        string `json:"period"`
	DistributedOn string `json:"distributed_on"`
	Household     string `json:"household"`
	Quantity      int64  `json:"quantity"`
	Value         zh.Fen `json:"value"`
}

// Fee is what was collected of one fee type in a month.
type Fee struct {
	ID      int64  `json:"id"`
	Period  string `json:"period"`
	FeeType string `json:"fee_type"`
	Payers  int64  `json:"payers"`
	Amount  zh.Fen `json:"amount"`
	Note    string `json:"note"`
}

// specialCheck loads the community, checks the cadre and that month p is
// open.
func (s *Service) openMonth(ctx context.Context, tx *store.Tx, c *community, d Date) error {
	_, ps, err := periodStateOf(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	return ps.postable(d, s.today())
}

// AddSubsidy records a cadre's subsidy or bonus for month p.
func (s *Service) AddSubsidy(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, sub Subsidy) (int64, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return 0, err
	}
	if sub.Person, err = (zh.Text{Field: "person", Label: "姓名", Min: 1, Max: 20}).Clean(sub.Person); err != nil {
		return 0, err
	}
	if sub.Post, err = cleanPublicText(zh.Text{Field: "post", Label: "职务", Max: 30, Multiline: true}, sub.Post, nil); err != nil {
		return 0, err
	}
	if sub.Basis, err = cleanPublicText(zh.Text{Field: "basis", Label: "发放依据", Min: 1, Max: 200, Multiline: true}, sub.Basis, nil); err != nil {
		return 0, err
	}
	if sub.Kind != "subsidy" && sub.Kind != "bonus" {
		return 0, mingbai.FieldError("kind", "请选择补贴或奖金。")
	}
	if sub.Amount <= 0 {
		return 0, mingbai.FieldError("amount", "金额必须大于零。")
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		if err := s.openMonth(ctx, tx, c, p.First()); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO fin_subsidies (community_id, period, person, post, kind, amount, basis, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, int(p), sub.Person, sub.Post, sub.Kind, int64(sub.Amount), sub.Basis, a.UserID, s.now())
		if err != nil {
			return fmt.Errorf("add subsidy: %w", err)
		}
		return nil
	})
	return id, err
}

// AddDonation records relief money or goods received on date d.
func (s *Service) AddDonation(ctx context.Context, a *mingbai.Actor, communityID int64, d Date, don Donation) (int64, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return 0, err
	}
	if don.Donor, err = cleanPublicText(zh.Text{Field: "donor", Label: "捐赠人", Max: 60, Multiline: true}, don.Donor, nil); err != nil {
		return 0, err
	}
	if don.Donor == "匿名" {
		don.Donor = ""
	}
	if don.Item, err = cleanPublicText(zh.Text{Field: "item", Label: "物品或款项", Min: 1, Max: 60, Multiline: true}, don.Item, nil); err != nil {
		return 0, err
	}
	if don.Unit, err = (zh.Text{Field: "unit", Label: "单位", Max: 10}).Clean(don.Unit); err != nil {
		return 0, err
	}
	if don.Note, err = cleanPublicText(zh.Text{Field: "note", Label: "备注", Max: 200, Multiline: true}, don.Note, nil); err != nil {
		return 0, err
	}
	if don.Quantity < 0 || don.Value < 0 || (don.Quantity == 0 && don.Value == 0) {
		return 0, mingbai.FieldError("quantity", "请填写数量或价值。")
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		if err := s.openMonth(ctx, tx, c, d); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO fin_donations (community_id, period, received_on, donor, item, unit, quantity, value, note, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, int(PeriodOf(d)), d.String(), don.Donor, don.Item, don.Unit,
			don.Quantity, int64(don.Value), don.Note, a.UserID, s.now())
		if err != nil {
			return fmt.Errorf("add donation: %w", err)
		}
		return nil
	})
	return id, err
}

// Distribute records part of a donation given to a household on date d.
// It never gives out more than is left of the donation.
func (s *Service) Distribute(ctx context.Context, a *mingbai.Actor, communityID, donationID int64, d Date, household string, quantity int64, value zh.Fen) (int64, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return 0, err
	}
	if household, err = (zh.Text{Field: "household", Label: "户主姓名", Min: 1, Max: 20}).Clean(household); err != nil {
		return 0, err
	}
	if quantity < 0 || value < 0 || (quantity == 0 && value == 0) {
		return 0, mingbai.FieldError("quantity", "请填写发放数量或金额。")
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		var don Donation
		var received string
		err := tx.QueryRow(ctx, "SELECT received_on, item, quantity, value FROM fin_donations WHERE id = ? AND community_id = ?", donationID, c.ID).
			Scan(&received, &don.Item, &don.Quantity, &don.Value)
		if errors.Is(err, sql.ErrNoRows) {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该捐赠。")
		}
		if err != nil {
			return fmt.Errorf("read donation %d: %w", donationID, err)
		}
		if d.Before(mustDate(received)) {
			return mingbai.FieldError("date", "发放日期早于收到捐赠的日期。")
		}
		if err := s.openMonth(ctx, tx, c, d); err != nil {
			return err
		}
		var q, v int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(SUM(quantity), 0), COALESCE(SUM(value), 0) FROM fin_distributions WHERE donation_id = ? AND community_id = ?",
			donationID, c.ID).Scan(&q, &v); err != nil {
			return fmt.Errorf("distributed of donation %d: %w", donationID, err)
		}
		if q+quantity > don.Quantity {
			return mingbai.FieldError("quantity", "“%s”只剩 %d，不够发放 %d。", don.Item, don.Quantity-q, quantity)
		}
		if zh.Fen(v)+value > don.Value {
			return mingbai.FieldError("value", "“%s”只剩 %s 元，不够发放 %s 元。", don.Item, (don.Value - zh.Fen(v)).String(), value.String())
		}
		id, err = tx.InsertID(ctx, `INSERT INTO fin_distributions (community_id, donation_id, period, distributed_on, household, quantity, value, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, donationID, int(PeriodOf(d)), d.String(), household, quantity, int64(value), a.UserID, s.now())
		if err != nil {
			return fmt.Errorf("add distribution: %w", err)
		}
		return nil
	})
	return id, err
}

// AddFee records the fees of one type collected in month p.
func (s *Service) AddFee(ctx context.Context, a *mingbai.Actor, communityID int64, p Period, fee Fee) (int64, error) {
	c, err := s.cadreOf(ctx, a, communityID)
	if err != nil {
		return 0, err
	}
	if fee.FeeType, err = cleanPublicText(zh.Text{Field: "fee_type", Label: "收费项目", Min: 1, Max: 30, Multiline: true}, fee.FeeType, nil); err != nil {
		return 0, err
	}
	if fee.Note, err = cleanPublicText(zh.Text{Field: "note", Label: "收费依据或备注", Max: 200, Multiline: true}, fee.Note, nil); err != nil {
		return 0, err
	}
	if fee.Payers < 0 || fee.Amount <= 0 {
		return 0, mingbai.FieldError("amount", "请填写收费金额。")
	}
	var id int64
	err = s.writeTo(ctx, c, func(tx *store.Tx) error {
		if err := s.openMonth(ctx, tx, c, p.First()); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO fin_fees (community_id, period, fee_type, payers, amount, note, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, int(p), fee.FeeType, fee.Payers, int64(fee.Amount), fee.Note, a.UserID, s.now())
		if err != nil {
			return fmt.Errorf("add fee: %w", err)
		}
		return nil
	})
	return id, err
}

// specialsTx reads the special disclosures of months from..to, with
// recipients masked.
func specialsTx(ctx context.Context, tx *store.Tx, communityID int64, from, to Period) ([]Subsidy, []Donation, []Distribution, []Fee, error) {
	subs := []Subsidy{}
	dons := []Donation{}
	dists := []Distribution{}
	fees := []Fee{}
	rows, err := tx.Query(ctx, `SELECT id, period, person, post, kind, amount, basis FROM fin_subsidies
		WHERE community_id = ? AND period BETWEEN ? AND ? ORDER BY period, id`, communityID, int(from), int(to))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read subsidies: %w", err)
	}
	for rows.Next() {
		var x Subsidy
		var p int
		if err := rows.Scan(&x.ID, &p, &x.Person, &x.Post, &x.Kind, &x.Amount, &x.Basis); err != nil {
			rows.Close()
			return nil, nil, nil, nil, fmt.Errorf("read subsidies: %w", err)
		}
		x.Period = Period(p).String()
		subs = append(subs, x)
	}
	rows.Close()
	rows, err = tx.Query(ctx, `SELECT id, period, received_on, donor, item, unit, quantity, value, note FROM fin_donations
		WHERE community_id = ? AND period BETWEEN ? AND ? ORDER BY received_on, id`, communityID, int(from), int(to))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read donations: %w", err)
	}
	for rows.Next() {
		var x Donation
		var p int
		if err := rows.Scan(&x.ID, &p, &x.ReceivedOn, &x.Donor, &x.Item, &x.Unit, &x.Quantity, &x.Value, &x.Note); err != nil {
			rows.Close()
			return nil, nil, nil, nil, fmt.Errorf("read donations: %w", err)
		}
		x.Period = Period(p).String()
		dons = append(dons, x)
	}
	rows.Close()
	rows, err = tx.Query(ctx, `SELECT id, donation_id, period, distributed_on, household, quantity, value FROM fin_distributions
		WHERE community_id = ? AND period BETWEEN ? AND ? ORDER BY distributed_on, id`, communityID, int(from), int(to))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read distributions: %w", err)
	}
	for rows.Next() {
		var x Distribution
		var p int
		if err := rows.Scan(&x.ID, &x.DonationID, &p, &x.DistributedOn, &x.Household, &x.Quantity, &x.Value); err != nil {
			rows.Close()
			return nil, nil, nil, nil, fmt.Errorf("read distributions: %w", err)
		}
		x.Period = Period(p).String()
		x.Household = zh.MaskName(x.Household)
		dists = append(dists, x)
	}
	rows.Close()
	rows, err = tx.Query(ctx, `SELECT id, period, fee_type, payers, amount, note FROM fin_fees
		WHERE community_id = ? AND period BETWEEN ? AND ? ORDER BY period, id`, communityID, int(from), int(to))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read fees: %w", err)
	}
	for rows.Next() {
		var x Fee
		var p int
		if err := rows.Scan(&x.ID, &p, &x.FeeType, &x.Payers, &x.Amount, &x.Note); err != nil {
			rows.Close()
			return nil, nil, nil, nil, fmt.Errorf("read fees: %w", err)
		}
		x.Period = Period(p).String()
		fees = append(fees, x)
	}
	rows.Close()
	return subs, dons, dists, fees, rows.Err()
}

// Specials is the special disclosures a reader may see.
type Specials struct {
	Subsidies     []Subsidy
	Donations     []DonationTrace
	Fees          []Fee
	SubsidyTotal  zh.Fen
	FeeTotal      zh.Fen
	DonationValue zh.Fen
}

// SubsidyMonth is one month of the subsidies table, as the board groups
// it: a resident reads a month at a time, and the month's total is what
// the month's statement pays out under 干部补贴.
type SubsidyMonth struct {
	Period string
	Rows   []Subsidy
	Total  zh.Fen
}

// SubsidyMonths groups Subsidies by month, the newest month first; the
// months' totals add up to SubsidyTotal.
func (sp *Specials) SubsidyMonths() []SubsidyMonth {
	var out []SubsidyMonth
	at := map[string]int{}
	for _, s := range sp.Subsidies {
		i, ok := at[s.Period]
		if !ok {
			i = len(out)
			at[s.Period] = i
			out = append(out, SubsidyMonth{Period: s.Period})
		}
		out[i].Rows = append(out[i].Rows, s)
		out[i].Total += s.Amount
	}
	slices.SortStableFunc(out, func(a, b SubsidyMonth) int { return strings.Compare(b.Period, a.Period) })
	return out
}

// DonationTrace is a donation with every distribution of it and the
// running balance after each, so a resident can follow it to the end.
type DonationTrace struct {
	Donation
	Steps         []TraceStep
	LeftQuantity  int64
	LeftValue     zh.Fen
	FullyAccounts bool // nothing left
}

// TraceStep is one distribution and what remained after it.
type TraceStep struct {
	Distribution
	LeftQuantity int64
	LeftValue    zh.Fen
}

// SpecialsOf returns the special disclosures of published months (all
// months for those who see unpublished data), between from and to (0: no
// bound). Distributions of a donation are traced whatever month they are
// in, as far as the reader may see.
func (s *Service) SpecialsOf(ctx context.Context, a *mingbai.Actor, communityID int64, from, to Period) (*Specials, error) {
	c, acc, err := s.communityAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if from == 0 {
		from = 200001
	}
	if to == 0 {
		to = 219912
	}
	out := &Specials{}
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		published := map[string]bool{}
		if !acc.SeesUnpublished() {
			rows, err := tx.Query(ctx, "SELECT period FROM fin_periods WHERE community_id = ? AND status = 'published'", c.ID)
			if err != nil {
				return fmt.Errorf("published periods: %w", err)
			}
			for rows.Next() {
				var p int
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return err
				}
				published[Period(p).String()] = true
			}
			rows.Close()
		}
		visible := func(p string) bool { return acc.SeesUnpublished() || published[p] }
		subs, dons, _, fees, err := specialsTx(ctx, tx, c.ID, from, to)
		if err != nil {
			return err
		}
		_, _, dists, _, err := specialsTx(ctx, tx, c.ID, 200001, 219912)
		if err != nil {
			return err
		}
		for _, x := range subs {
			if visible(x.Period) {
				out.Subsidies = append(out.Subsidies, x)
				out.SubsidyTotal += x.Amount
			}
		}
		for _, x := range fees {
			if visible(x.Period) {
				out.Fees = append(out.Fees, x)
				out.FeeTotal += x.Amount
			}
		}
		for _, d := range dons {
			if !visible(d.Period) {
				continue
			}
			t := DonationTrace{Donation: d, LeftQuantity: d.Quantity, LeftValue: d.Value}
			for _, x := range dists {
				if x.DonationID != d.ID || !visible(x.Period) {
					continue
				}
				t.LeftQuantity -= x.Quantity
				t.LeftValue -= x.Value
				t.Steps = append(t.Steps, TraceStep{Distribution: x, LeftQuantity: t.LeftQuantity, LeftValue: t.LeftValue})
			}
			t.FullyAccounts = t.LeftQuantity == 0 && t.LeftValue == 0
			out.Donations = append(out.Donations, t)
			out.DonationValue += d.Value
		}
		return nil
	})
	return out, err
}
