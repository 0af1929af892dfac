package finance

import (
	"context"
	"fmt"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// The street keeps the books for its communities (居账街管): its officers
// see every community's ledger, which months are late to close, which
// statements wait for review, and which large expenses have no decision.

// CommunityBooks is one community's state as the street sees it.
type CommunityBooks struct {
	Community     org.Unit
	HasBooks      bool
	LastPublished Period
	Waiting       []Period // closed, waiting for the supervisor
	Returned      []Period // returned, waiting for the cadre's answer
	Unclosed      []Period // ended and not closed
	Late          []Period // past the closing day and not closed (part of Unclosed)
	Flagged       int      // large expenses with neither decision nor reason
}

// StreetBooks returns the books of every community of a street. Only the
// street's officers and the district's admins may see them.
func (s *Service) StreetBooks(ctx context.Context, a *mingbai.Actor, streetID int64) ([]CommunityBooks, error) {
	street, err := s.org.Unit(ctx, streetID)
	if err != nil {
		return nil, err
	}
	if street.Kind != org.Street {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该街道。")
	}
	if !a.OfficerOf(street.ID) && !a.IsDistrictAdmin(street.ParentID) {
		return nil, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本街道干部可以查看各社区账簿。")
	}
	units, err := s.org.Children(ctx, street.ID, false)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var out []CommunityBooks
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := rulesTx(ctx, tx, street.ParentID)
		if err != nil {
			return err
		}
		for _, u := range units {
			cb, err := standingTx(ctx, tx, u, r, today)
			if err != nil {
				return err
			}
			out = append(out, cb)
		}
		return nil
	})
	return out, err
}

// Standing returns the state of one community's books, as the street's
// page shows it, for its cadres and supervisors (their workbench).
func (s *Service) Standing(ctx context.Context, a *mingbai.Actor, communityID int64) (CommunityBooks, error) {
	if !a.Has(mingbai.RoleCadre, communityID) && !a.Has(mingbai.RoleSupervisor, communityID) {
		return CommunityBooks{}, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区干部和监督委员会成员可以查看。")
	}
	u, err := s.org.Unit(ctx, communityID)
	if err != nil {
		return CommunityBooks{}, err
	}
	var cb CommunityBooks
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := rulesTx(ctx, tx, u.DistrictID)
		if err != nil {
			return err
		}
		cb, err = standingTx(ctx, tx, *u, r, s.today())
		return err
	})
	return cb, err
}

// standingTx is the state of community u's books on day today under the
// district's rules r.
func standingTx(ctx context.Context, tx *store.Tx, u org.Unit, r Rules, today Date) (CommunityBooks, error) {
	cb := CommunityBooks{Community: u}
	b, err := booksTx(ctx, tx, u.ID)
	if err == errNoBooks {
		return cb, nil
	}
	if err != nil {
		return cb, err
	}
	cb.HasBooks = true
	rows, err := tx.Query(ctx, "SELECT period, status FROM fin_periods WHERE community_id = ? ORDER BY period", u.ID)
	if err != nil {
		return cb, fmt.Errorf("periods of %d: %w", u.ID, err)
	}
	last := b.Start.Prev()
	for rows.Next() {
		var p int
		var status string
		if err := rows.Scan(&p, &status); err != nil {
			rows.Close()
			return cb, fmt.Errorf("periods of %d: %w", u.ID, err)
		}
		switch status {
		case StatusPublished:
			cb.LastPublished = Period(p)
		case StatusClosed:
			cb.Waiting = append(cb.Waiting, Period(p))
		case StatusReturned:
			cb.Returned = append(cb.Returned, Period(p))
		}
		last = Period(p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cb, err
	}
	for p := last.Next(); p < PeriodOf(today); p = p.Next() {
		cb.Unclosed = append(cb.Unclosed, p)
		if closeDue(p, r).Before(today) {
			cb.Late = append(cb.Late, p)
		}
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM fin_entries WHERE community_id = ? AND direction = 'expense' AND amount > ? AND decision = '' AND reason = ''`,
		u.ID, int64(r.ExpenseThreshold)).Scan(&cb.Flagged); err != nil {
		return cb, fmt.Errorf("flagged of %d: %w", u.ID, err)
	}
	return cb, nil
}

// closeDue is the last day to close month p.
func closeDue(p Period, r Rules) Date {
	return Date{p.Next().First().AddDate(0, 0, r.CloseDueDay-1)}
}

// RollupRow is one community's month in the district roll-up.
type RollupRow struct {
	CommunityID   int64
	CommunityName string
	StreetName    string
	Status        string
	Income        zh.Fen
	Expense       zh.Fen
}

// StatusLabel is the month's status in Chinese.
func (r RollupRow) StatusLabel() string { return StatusLabel(r.Status) }

// Rollup is every community of a district in month p: income, expense
// and status, from the statements. Only the district's admins may see it.
func (s *Service) Rollup(ctx context.Context, a *mingbai.Actor, districtID int64, p Period) ([]RollupRow, zh.Fen, zh.Fen, error) {
	if !a.IsDistrictAdmin(districtID) {
		return nil, 0, 0, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区管理员可以查看全区汇总。")
	}
	var out []RollupRow
	var in, ex zh.Fen
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, c.name, st.name, COALESCE(p.status, 'open'), COALESCE(p.income, 0), COALESCE(p.expense, 0)
			FROM org_units c
			JOIN org_units st ON st.id = c.parent_id
			LEFT JOIN fin_periods p ON p.community_id = c.id AND p.period = ?
			WHERE c.district_id = ? AND c.kind = 'community' AND c.archived_at IS NULL
			ORDER BY st.position, st.id, c.position, c.id`, int(p), districtID)
		if err != nil {
			return fmt.Errorf("rollup %s: %w", p, err)
		}
		defer rows.Close()
		for rows.Next() {
			var r RollupRow
			if err := rows.Scan(&r.CommunityID, &r.CommunityName, &r.StreetName, &r.Status, &r.Income, &r.Expense); err != nil {
				return fmt.Errorf("rollup %s: %w", p, err)
			}
			in += r.Income
			ex += r.Expense
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, in, ex, err
}
