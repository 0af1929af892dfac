package web

import (
	"net/http"
	"net/url"

	"mingbai"
	"mingbai/internal/export"
)

// AttachmentHeader marks an answer as a download named name, kept out of
// shared caches (a cadre's export may hold what only they may read).
func AttachmentHeader(w http.ResponseWriter, name string, f export.Format) {
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+"."+string(f)))
	w.Header().Set("Cache-Control", "private, no-store")
}

// WriteTables answers with tables as a download: by ?format, XLSX (the
// default, every table a sheet), CSV or JSON (one table each: the one
// named by ?table, the last by default). name is the file name without
// its extension.
func WriteTables(w http.ResponseWriter, r *http.Request, name string, tables ...export.Table) error {
	q := r.URL.Query()
	f := export.Format(q.Get("format"))
	switch f {
	case "":
		f = export.XLSX
	case export.XLSX, export.CSV, export.JSON:
	default:
		return mingbai.FieldError("format", "导出格式只能是 xlsx、csv 或 json。")
	}
	if f != export.XLSX && len(tables) > 1 {
		t := tables[len(tables)-1]
		if n := q.Get("table"); n != "" {
			found := false
			for _, x := range tables {
				if x.Name == n {
					t, found = x, true
				}
			}
			if !found {
				return mingbai.FieldError("table", "没有名为“%s”的表。", n)
			}
		}
		tables = []export.Table{t}
	}
	if f != export.XLSX && tables[0].Name != "" {
		name += "-" + tables[0].Name
	}
	AttachmentHeader(w, name, f)
	return export.Write(w, f, tables...)
}
