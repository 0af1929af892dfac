package web

import (
	"net/http"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(r.Context()); err != nil {
		s.logger.Error("readyz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return nil
	}
	w.Write([]byte("ok\n"))
	return nil
}

type apiCommunity struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	StreetSlug    string `json:"street_slug"`
	StreetName    string `json:"street_name"`
	DistrictName  string `json:"district_name"`
	DistrictCode  string `json:"district_code"`
	Phone         string `json:"phone"`
	BoardLocation string `json:"board_location"`
	URL           string `json:"url"`
}

// apiCommunities lists every community that is not archived.
func (s *Server) apiCommunities(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	districts, err := s.org.Districts(ctx)
	if err != nil {
		return err
	}
	out := []apiCommunity{}
	for _, d := range districts {
		tree, err := s.org.Tree(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, st := range tree.Streets {
			for _, c := range st.Communities {
				out = append(out, apiCommunity{
					ID: c.ID, Slug: c.Slug, Name: c.Name,
					StreetSlug: st.Street.Slug, StreetName: st.Street.Name,
					DistrictName: d.Name, DistrictCode: d.GBCode,
					Phone: c.Phone, BoardLocation: c.BoardLocation, URL: "/c/" + c.Slug,
				})
			}
		}
	}
	WriteJSON(w, http.StatusOK, struct {
		Communities []apiCommunity `json:"communities"`
	}{out})
	return nil
}
