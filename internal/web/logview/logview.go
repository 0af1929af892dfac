package logview

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/tlog"
	"mingbai/internal/web"
)

// logPages are the public pages about the transparency log.
var logPages = map[string][]string{
	"log":      {"log/log.html", "partials/verify.html"},
	"log_leaf": {"log/leaf.html", "partials/verify.html"},
}

func (s *handlers) registerLogRoutes() {
	if s.log == nil {
		return
	}
	s.Handle("GET /log", web.Public, s.logPage)
	s.Handle("GET /log/leaves/{index}", web.Public, s.leafPage)
	// The machine-readable log: C2SP checkpoint and tiles, proofs.
	logHandler := http.StripPrefix("/log", s.log.Handler())
	s.Handle("GET /log/", web.Public, func(w http.ResponseWriter, r *http.Request) error {
		logHandler.ServeHTTP(w, r)
		return nil
	})
}

// checkpointView is a checkpoint as pages show it.
type checkpointView struct {
	Size     int64
	RootHex  string
	RootHead string // the first 16 hex digits, as printed on the board
	KeyName  string
	SignedAt time.Time
	Note     string
}

func (s *handlers) checkpointView() checkpointView {
	cp := s.log.Checkpoint()
	root := hex.EncodeToString(cp.Root[:])
	v := checkpointView{Size: cp.Size, RootHex: root, RootHead: root[:16], KeyName: s.log.Origin(), SignedAt: cp.SignedAt, Note: string(cp.Note)}
	return v
}

type logData struct {
	web.Page
	Checkpoint checkpointView
	VKey       string
	Origin     string
	BaseURL    string
	Refusal    string
}

func (s *handlers) logPage(w http.ResponseWriter, r *http.Request) error {
	d := &logData{
		Page:       s.NewPage(r, "公开日志"),
		Checkpoint: s.checkpointView(),
		VKey:       s.log.VerifierKey(),
		Origin:     s.log.Origin(),
		BaseURL:    s.BaseURL(r),
	}
	if err := s.log.Refusal(); err != nil {
		d.Refusal = mingbai.ErrorMessage(err)
	}
	s.Render(w, r, http.StatusOK, "log", d)
	return nil
}

// kindLabels names each kind of leaf in Chinese.
var kindLabels = map[string]string{
	"disclosure":   "公开事项",
	"catalog_item": "公开目录项",
	"ledger_entry": "收支记录",
	"statement":    "财务公开表",
	"qa_reply":     "回音",
	"qa_outcome":   "办理结果",
	"qa_extension": "延期说明",
	"qa_hidden":    "屏蔽说明",
	"qa_question":  "居民提问",
	"qa_step":      "提问办理步骤",

	"disclosure_redaction": "删除个人信息记录",
	"receipt_mask":         "票据遮盖记录",
	"fin_budget":           "年度预算",
	"org_unit":             "组织机构变更",
}

// KindLabel is the Chinese name of a kind of leaf, "" for a kind it does
// not know (a test checks every kind the program appends has one).
func KindLabel(kind string) string { return kindLabels[kind] }

// leafView is one leaf as its page shows it.
type leafView struct {
	Index         int64
	Kind          string
	KindLabel     string
	Object        string
	Version       int64
	Time          time.Time
	ContentSHA256 string
	Corrects      *int64
	Withdraws     *int64
	Community     *org.Unit
	Entry         string
	Raw           bool // not an envelope: a raw entry (bench server)
}

type leafData struct {
	web.Page
	Leaf       leafView
	Checkpoint checkpointView
	Included   bool // the newest checkpoint already covers the leaf
}

func (s *handlers) leafPage(w http.ResponseWriter, r *http.Request) error {
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || index < 0 {
		return mingbai.Errorf(mingbai.ENOTFOUND, "叶子编号应为非负整数。")
	}
	lf, err := s.log.Leaf(r.Context(), index)
	if err != nil {
		return err
	}
	v := leafView{Index: lf.Index, Kind: lf.Kind, Object: lf.Object, Version: lf.Version, Entry: string(lf.Entry)}
	if e, err := tlog.ParseEnvelope(lf.Entry); err == nil {
		v.Time = e.Time
		v.ContentSHA256 = hex.EncodeToString(e.ContentSHA256[:])
		v.Corrects, v.Withdraws = e.Corrects, e.Withdraws
		if e.Community != 0 {
			if u, err := s.org.Unit(r.Context(), e.Community); err == nil {
				v.Community = u
			}
		}
	} else {
		v.Raw = true
	}
	v.KindLabel = KindLabel(v.Kind)
	if v.KindLabel == "" {
		v.KindLabel = strings.TrimSpace(v.Kind)
	}
	cp := s.checkpointView()
	s.Render(w, r, http.StatusOK, "log_leaf", &leafData{Page: s.NewPage(r, "公开日志第 "+strconv.FormatInt(index, 10)+" 号记录"), Leaf: v, Checkpoint: cp, Included: index < cp.Size})
	return nil
}

// serveVerifierScript serves the log's in-browser verifier.
func serveVerifierScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(tlog.VerifierScript)
}
