package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"mingbai"
)

// statusOf is the HTTP status of each user-facing error code.
var statusOf = map[string]int{
	mingbai.EINVALID:      http.StatusBadRequest,
	mingbai.ENOTFOUND:     http.StatusNotFound,
	mingbai.ECONFLICT:     http.StatusConflict,
	mingbai.EFORBIDDEN:    http.StatusForbidden,
	mingbai.EUNAUTHORIZED: http.StatusUnauthorized,
	mingbai.ETOOMANY:      http.StatusTooManyRequests,
	mingbai.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	mingbai.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// StatusOf maps an error code to an HTTP status: 500 for an internal
// error or an unknown code.
func StatusOf(code string) int {
	if st, ok := statusOf[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
}

// RenderError is the one place an error becomes a response. Internal
// errors are logged with the request id; the user sees only a generic
// Chinese message and that id.
func (s *Server) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The visitor left before the answer was ready (a closed tab, a
		// load driver stopping): nothing failed and nobody is reading.
		s.logger.Info("request abandoned", "id", RequestID(r), "method", r.Method, "path", r.URL.Path)
		return
	}
	code := mingbai.ErrorCode(err)
	status := StatusOf(code)
	if status >= 500 {
		s.logger.Error("internal error", "id", RequestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	msg := mingbai.ErrorMessage(err)
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	if wantsJSON(r) {
		WriteJSON(w, status, apiError{Error: apiErrorBody{Code: code, Message: msg, Field: mingbai.ErrorField(err), RequestID: RequestID(r)}})
		return
	}
	heading := map[int]string{
		http.StatusBadRequest:            "请求有误",
		http.StatusUnauthorized:          "请先登录",
		http.StatusForbidden:             "没有权限",
		http.StatusNotFound:              "找不到这个页面",
		http.StatusConflict:              "操作没有完成",
		http.StatusTooManyRequests:       "操作太频繁",
		http.StatusRequestEntityTooLarge: "内容太大",
		http.StatusServiceUnavailable:    "暂停服务",
		http.StatusInternalServerError:   "服务器出错了",
	}[status]
	s.Render(w, r, status, "error", &errorPage{Page: s.NewPage(r, heading), Status: status, Heading: heading, Message: msg})
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id"`
}

func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// notFound is the error of an unknown path.
var ErrNotFound = mingbai.Errorf(mingbai.ENOTFOUND, "您要找的页面不存在，可能地址有误或已经调整。")

// FormError reports whether err is a validation error a form should show
// beside its fields rather than on an error page.
func FormError(err error) bool {
	var e *mingbai.Error
	return errors.As(err, &e) && (e.Code == mingbai.EINVALID || e.Code == mingbai.ECONFLICT)
}
