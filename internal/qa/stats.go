package qa

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mingbai"
	"mingbai/internal/store"
)

// Scope is what statistics count: one community, one street or one
// district (exactly one is set).
type Scope struct {
	Community, Street, District int64
}

func (sc Scope) where() (string, int64) {
	switch {
	case sc.Community != 0:
		return "community_id = ?", sc.Community
	case sc.Street != 0:
		return "street_id = ?", sc.Street
	}
	return "district_id = ?", sc.District
}

// Counts are the figures of one community, month or scope.
type Counts struct {
	Received   int
	Replied    int // answered (replied or confirmed)
	OnTime     int // answered by the due date
	OverdueNow int
	Adopted    int
	Partly     int
	NotAdopted int
	Referred   int // referred to the street or a department at some point
}

// Percent returns n as a whole percentage of the received items.
func (c Counts) Percent(n int) int {
	if c.Received == 0 {
		return 0
	}
	return (n*100 + c.Received/2) / c.Received
}

// Stats are the statistics of a scope over a period.
type Stats struct {
	From, To time.Time
	Counts
	// MedianWorkdays is the median number of working days from receipt to
	// reply, -1 when nothing was replied.
	MedianWorkdays float64
	Months         []MonthCounts
	Communities    []CommunityCounts // for a street or district
}

// LastDay is the last day the statistics cover: To is the start of the
// day after, which "至…前" would make a page read as one day too many
// ("6月1日至1月1日前").
func (s *Stats) LastDay() time.Time { return s.To.AddDate(0, 0, -1) }

// MonthCounts are the counts of items received in one month.
type MonthCounts struct {
	Month time.Time // first day, Shanghai
	Counts
}

// CommunityCounts are the counts of one community.
type CommunityCounts struct {
	ID         int64
	Name, Slug string
	Counts
}

// Stats counts the items (merged duplicates left out) received in [from,
// to) in a scope. Everything counted is public.
func (s *Service) Stats(ctx context.Context, sc Scope, from, to time.Time) (*Stats, error) {
	now := s.clock()
	st := &Stats{From: from, To: to, MedianWorkdays: -1}
	cond, id := sc.where()
	var days []int
	months := map[time.Time]*MonthCounts{}
	comms := map[int64]*CommunityCounts{}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		items, err := queryItems(ctx, tx, "WHERE i."+cond+" AND i.status <> 'merged' AND i.received_at >= ? AND i.received_at < ?", id, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		for _, it := range items {
			r := it.ReceivedAt.In(mingbai.Shanghai)
			m := time.Date(r.Year(), r.Month(), 1, 0, 0, 0, 0, mingbai.Shanghai)
			mc := months[m]
			if mc == nil {
				mc = &MonthCounts{Month: m}
				months[m] = mc
			}
			cc := comms[it.CommunityID]
			if cc == nil {
				cc = &CommunityCounts{ID: it.CommunityID}
				comms[it.CommunityID] = cc
			}
			for _, c := range []*Counts{&st.Counts, &mc.Counts, &cc.Counts} {
				count(c, it, now)
			}
			if it.RepliedAt != nil {
				days = append(days, s.Calendar().WorkdaysBetween(it.ReceivedAt, *it.RepliedAt))
			}
		}
		for _, cc := range comms {
			if err := tx.QueryRow(ctx, "SELECT name, slug FROM org_units WHERE id = ?", cc.ID).Scan(&cc.Name, &cc.Slug); err != nil {
				return fmt.Errorf("community of stats: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(days) > 0 {
		slices.Sort(days)
		n := len(days)
		if n%2 == 1 {
			st.MedianWorkdays = float64(days[n/2])
		} else {
			st.MedianWorkdays = float64(days[n/2-1]+days[n/2]) / 2
		}
	}
	// Every month of the period shows, even an empty one.
	f := from.In(mingbai.Shanghai)
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, mingbai.Shanghai); m.Before(to); m = m.AddDate(0, 1, 0) {
		if mc := months[m]; mc != nil {
			st.Months = append(st.Months, *mc)
		} else {
			st.Months = append(st.Months, MonthCounts{Month: m})
		}
	}
	if sc.Community == 0 {
		for _, cc := range comms {
			st.Communities = append(st.Communities, *cc)
		}
		slices.SortFunc(st.Communities, func(a, b CommunityCounts) int { return int(a.ID - b.ID) })
	}
	return st, nil
}

func count(c *Counts, it *Item, now time.Time) {
	c.Received++
	if it.RepliedAt != nil {
		c.Replied++
		if it.RepliedOnTime() {
			c.OnTime++
		}
	}
	if it.Overdue(now) {
		c.OverdueNow++
	}
	switch it.Outcome {
	case Adopted:
		c.Adopted++
	case Partly:
		c.Partly++
	case NotAdopted:
		c.NotAdopted++
	}
	if it.ReferredTo != 0 {
		c.Referred++
	}
}
