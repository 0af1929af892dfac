package tlog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"mingbai"
	"mingbai/internal/store"
)

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in the
// tree of size size (which must be integrated: at most the newest
// checkpoint's size).
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.checkSize(size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "叶子 %d 不在大小为 %d 的树中", index, size)
	}
	p, err := tlog.ProveRecord(size, index, l.proofReader(ctx, size))
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size from
// is a prefix of the tree of size to.
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	if from == 0 && to == 0 && l.Checkpoint().Note != nil {
		return tlog.TreeProof{}, nil // the empty tree, signed at the first start
	}
	if err := l.checkSize(to); err != nil {
		return nil, err
	}
	if from < 0 || from > to {
		return nil, mingbai.Errorf(mingbai.EINVALID, "树的大小 %d 不能大于 %d", from, to)
	}
	if from == 0 {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(to, from, l.proofReader(ctx, to))
	if err != nil {
		return nil, fmt.Errorf("consistency proof %d→%d: %w", from, to, err)
	}
	return p, nil
}

func (l *Log) checkSize(size int64) error {
	if size < 1 || size > l.Checkpoint().Size {
		return mingbai.Errorf(mingbai.ENOTFOUND, "日志还没有大小为 %d 的已签名树头", size)
	}
	return nil
}

// Leaf is one stored leaf.
type Leaf struct {
	Index     int64
	Entry     []byte // the exact bytes hashed
	Kind      string // the envelope fields, empty for raw entries
	Community int64
	Object    string
	Version   int64
}

// Leaf reads leaf index.
func (l *Log) Leaf(ctx context.Context, index int64) (Leaf, error) {
	lf := Leaf{Index: index}
	err := l.db.QueryRow(ctx, "SELECT entry, kind, community_id, object, version FROM tlog_leaves WHERE idx = ?", index).
		Scan(&lf.Entry, &lf.Kind, &lf.Community, &lf.Object, &lf.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return Leaf{}, mingbai.Errorf(mingbai.ENOTFOUND, "没有第 %d 号叶子", index)
	}
	if err != nil {
		return Leaf{}, fmt.Errorf("read leaf %d: %w", index, err)
	}
	return lf, nil
}

// Versions returns the leaves of every version of one object, oldest first.
func (l *Log) Versions(ctx context.Context, kind, object string) ([]Leaf, error) {
	rows, err := l.db.Query(ctx, "SELECT idx, entry, community_id, version FROM tlog_leaves WHERE kind = ? AND object = ? ORDER BY version, idx", kind, object)
	if err != nil {
		return nil, fmt.Errorf("read versions of %s %s: %w", kind, object, err)
	}
	defer rows.Close()
	var out []Leaf
	for rows.Next() {
		lf := Leaf{Kind: kind, Object: object}
		if err := rows.Scan(&lf.Index, &lf.Entry, &lf.Community, &lf.Version); err != nil {
			return nil, fmt.Errorf("read versions of %s %s: %w", kind, object, err)
		}
		out = append(out, lf)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read versions of %s %s: %w", kind, object, err)
	}
	if len(out) == 0 {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "日志中没有这个对象")
	}
	return out, nil
}

// Proof is an inclusion proof bundle: a leaf, its proof, and the signed
// checkpoint the proof leads to. Text gives its C2SP tlog-proof form.
type Proof struct {
	Index      int64
	Entry      []byte
	Hashes     tlog.RecordProof
	Checkpoint Checkpoint
}

// ProofBundle returns the proof of leaf index against the newest
// checkpoint.
func (l *Log) ProofBundle(ctx context.Context, index int64) (*Proof, error) {
	cp := l.Checkpoint()
	if index < 0 || index >= cp.Size {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "第 %d 号叶子还没有进入已签名的树头，请稍候再试", index)
	}
	lf, err := l.Leaf(ctx, index)
	if err != nil {
		return nil, err
	}
	hs, err := l.InclusionProof(ctx, index, cp.Size)
	if err != nil {
		return nil, err
	}
	return &Proof{Index: index, Entry: lf.Entry, Hashes: hs, Checkpoint: cp}, nil
}

// proofHeader is the first line of a C2SP tlog-proof.
const proofHeader = "c2sp.org/tlog-proof@v1"

// Text is the proof in C2SP tlog-proof form. The extra line carries the
// leaf's entry, so the proof stands alone.
func (p *Proof) Text() []byte {
	var b bytes.Buffer
	b.WriteString(proofHeader + "\n")
	b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Entry) + "\n")
	b.WriteString("index " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint.Note)
	return b.Bytes()
}

// ParseProof reads a C2SP tlog-proof, checks the checkpoint's signature
// with v (its name must be origin) and the inclusion of the leaf. The leaf
// is the extra data: a proof without it is refused.
func ParseProof(text []byte, origin string, v note.Verifier) (*Proof, error) {
	head, cpText, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return nil, errors.New("tlog-proof: no blank line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if len(lines) < 2 || lines[0] != proofHeader {
		return nil, errors.New("tlog-proof: not a c2sp.org/tlog-proof@v1")
	}
	p := &Proof{Index: -1}
	rest := lines[1:]
	if e, ok := strings.CutPrefix(rest[0], "extra "); ok {
		entry, err := decodeProofBase64(e)
		if err != nil {
			return nil, fmt.Errorf("tlog-proof: extra: %w", err)
		}
		p.Entry = entry
		rest = rest[1:]
	}
	if p.Entry == nil {
		return nil, errors.New("tlog-proof: no extra line with the entry")
	}
	if len(rest) == 0 {
		return nil, errors.New("tlog-proof: no index line")
	}
	is, ok := strings.CutPrefix(rest[0], "index ")
	idx, err := strconv.ParseInt(is, 10, 64)
	if !ok || err != nil || idx < 0 || strconv.FormatInt(idx, 10) != is {
		return nil, fmt.Errorf("tlog-proof: bad index line %q", rest[0])
	}
	p.Index = idx
	for _, line := range rest[1:] {
		raw, err := decodeProofBase64(line)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("tlog-proof: bad hash line %q", line)
		}
		p.Hashes = append(p.Hashes, tlog.Hash(raw))
	}
	cp, err := ParseCheckpoint(cpText, origin, v)
	if err != nil {
		return nil, fmt.Errorf("tlog-proof: %w", err)
	}
	p.Checkpoint = cp
	if err := tlog.CheckRecord(p.Hashes, cp.Size, cp.Root, p.Index, tlog.RecordHash(p.Entry)); err != nil {
		return nil, fmt.Errorf("tlog-proof: leaf %d is not in the checkpointed tree: %w", p.Index, err)
	}
	return p, nil
}

// decodeProofBase64 decodes one base64 field of a proof strictly: the Go
// decoder skips \r and \n and ignores stray bits in the last character,
// which would let one proof be written many ways.
func decodeProofBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break inside base64")
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}

// ContentSource returns the canonical content of the object version a
// leaf's envelope describes, as the feature stores it now, so that fsck
// and auditors can check it against the leaf's content_sha256. Each
// feature gives one per leaf kind it appends (its ContentSources method)
// and the program's assembly hands them to UseSources. It returns an
// ENOTFOUND *mingbai.Error when the object is missing, and ErrRedacted
// when its content was lawfully redacted (the leaf keeps the old hash).
type ContentSource func(ctx context.Context, tx *store.Tx, e Envelope) ([]byte, error)

// ErrRedacted is returned by a ContentSource for redacted content.
var ErrRedacted = errors.New("content redacted")

// UseSources makes the log able to check leaves against their content,
// one map of leaf kind to source per feature. Two features claiming one
// kind is a wiring mistake that would make checks depend on order, so it
// panics, as http.ServeMux does for two handlers of one pattern.
func (l *Log) UseSources(sets ...map[string]ContentSource) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, set := range sets {
		for kind, src := range set {
			if _, dup := l.sources[kind]; dup {
				panic(fmt.Sprintf("tlog: two content sources for leaf kind %q", kind))
			}
			l.sources[kind] = src
		}
	}
}

// Sources returns the registered content sources, for fsck.
func (l *Log) Sources() map[string]ContentSource {
	l.mu.RLock()
	defer l.mu.RUnlock()
	m := make(map[string]ContentSource, len(l.sources))
	for k, v := range l.sources {
		m[k] = v
	}
	return m
}

// Content returns the current canonical content for leaf index.
func (l *Log) Content(ctx context.Context, index int64) ([]byte, error) {
	lf, err := l.Leaf(ctx, index)
	if err != nil {
		return nil, err
	}
	e, err := ParseEnvelope(lf.Entry)
	if err != nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "第 %d 号叶子不是公开对象的记录", index)
	}
	l.mu.RLock()
	src := l.sources[e.Kind]
	l.mu.RUnlock()
	if src == nil {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "无法取得“%s”类对象的内容", e.Kind)
	}
	var content []byte
	err = l.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		content, err = src(ctx, tx, e)
		return err
	})
	return content, err
}
