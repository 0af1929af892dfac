package finance

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mingbai"
	"mingbai/internal/finance"
	"mingbai/internal/web"
)

// redactRows is how many rectangles the redaction form offers; the
// script fills them by dragging on the picture, and without it a cadre
// types the pixel figures (the picture shows its size).
var redactRows = []int{1, 2, 3, 4}

// financeRedact blacks out the posted rectangles on a receipt image. The
// form sends x, y, w and h once per rectangle; rows left empty are
// skipped.
func (s *handlers) financeRedact(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "attachment")
	if err != nil {
		return err
	}
	st := web.State(r)
	f := web.NewForm(r, "redact_reason", "entry")
	// On a form error the entry's page is shown again.
	r.SetPathValue("entry", f.Values["entry"])
	err = func() error {
		if err := r.ParseForm(); err != nil {
			return mingbai.FieldError("boxes", "表单内容不对。")
		}
		xs, ys, ws, hs := r.PostForm["x"], r.PostForm["y"], r.PostForm["w"], r.PostForm["h"]
		if len(ys) != len(xs) || len(ws) != len(xs) || len(hs) != len(xs) {
			return mingbai.FieldError("boxes", "每个区域都要填左边距、上边距、宽、高四个数。")
		}
		var boxes []finance.Rect
		for i := range xs {
			vals := []string{strings.TrimSpace(xs[i]), strings.TrimSpace(ys[i]), strings.TrimSpace(ws[i]), strings.TrimSpace(hs[i])}
			f.Values[fmt.Sprintf("box%d", i+1)] = strings.Join(vals, ",")
			if vals[0]+vals[1]+vals[2]+vals[3] == "" {
				continue
			}
			var n [4]int
			for j, v := range vals {
				k, err := strconv.Atoi(v)
				if err != nil {
					return mingbai.FieldError("boxes", "第 %d 个区域：四个数都要填整数（像素）。", i+1)
				}
				n[j] = k
			}
			boxes = append(boxes, finance.Rect{X: n[0], Y: n[1], W: n[2], H: n[3]})
		}
		_, err := s.finance.RedactAttachment(r.Context(), web.Actor(r), st.Community.ID, id, boxes, f.Values["redact_reason"])
		if mingbai.ErrorField(err) == "reason" {
			// The entry page's reversal form has its own "reason" field.
			return mingbai.FieldError("redact_reason", "%s", mingbai.ErrorMessage(err))
		}
		return err
	}()
	if err != nil {
		if _, perr := strconv.ParseInt(f.Values["entry"], 10, 64); perr != nil {
			return err
		}
		return s.formFailed(w, r, err, f, s.renderEntry)
	}
	http.Redirect(w, r, fmt.Sprintf("/c/%s/finance/entries/%s?done=redacted", st.Community.Slug, f.Values["entry"]), http.StatusSeeOther)
	return nil
}
