package disclosure

import "strings"

// DiffLine is one line of a comparison between two versions' text.
type DiffLine struct {
	Op   string // "same", "added" or "removed"
	Text string
}

// Mark is the line's change in words and a sign, so it reads without
// colour: "+ 新增", "− 删除".
func (l DiffLine) Mark() string {
	switch l.Op {
	case "added":
		return "+ 新增"
	case "removed":
		return "− 删除"
	}
	return ""
}

// maxDiffLines bounds the quadratic comparison; longer texts are compared
// as a whole block removed and a whole block added.
const maxDiffLines = 3000

// Diff compares old and new text line by line (longest common
// subsequence) and returns every line of both, in reading order.
func Diff(old, new string) []DiffLine {
	a := splitLines(old)
	b := splitLines(new)
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		var out []DiffLine
		for _, l := range a {
			out = append(out, DiffLine{"removed", l})
		}
		for _, l := range b {
			out = append(out, DiffLine{"added", l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{"same", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"removed", a[i]})
			i++
		default:
			out = append(out, DiffLine{"added", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{"removed", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{"added", b[j]})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// VersionDiff compares two versions field by field and body line by line.
type VersionDiff struct {
	From, To      int
	TitleChanged  bool
	OldTitle      string
	NewTitle      string
	PeriodChanged bool
	OldPeriod     string
	NewPeriod     string
	Body          []DiffLine
	// AddedFiles and RemovedFiles are the attachments b has and a has
	// not, and the other way round, compared by their SHA-256.
	AddedFiles   []Attachment
	RemovedFiles []Attachment
}

// BodyChanged reports whether any line of the body differs.
func (d VersionDiff) BodyChanged() bool {
	for _, l := range d.Body {
		if l.Op != "same" {
			return true
		}
	}
	return false
}

// FilesChanged reports whether the versions' attachments differ.
func (d VersionDiff) FilesChanged() bool { return len(d.AddedFiles)+len(d.RemovedFiles) > 0 }

// FileChanges returns the attachments of b that a lacks (added) and those
// of a that b lacks (removed), in each version's order. A redacted copy
// counts as the file: redaction is not a change between versions.
func FileChanges(a, b *Version) (added, removed []Attachment) {
	in := func(vs []Attachment, sum string) bool {
		for _, f := range vs {
			if f.SHA256 == sum {
				return true
			}
		}
		return false
	}
	for _, f := range b.Files {
		if !in(a.Files, f.SHA256) {
			added = append(added, f)
		}
	}
	for _, f := range a.Files {
		if !in(b.Files, f.SHA256) {
			removed = append(removed, f)
		}
	}
	return added, removed
}

// Compare returns the differences between versions a and b.
func Compare(a, b *Version) VersionDiff {
	d := VersionDiff{
		From: a.Version, To: b.Version,
		TitleChanged: a.Title != b.Title, OldTitle: a.Title, NewTitle: b.Title,
		PeriodChanged: a.Period != b.Period, OldPeriod: a.Period, NewPeriod: b.Period,
		Body: Diff(a.Body, b.Body),
	}
	d.AddedFiles, d.RemovedFiles = FileChanges(a, b)
	return d
}
