package tlog

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"mingbai"
)

// TileHeight is the height of C2SP tiles: 256 hashes or entries each.
const TileHeight = 8

const tileWidth = 1 << TileHeight

// Handler serves the log over HTTP in the C2SP tlog-tiles layout, relative
// to where it is mounted (serve mounts it under /log/ with the prefix
// stripped):
//
//	GET /checkpoint                      the newest signed checkpoint
//	GET /tile/<L>/<N>[.p/<W>]            hash tiles
//	GET /tile/entries/<N>[.p/<W>]        entry bundles
//	GET /proof/<index>                   C2SP tlog-proof of a leaf (text)
//	GET /proof/<index>.json              the same as JSON, for verify.js
//	GET /object/<kind>/<id>              an object's versions and their leaves
//	GET /object/<kind>/<id>/proof[.json] proof of its newest version
//	GET /consistency/<from>/<to>         consistency proof, base64 lines
//	GET /content/<index>                 canonical content a leaf hashes
//	GET /content/<index>/redacted        a redacted version's content as shown now
//	GET /vkey                            the verifier key
//
// Full tiles never change and are served as immutable.
func (l *Log) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkpoint", l.serveCheckpoint)
	mux.HandleFunc("GET /vkey", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, l.VerifierKey())
	})
	mux.HandleFunc("GET /tile/entries/{path...}", l.serveEntries)
	mux.HandleFunc("GET /tile/{level}/{path...}", l.serveTile)
	mux.HandleFunc("GET /proof/{index}", l.serveProof)
	mux.HandleFunc("GET /object/{kind}/{object}", l.serveObject)
	mux.HandleFunc("GET /object/{kind}/{object}/{proof}", l.serveObjectProof)
	mux.HandleFunc("GET /consistency/{from}/{to}", l.serveConsistency)
	mux.HandleFunc("GET /content/{index}", l.serveContent)
	mux.HandleFunc("GET /content/{index}/redacted", l.serveRedactedContent)
	return mux
}

func (l *Log) serveCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp := l.Checkpoint()
	if cp.Note == nil {
		l.httpError(w, mingbai.Errorf(mingbai.ENOTFOUND, "日志还是空的，尚无签名树头"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(cp.Note)
}

// parseTileIndex reads the C2SP encoding of a tile index and optional
// width: "x001/x234/067" or "067.p/5". Only the canonical encoding is
// accepted, so each tile has one URL.
func parseTileIndex(path string) (n int64, w int, ok bool) {
	parts := strings.Split(path, "/")
	w = tileWidth
	if len(parts) >= 2 {
		if last, found := strings.CutSuffix(parts[len(parts)-2], ".p"); found {
			ws := parts[len(parts)-1]
			v, err := strconv.Atoi(ws)
			if err != nil || v < 1 || v >= tileWidth || strconv.Itoa(v) != ws {
				return 0, 0, false
			}
			w = v
			parts = append(parts[:len(parts)-2], last)
		}
	}
	if len(parts) == 0 || len(parts) > 7 {
		return 0, 0, false
	}
	for i, p := range parts {
		if i < len(parts)-1 {
			var found bool
			if p, found = strings.CutPrefix(p, "x"); !found {
				return 0, 0, false
			}
		}
		if len(p) != 3 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' {
			return 0, 0, false
		}
		if i == 0 && len(parts) > 1 && p == "000" {
			return 0, 0, false // not the shortest encoding
		}
		d, _ := strconv.Atoi(p)
		// Seven groups reach 10^21: refuse an index whose hashes could
		// not be numbered in an int64 (and would wrap past the size
		// check of the handlers) before it overflows.
		if n > (maxTileIndex-int64(d))/1000 {
			return 0, 0, false
		}
		n = n*1000 + int64(d)
	}
	return n, w, true
}

// maxTileIndex is the largest tile index whose hashes, n*tileWidth+w, fit
// in an int64.
const maxTileIndex = (1<<63 - 1 - tileWidth) / tileWidth

// TilePath returns the C2SP path of a tile below tile/: "<L>/<N>[.p/<W>]",
// or "entries/<N>[.p/<W>]" when level is -1.
func TilePath(level int, n int64, width int) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/", n%1000) + s
	}
	if width > 0 && width < tileWidth {
		s += ".p/" + strconv.Itoa(width)
	}
	if level < 0 {
		return "entries/" + s
	}
	return strconv.Itoa(level) + "/" + s
}

func tileCache(w http.ResponseWriter, width int) {
	if width == tileWidth {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// A partial tile's content never changes either, but clients
		// should move on to the full tile once it exists.
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
}

func (l *Log) serveTile(w http.ResponseWriter, r *http.Request) {
	ls := r.PathValue("level")
	level, err := strconv.Atoi(ls)
	n, width, ok := parseTileIndex(r.PathValue("path"))
	if err != nil || level < 0 || level > 63/TileHeight || strconv.Itoa(level) != ls || !ok {
		http.NotFound(w, r)
		return
	}
	size := l.Checkpoint().Size
	// The number of hashes at tree level TileHeight*level.
	avail := size >> (TileHeight * level)
	if n*tileWidth+int64(width) > avail {
		http.NotFound(w, r)
		return
	}
	t := tlog.Tile{H: TileHeight, L: level, N: n, W: width}
	data, err := tlog.ReadTileData(t, l.reader(r.Context(), l.db, nil))
	if err != nil {
		l.httpError(w, fmt.Errorf("read tile %s: %w", TilePath(level, n, width), err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	tileCache(w, width)
	w.Write(data)
}

func (l *Log) serveEntries(w http.ResponseWriter, r *http.Request) {
	n, width, ok := parseTileIndex(r.PathValue("path"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	size := l.Checkpoint().Size
	start := n * tileWidth
	if start+int64(width) > size {
		http.NotFound(w, r)
		return
	}
	data, err := l.EntryBundle(r.Context(), start, width)
	if err != nil {
		l.httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	tileCache(w, width)
	w.Write(data)
}

// EntryBundle returns the C2SP entry bundle of leaves [start, start+count):
// each entry as a big-endian 16-bit length and its bytes.
func (l *Log) EntryBundle(ctx context.Context, start int64, count int) ([]byte, error) {
	rows, err := l.db.Query(ctx, "SELECT idx, entry FROM tlog_leaves WHERE idx >= ? AND idx < ? ORDER BY idx", start, start+int64(count))
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	var (
		out   []byte
		entry []byte
		want  = start
	)
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &entry); err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
		if idx != want {
			return nil, fmt.Errorf("read entries: leaf %d is missing", want)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(entry)))
		out = append(out, entry...)
		want++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	if want != start+int64(count) {
		return nil, fmt.Errorf("read entries: leaf %d is missing", want)
	}
	return out, nil
}

// ProofJSON is the JSON form of a proof bundle, read by verify.js.
type ProofJSON struct {
	Index       int64    `json:"index"`
	EntryBase64 string   `json:"entry_base64"`
	Entry       string   `json:"entry,omitempty"` // the entry as text, when it is an envelope
	TreeSize    int64    `json:"tree_size"`
	RootHash    string   `json:"root_hash"` // base64, as in the checkpoint
	Proof       []string `json:"proof"`     // base64 hashes, leaf to root
	Checkpoint  string   `json:"checkpoint"`
}

// JSON returns the proof in the form verify.js reads.
func (p *Proof) JSON() ProofJSON {
	j := ProofJSON{
		Index:       p.Index,
		EntryBase64: base64.StdEncoding.EncodeToString(p.Entry),
		TreeSize:    p.Checkpoint.Size,
		RootHash:    base64.StdEncoding.EncodeToString(p.Checkpoint.Root[:]),
		Proof:       make([]string, len(p.Hashes)),
		Checkpoint:  string(p.Checkpoint.Note),
	}
	if _, err := ParseEnvelope(p.Entry); err == nil {
		j.Entry = string(p.Entry)
	}
	for i, h := range p.Hashes {
		j.Proof[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return j
}

func (l *Log) writeProof(w http.ResponseWriter, r *http.Request, index int64, asJSON bool) {
	p, err := l.ProofBundle(r.Context(), index)
	if err != nil {
		l.httpError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	if asJSON {
		writeJSON(w, p.JSON())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(p.Text())
}

func (l *Log) serveProof(w http.ResponseWriter, r *http.Request) {
	s, asJSON := strings.CutSuffix(r.PathValue("index"), ".json")
	index, err := strconv.ParseInt(s, 10, 64)
	if err != nil || index < 0 {
		http.NotFound(w, r)
		return
	}
	l.writeProof(w, r, index, asJSON)
}

// ObjectJSON lists an object's versions in the log.
type ObjectJSON struct {
	Kind     string        `json:"kind"`
	Object   string        `json:"object"`
	Versions []VersionJSON `json:"versions"`
}

// VersionJSON is one version of an object and its leaf.
type VersionJSON struct {
	Version   int64  `json:"version"`
	Index     int64  `json:"index"`
	Community int64  `json:"community"`
	Entry     string `json:"entry"`
}

func (l *Log) serveObject(w http.ResponseWriter, r *http.Request) {
	vs, err := l.Versions(r.Context(), r.PathValue("kind"), r.PathValue("object"))
	if err != nil {
		l.httpError(w, err)
		return
	}
	o := ObjectJSON{Kind: r.PathValue("kind"), Object: r.PathValue("object")}
	for _, v := range vs {
		o.Versions = append(o.Versions, VersionJSON{Version: v.Version, Index: v.Index, Community: v.Community, Entry: string(v.Entry)})
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, o)
}

func (l *Log) serveObjectProof(w http.ResponseWriter, r *http.Request) {
	asJSON := false
	switch r.PathValue("proof") {
	case "proof":
	case "proof.json":
		asJSON = true
	default:
		http.NotFound(w, r)
		return
	}
	vs, err := l.Versions(r.Context(), r.PathValue("kind"), r.PathValue("object"))
	if err != nil {
		l.httpError(w, err)
		return
	}
	l.writeProof(w, r, vs[len(vs)-1].Index, asJSON)
}

func (l *Log) serveConsistency(w http.ResponseWriter, r *http.Request) {
	from, err1 := strconv.ParseInt(r.PathValue("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.PathValue("to"), 10, 64)
	if err1 != nil || err2 != nil {
		http.NotFound(w, r)
		return
	}
	p, err := l.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		l.httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	for _, h := range p {
		fmt.Fprintln(w, base64.StdEncoding.EncodeToString(h[:]))
	}
}

func (l *Log) serveContent(w http.ResponseWriter, r *http.Request) {
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	content, err := l.Content(r.Context(), index)
	if errors.Is(err, ErrRedacted) {
		http.Error(w, "内容已依法删除个人信息，原哈希仍保留在日志中", http.StatusGone)
		return
	}
	if err != nil {
		l.httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(content)
}

// serveRedactedContent serves the content of a redacted version as it
// reads now, masked: auditors check it against the version's newest
// redaction leaf. Content that is not redacted is not found here.
func (l *Log) serveRedactedContent(w http.ResponseWriter, r *http.Request) {
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	_, err = l.Content(r.Context(), index)
	rc, ok := asRedacted(err)
	if !ok {
		if err == nil || errors.Is(err, ErrRedacted) {
			err = mingbai.Errorf(mingbai.ENOTFOUND, "第 %d 号叶子的内容没有被删除个人信息", index)
		}
		l.httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// The redaction leaf may be newer than the checkpoint an auditor
	// holds; naming it lets the auditor tell a redaction not yet signed
	// from one that no leaf records.
	w.Header().Set(RedactionLeafHeader, strconv.FormatInt(rc.By, 10))
	w.Write(rc.Content)
}

// RedactionLeafHeader names, on a redacted version's content, the index of
// the redaction leaf its row names (-1 for none).
const RedactionLeafHeader = "Mingbai-Redaction-Leaf"

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// httpError answers with the status of err's code and its Chinese
// message; an internal error's text is never sent.
func (l *Log) httpError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch mingbai.ErrorCode(err) {
	case mingbai.ENOTFOUND:
		status = http.StatusNotFound
	case mingbai.EINVALID:
		status = http.StatusBadRequest
	case mingbai.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	case mingbai.ETOOMANY:
		status = http.StatusTooManyRequests
	default:
		l.logger.Error("transparency log request", "err", err)
	}
	http.Error(w, mingbai.ErrorMessage(err), status)
}
