package tlog

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestMaskAndCheckRedacted: masking replaces code points one for one and
// records merged spans; CheckRedacted accepts exactly that content and
// names a changed length, an unmasked character and any other change.
func TestMaskAndCheckRedacted(t *testing.T) {
	body := "经手人：张三 13812345678，张三签收"
	masked, f, found := MaskText(body, []string{"张三", "13812345678", "不在文中"}, nil)
	if want := "经手人：■■ ■■■■■■■■■■■，■■签收"; masked != want {
		t.Fatalf("masked %q, want %q", masked, want)
	}
	if !found["张三"] || !found["13812345678"] || found["不在文中"] {
		t.Errorf("found %v", found)
	}
	// "张三" and the space-separated number stay two spans; the second
	// "张三" a third.
	if f.Length != 23 || len(f.Spans) != 3 || f.Spans[0] != (Span{4, 6}) || f.Spans[1] != (Span{7, 18}) || f.Spans[2] != (Span{19, 21}) {
		t.Errorf("field %+v", f)
	}
	// An earlier span is kept.
	if again, g, _ := MaskText(body, nil, f.Spans); again != masked || len(g.Spans) != 3 {
		t.Errorf("re-masking with the old spans: %q %+v", again, g)
	}
	content := func(b string) []byte {
		c, err := Canonical(map[string]any{"title": "标题", "body": b})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	orig := ContentHash256(content(body))
	var target Envelope
	h, _ := hex.DecodeString(orig)
	copy(target.ContentSHA256[:], h)
	rec := &RedactionRecord{Redacts: 7, OriginalSHA256: orig, RedactedSHA256: ContentHash256(content(masked)), Mask: Mask, Fields: map[string]RedactedField{"body": f}}
	if ps := CheckRedacted(rec, 9, target, 7, content(masked)); len(ps) != 0 {
		t.Fatalf("the masked content: %q", ps)
	}
	for name, c := range map[string]struct{ body, want string }{
		"text inserted":      {strings.Replace(masked, "签收", "签收 收入 1,000,000 元", 1), "is 38 characters long"},
		"a character shown":  {strings.Replace(masked, "■■签收", "张■签收", 1), "not the mask"},
		"text outside spans": {strings.Replace(masked, "经手人", "审批人", 1), "it was changed after the redaction"},
	} {
		ps := strings.Join(CheckRedacted(rec, 9, target, 7, content(c.body)), "\n")
		if !strings.Contains(ps, c.want) {
			t.Errorf("%s: %q lacks %q", name, ps, c.want)
		}
	}
	if ps := CheckRedacted(rec, 9, target, 8, content(masked)); len(ps) == 0 {
		t.Error("a record of another leaf accepted")
	}
	// A later record must keep every span of the earlier one.
	later := *rec
	later.Fields = map[string]RedactedField{"body": {Length: f.Length, Spans: f.Spans[1:]}}
	prev := int64(9)
	later.Previous = &prev
	if ps := CheckRedactionChain(&later, 11, rec, 9); len(ps) != 1 || !strings.Contains(ps[0], "unmasks") {
		t.Errorf("chain that unmasks: %q", ps)
	}
}
