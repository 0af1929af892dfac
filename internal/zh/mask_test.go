package zh

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Valid ID numbers (checksums computed by ISO 7064 MOD 11-2). DOMAIN.md's
// display example 110105199001011234 has a wrong check digit (the valid
// one ends in 2), which matters only to MaskText.
const (
	id1 = "110105199001011232"
	id2 = "11010519491231002X" // the check character is X
	id3 = "320102200002291235" // born on a leap day
)

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"}, // DOMAIN.md
		{"138 1234 5678", "138****5678"},
		{"138-1234-5678", "138****5678"},
		{"+86 138 1234 5678", "138****5678"},
		{"8613812345678", "138****5678"},
		{"１３８１２３４５６７８", "138****5678"},
		{"19912345678", "199****5678"},
		{"025-83123456", "*******3456"}, // not a mobile: only the last 4 digits show
		{"12345678901", "*******8901"},  // 12 is no mobile prefix
		{"1234", "****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"110105199001011234", "110105********1234"}, // DOMAIN.md; a field is masked whatever its checksum
		{id2, "110105********002X"},
		{"11010519491231002x", "110105********002X"},
		{"110105 19900101 1232", "110105********1232"},
		{"１１０１０５１９９００１０１１２３２", "110105********1232"},
		{"110105900101123", "110105******123"}, // old 15-digit number
		{"E12345678", "*****5678"},             // a passport: last 4 only
		{"123", "***"},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张*"}, // DOMAIN.md
		{"张三丰", "张**"},
		{"欧阳娜娜", "欧阳**"},
		{"欧阳娜", "欧阳*"},
		{"欧阳", "欧*"}, // two characters: surname alone can't be told from a name
		{"诸葛孔明", "诸葛**"},
		{"司马懿", "司马*"},
		{"王", "*"},
		{" 李四 ", "李*"},
		{"买买提·艾力", "买**·**"},
		{"John Smith", "J*** *****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{id1, true},
		{id2, true},
		{"11010519491231002x", true},
		{id3, true},
		{"320102198506150014", true},
		{"１１０１０５１９９００１０１１２３２", true},
		{"110105199001011234", false}, // wrong check digit
		{"110105199001011233", false},
		{"11010519491231002Y", false},
		{"320102190002291239", false}, // 1900-02-29 does not exist (check digit right)
		{"990105199001011236", false}, // 99 is no province (check digit right)
		{"110105189912311237", false}, // born before 1900 (check digit right)
		{"110105900101123", false},    // 15-digit numbers are no longer valid
		{"11010519900101123", false},
		{"1101051990010112322", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.in); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMaskText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"请联系13812345678", "请联系138****5678"},
		{"电话：138-1234-5678，谢谢", "电话：138-****-5678，谢谢"},
		{"电话 138 1234 5678。", "电话 138 **** 5678。"},
		{"手机１３８１２３４５６７８", "手机１３８****５６７８"}, // full-width digits
		{"+86 13812345678", "+86 138****5678"},
		{"13812345678,13912345678", "138****5678,139****5678"},
		{"Tel:13812345678.", "Tel:138****5678."},
		{"身份证" + id1 + "。", "身份证110105********1232。"},
		{"身份证号 " + id2 + " 已核实", "身份证号 110105********002X 已核实"},
		{"身份证号 11010519491231002x", "身份证号 110105********002x"},
		{"110105 19900101 1232", "110105 ******** 1232"},
		{"老身份证110105900101123", "老身份证110105******123"},
		{"张三 13812345678 身份证 " + id3, "张三 138****5678 身份证 320102********1235"},

		// An ID with a one-digit typo (wrong check digit) is still an ID.
		{"发票号码110105199001011234", "发票号码110105********1234"},
		{"身份证32010219850615001x。", "身份证320102********001x。"},
		{"110105 1990 0101 1234", "110105 **** **** 1234"},
		// Mobiles written with a +86 prefix stuck to them, or in brackets.
		{"+8613812345678", "+86138****5678"},
		{"(138)1234-5678", "(138)****-5678"},
		// Landlines with an area code: the area code and last four digits stay.
		{"办公电话025-84561234", "办公电话025-****1234"},
		{"电话(025)84561234", "电话(025)****1234"},
		{"电话（025）8456 1234", "电话（025）**** 1234"},
		{"电话 025 8456 1234。", "电话 025 **** 1234。"},
		{"电话010-6845123", "电话010-***5123"},
		{"电话0755-86013388转801", "电话0755-****3388转801"},
		{"电话02584561234", "电话025****1234"},
		{"电话075586013388", "电话0755****3388"},

		// Left alone.
		{"", ""},
		{"没有号码的文字", "没有号码的文字"},
		{"订单号213812345678", "订单号213812345678"},     // a mobile inside a longer run
		{"账号138123456789", "账号138123456789"},       // 12 digits
		{"12812345678", "12812345678"},             // no mobile prefix
		{"金额13812345678.50元", "金额13812345678.50元"}, // an amount
		{"合计13,812,345,678元", "合计13,812,345,678元"}, // an amount with commas
		{"热线 12345", "热线 12345"},                   // a hotline
		{"热线 400-123-4567", "热线 400-123-4567"},     // a 400 number is a company's
		{"发票号码12345678901234567890", "发票号码12345678901234567890"},
		{"单号991231199001011234", "单号991231199001011234"}, // 99 is no province
		{"单号110105199013011234", "单号110105199013011234"}, // no 13th month
		{"单号110105188001011234", "单号110105188001011234"}, // born before 1900
		{"单号110105199002301234", "单号110105199002301234"}, // no 30 February
		{"单号11010519900101123Y", "单号11010519900101123Y"},
		{"2026年", "2026年"},
		{"2026-01-01", "2026-01-01"},
		{"1,234,567.89元", "1,234,567.89元"},
		{"凭证号 2025-0012", "凭证号 2025-0012"},
		{"010-12345678", "010-12345678"},     // no local number starts with 1
		{"031-84561234", "031-84561234"},     // 031 is no area code (031x is)
		{"0251-12345678", "0251-12345678"},   // starts with 1
		{"025-845612345", "025-845612345"},   // 9 digits
		{"025-845612", "025-845612"},         // 6 digits
		{"金额025.84561234", "金额025.84561234"}, // an amount
		{"08:30-17:30", "08:30-17:30"},
		{"2026-01-01至2026-03-31", "2026-01-01至2026-03-31"},
		{"尺寸1381234567x5678", "尺寸1381234567x5678"},
		{"138 12345678", "138 12345678"},                   // not a usual grouping
		{"138    1234 5678", "138    1234 5678"},           // too wide a gap
		{"1 3 8 1 2 3 4 5 6 7 8", "1 3 8 1 2 3 4 5 6 7 8"}, // digits one by one
	}
	for _, tt := range tests {
		if got := MaskText(tt.in); got != tt.want {
			t.Errorf("MaskText(%q)\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzMaskText(f *testing.F) {
	for _, s := range []string{
		"请联系13812345678", "138-1234-5678", "１３８１２３４５６７８", "身份证" + id2,
		"110105 19900101 1232", "13812345678.50", "13,812,345,678", "1381234567x", "",
		"025-84561234", "(025)8456 1234", "075586013388", "110105199001011234", "13812340251 2345678",
		"+8613812345678", "010 6845 1025 8456 1234",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // user text reaches Mingbai as valid UTF-8
		}
		out := MaskText(s)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Fatalf("MaskText(%q) = %q changed the length", s, out)
		}
		// Only digits turn into stars; every other character stays.
		or, sr := []rune(out), []rune(s)
		for i := range sr {
			if or[i] != sr[i] {
				if _, ok := digitValue(sr[i]); !ok || or[i] != '*' {
					t.Fatalf("MaskText(%q) = %q changed %q to %q", s, out, sr[i], or[i])
				}
			}
		}
		if again := MaskText(out); again != out {
			t.Fatalf("MaskText not idempotent: %q → %q → %q", s, out, again)
		}
		// No whole-group mobile number survives, nor anything else
		// FindNumbers finds.
		for _, g := range findDigitGroups(or) {
			if !g.amount && isMobile(g.digits) {
				t.Fatalf("MaskText(%q) = %q left mobile %s", s, out, g.digits)
			}
		}
		if left := FindNumbers(out); len(left) > 0 {
			t.Fatalf("MaskText(%q) = %q left %s %q", s, out, left[0].Kind, left[0].Text)
		}
		// Each number found is in the text as written, and its mask
		// hides something.
		var phones []string
		for _, n := range FindNumbers(s) {
			if !strings.Contains(s, n.Text) || utf8.RuneCountInString(n.Masked) != utf8.RuneCountInString(n.Text) || n.Masked == n.Text {
				t.Fatalf("FindNumbers(%q) gave %+v", s, n)
			}
			if n.Keepable() {
				phones = append(phones, n.Digits)
			}
		}
		// Keeping every phone found still masks every ID.
		kept := MaskTextExcept(s, phones)
		for _, n := range FindNumbers(kept) {
			if n.Kind == NumberID {
				t.Fatalf("MaskTextExcept(%q, %q) = %q left ID %q", s, phones, kept, n.Text)
			}
		}
		if again := MaskTextExcept(kept, phones); again != kept {
			t.Fatalf("MaskTextExcept not idempotent: %q → %q → %q", s, kept, again)
		}
	})
}
