package web

import (
	"mingbai/internal/zh"
	"net/http"
	"strings"

	"mingbai"
)

// Form carries what a user typed and a message per field, so a form that
// fails validation comes back filled in with the problem beside the field.
type Form struct {
	Values map[string]string
	Errors map[string]string
	Error  string // a message about the whole form
	// Numbers are the personal numbers found in the form's texts (see
	// ReviewNumbers), listed with a choice for each.
	Numbers []NumberChoice
}

// NewForm returns a form holding the named fields of r's body, trimmed;
// with no fields, an empty form to fill.
func NewForm(r *http.Request, fields ...string) *Form {
	f := &Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

// Fail records err on the form: beside its field when it names one. A
// field holding invisible characters the text rule refuses (often pasted
// along with the text) comes back without them and says so: the writer
// cannot see them to delete them, and sees what sending again will store.
func (f *Form) Fail(err error) {
	msg := mingbai.ErrorMessage(err)
	if field := mingbai.ErrorField(err); field != "" {
		if v, ok := f.Values[field]; ok && zh.Visible(v) != strings.ReplaceAll(v, "\r\n", "\n") {
			f.Values[field] = zh.Visible(v)
			msg = "这里有看不见的特殊字符（多半是复制时带进来的），已为您删去，请核对后再提交。"
		}
		f.Errors[field] = msg
		if f.Error == "" {
			f.Error = "请按提示修改后再提交。"
		}
		return
	}
	f.Error = msg
}

// Finish ends the handling of a form post. A validation error (see
// FormError) is written on f, and show draws the form again with the
// error's status; any other error goes to the error page; success sends
// the browser to next(), so that reloading the page does not post again.
// next is called only on success, when what it names exists.
func Finish(w http.ResponseWriter, r *http.Request, err error, f *Form, show func(status int) error, next func() string) error {
	if FormError(err) {
		f.Fail(err)
		return show(StatusOf(mingbai.ErrorCode(err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, next(), http.StatusSeeOther)
	return nil
}
