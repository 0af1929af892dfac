package web

import (
	"net/http"
	"slices"

	"mingbai"
	"mingbai/internal/zh"
)

// Personal numbers in what a cadre publishes (disclosures, ledger entries)
// are masked by the feature's service before anything is stored. The forms
// warn first: a text holding a number the cadre has not yet been shown goes
// back to them with the list of numbers found and how each will read, and a
// checkbox on each phone to keep it as an office's public phone (便民热线).
// Nothing but a ticked phone is kept; an ID number never is.

// NumberChoice is a personal number found in a form's text, as the form
// lists it.
type NumberChoice struct {
	zh.Number
	Keep bool // ticked as an office's public phone
}

// ErrNumbersFound sends a form back to the cadre with its numbers listed.
var ErrNumbersFound = mingbai.Errorf(mingbai.EINVALID,
	"内容中有个人号码（手机号、固定电话或身份证号码），保存后将按下表遮盖。请核对：单位的公开电话（如便民热线）可勾选保留，其余号码不会公开。确认后请再次提交。")

// FindNumbers lists the personal numbers in texts, each once.
func FindNumbers(texts ...string) []zh.Number {
	var out []zh.Number
	seen := map[string]bool{}
	for _, t := range texts {
		for _, n := range zh.FindNumbers(t) {
			if !seen[n.Digits] {
				seen[n.Digits] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// ReviewNumbers lists on f the personal numbers in a submitted form's
// texts and returns the phones the cadre ticked to keep. The form carries
// each number it listed back as seen_number; while a number was never
// listed, it returns errNumbersFound, so nothing is saved before the cadre
// has seen what will be masked.
func ReviewNumbers(r *http.Request, f *Form, texts ...string) ([]string, error) {
	seen, ticked := r.PostForm["seen_number"], r.PostForm["public_phone"]
	var keep []string
	var unseen bool
	f.Numbers = nil
	for _, n := range FindNumbers(texts...) {
		c := NumberChoice{Number: n, Keep: n.Keepable() && slices.Contains(ticked, n.Digits)}
		if c.Keep {
			keep = append(keep, n.Digits)
		}
		unseen = unseen || !slices.Contains(seen, n.Digits)
		f.Numbers = append(f.Numbers, c)
	}
	if unseen {
		return nil, ErrNumbersFound
	}
	return keep, nil
}

// ListKeptNumbers lists on f the numbers a stored text still shows, ticked:
// the service masks every other one, so each was kept by a cadre's choice
// when the text was saved, and editing the text again keeps it unless the
// cadre unticks it.
func ListKeptNumbers(f *Form, texts ...string) {
	f.Numbers = nil
	for _, n := range FindNumbers(texts...) {
		f.Numbers = append(f.Numbers, NumberChoice{Number: n, Keep: n.Keepable()})
	}
}
