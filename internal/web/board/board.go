package board

import (
	"net/http"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/web"
)

type homeData struct {
	web.Page
	Trees []*org.Tree
}

func (s *handlers) homePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	districts, err := s.org.Districts(ctx)
	if err != nil {
		return err
	}
	d := &homeData{Page: s.NewPage(r, s.siteName)}
	for _, dist := range districts {
		tree, err := s.org.Tree(ctx, dist.ID)
		if err != nil {
			return err
		}
		d.Trees = append(d.Trees, tree)
	}
	s.Render(w, r, http.StatusOK, "home", d)
	return nil
}

type streetData struct {
	web.Page
	Street      *org.Unit
	District    *org.Unit
	Communities []org.Unit
}

func (s *handlers) streetPage(w http.ResponseWriter, r *http.Request) error {
	st := web.State(r)
	district, err := s.org.Unit(r.Context(), st.Street.ParentID)
	if err != nil {
		return err
	}
	cs, err := s.org.Children(r.Context(), st.Street.ID, false)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "street", &streetData{Page: s.NewPage(r, st.Street.Name), Street: st.Street, District: district, Communities: cs})
	return nil
}

type communityData struct {
	web.Page
	Community *org.Unit
	Street    *org.Unit
	Sections  []web.Section
	Current   *web.Section // nil on the overview
	CanManage bool
}

func (s *handlers) communityPage(w http.ResponseWriter, r *http.Request) error {
	if s.disclosure != nil {
		return s.boardPage(w, r, nil)
	}
	return s.renderCommunity(w, r, nil)
}

func (s *handlers) communitySection(w http.ResponseWriter, r *http.Request) error {
	sec, ok := web.SectionBySlug(r.PathValue("section"))
	if !ok {
		return web.ErrNotFound
	}
	if s.disclosure != nil {
		return s.boardPage(w, r, &sec)
	}
	return s.renderCommunity(w, r, &sec)
}

func (s *handlers) renderCommunity(w http.ResponseWriter, r *http.Request, sec *web.Section) error {
	st := web.State(r)
	title := st.Community.Name
	if sec != nil {
		title = sec.Label + "公开 · " + st.Community.Name
	}
	s.Render(w, r, http.StatusOK, "community", &communityData{
		Page:      s.NewPage(r, title),
		Community: st.Community,
		Street:    st.Street,
		Sections:  web.Sections,
		Current:   sec,
		CanManage: web.Actor(r).Has(mingbai.RoleCadre, st.Community.ID),
	})
	return nil
}
