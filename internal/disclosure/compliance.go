package disclosure

import (
	"context"
	"fmt"
	"sort"

	"mingbai"
)

// Todo returns the catalog items of a community that the actor keeps and
// that need a disclosure: overdue first (longest late first), then never
// published, then due soon.
func (s *Service) Todo(ctx context.Context, a *mingbai.Actor, communityID int64) ([]BoardItem, error) {
	board, err := s.Board(ctx, communityID)
	if err != nil {
		return nil, err
	}
	c, err := s.communityOf(ctx, communityID)
	if err != nil {
		return nil, err
	}
	var out []BoardItem
	for _, sec := range board {
		for _, bi := range sec.Items {
			if bi.Fresh.State != "fresh" && canPublish(a, c, &bi.Item) {
				out = append(out, bi)
			}
		}
	}
	rank := map[string]int{"overdue": 0, "never": 1, "soon": 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Fresh, out[j].Fresh
		if rank[a.State] != rank[b.State] {
			return rank[a.State] < rank[b.State]
		}
		if a.State == "overdue" {
			return a.DaysOverdue > b.DaysOverdue
		}
		return a.Due.Before(b.Due)
	})
	return out, nil
}

// CommunityRef names a community in a matrix.
type CommunityRef struct {
	ID   int64
	Name string
	Slug string
}

// MatrixRow is one community's standing on every district catalog item.
type MatrixRow struct {
	Community CommunityRef
	Cells     []BoardItem // in the order of Matrix.Items; Latest nil when never
	Late      int         // overdue or never published
}

// Matrix is the compliance of the communities of one street against the
// district's catalog.
type Matrix struct {
	Items []Item
	Rows  []MatrixRow
}

// StreetMatrix returns the compliance matrix of a street's live communities
// by the items of its district's catalog.
func (s *Service) StreetMatrix(ctx context.Context, streetID int64) (*Matrix, error) {
	var district int64
	err := s.db.QueryRow(ctx, `SELECT district_id FROM org_units WHERE id = ? AND kind = 'street'`, streetID).Scan(&district)
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该街道。")
	}
	if err != nil {
		return nil, fmt.Errorf("street %d: %w", streetID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, slug FROM org_units WHERE parent_id = ? AND kind = 'community' AND archived_at IS NULL ORDER BY position, id`, streetID)
	if err != nil {
		return nil, fmt.Errorf("communities of street %d: %w", streetID, err)
	}
	var cs []CommunityRef
	for rows.Next() {
		var c CommunityRef
		if err := rows.Scan(&c.ID, &c.Name, &c.Slug); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan community: %w", err)
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	all, err := s.DistrictItems(ctx, district)
	if err != nil {
		return nil, err
	}
	m := &Matrix{}
	col := map[int64]int{}
	for _, it := range all {
		if it.ArchivedAt == nil {
			col[it.ID] = len(m.Items)
			m.Items = append(m.Items, it)
		}
	}
	for _, c := range cs {
		board, err := s.Board(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		row := MatrixRow{Community: c, Cells: make([]BoardItem, len(m.Items))}
		for _, sec := range board {
			for _, bi := range sec.Items {
				if i, ok := col[bi.ID]; ok {
					row.Cells[i] = bi
					if bi.Fresh.Late() {
						row.Late++
					}
				}
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}
