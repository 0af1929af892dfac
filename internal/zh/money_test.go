package zh

import (
	"math"
	"testing"

	"mingbai"
)

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
	}{
		{"0", 0},
		{"0.00", 0},
		{"-0", 0},
		{"1", 100},
		{"1.5", 150},
		{"1.50", 150},
		{"0.05", 5},
		{"1,234.50", 123450},
		{"12,345,678.90", 1234567890},
		{"1234.5", 123450},
		{"¥1,234.50", 123450},
		{"￥100", 10000},
		{"100元", 10000},
		{"¥100元", 10000},
		{"  325.04  ", 32504},
		{"-16,008.14", -1600814},
		{"-¥5.00", -500},
		{"１２３．４５", 12345}, // full-width, as a Chinese input method types it
		{"－１", -100},
		{"10,000,000,000", 1_000_000_000_000}, // MaxYuan itself
		{"10000000000.00", 1_000_000_000_000},
		{"-10000000000", -1_000_000_000_000},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseYuanRejects(t *testing.T) {
	tests := []struct {
		in, msg string
	}{
		{"", "请填写金额"},
		{"   ", "请填写金额"},
		{"1.234", "金额最多两位小数"},
		{"0.001", "金额最多两位小数"},
		{"1,23", "金额的千分位逗号位置不正确，应如 1,234,567.89"},
		{"12,34,567", "金额的千分位逗号位置不正确，应如 1,234,567.89"},
		{"1234,567", "金额的千分位逗号位置不正确，应如 1,234,567.89"},
		{",123", "金额的千分位逗号位置不正确，应如 1,234,567.89"},
		{"1,234,", "金额的千分位逗号位置不正确，应如 1,234,567.89"},
		{"10000000000.01", "金额不能超过100亿元"},
		{"99999999999", "金额不能超过100亿元"},
		{"123456789012345678901234567890", "金额不能超过100亿元"},
		{"-", "金额格式不正确，应为数字，如 1,234.50"},
		{"¥", "金额格式不正确，应为数字，如 1,234.50"},
		{"元", "金额格式不正确，应为数字，如 1,234.50"},
		{".5", "金额格式不正确，应为数字，如 1,234.50"},
		{"5.", "金额格式不正确，应为数字，如 1,234.50"},
		{"1.2.3", "金额格式不正确，应为数字，如 1,234.50"},
		{"1e3", "金额格式不正确，应为数字，如 1,234.50"},
		{"+5", "金额格式不正确，应为数字，如 1,234.50"},
		{"¥-5", "金额格式不正确，应为数字，如 1,234.50"},   // the minus goes first
		{"5-", "金额格式不正确，应为数字，如 1,234.50"},    // no trailing minus
		{"--5", "金额格式不正确，应为数字，如 1,234.50"},   // one minus only
		{"1 234", "金额格式不正确，应为数字，如 1,234.50"}, // no inner spaces
		{"007", "金额格式不正确，应为数字，如 1,234.50"},   // leading zeros are a typo
		{"壹佰", "金额格式不正确，应为数字，如 1,234.50"},
		{"NaN", "金额格式不正确，应为数字，如 1,234.50"},
		{"Inf", "金额格式不正确，应为数字，如 1,234.50"},
		{"1.5元元", "金额格式不正确，应为数字，如 1,234.50"},
		{"¥¥1", "金额格式不正确，应为数字，如 1,234.50"},
		{"0x10", "金额格式不正确，应为数字，如 1,234.50"},
		{"1_000", "金额格式不正确，应为数字，如 1,234.50"},
		{"٣", "金额格式不正确，应为数字，如 1,234.50"}, // Arabic-Indic digit
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if err == nil {
			t.Errorf("ParseYuan(%q) = %d, want error %q", tt.in, got, tt.msg)
			continue
		}
		if mingbai.ErrorCode(err) != mingbai.EINVALID || mingbai.ErrorMessage(err) != tt.msg {
			t.Errorf("ParseYuan(%q) error = %v; want EINVALID %q", tt.in, err, tt.msg)
		}
	}
}

func TestFenString(t *testing.T) {
	tests := []struct {
		f    Fen
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{50, "0.50"},
		{100, "1.00"},
		{123450, "1,234.50"},
		{100000, "1,000.00"},
		{99999, "999.99"},
		{-5, "-0.05"},
		{-1600814, "-16,008.14"},
		{1_000_000_000_000, "10,000,000,000.00"},
		{math.MaxInt64, "92,233,720,368,547,758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Fen(%d).String() = %q, want %q", int64(tt.f), got, tt.want)
		}
	}
}

func TestDaxie(t *testing.T) {
	tests := []struct {
		f    Fen
		want string
	}{
		// DOMAIN.md's examples (支付结算办法).
		{32504, "人民币叁佰贰拾伍元零肆分"},
		{1600814, "人民币壹万陆仟零捌元壹角肆分"},
		{1681409, "人民币壹万陆仟捌佰壹拾肆元零玖分"},
		{10000, "人民币壹佰元整"},
		// Boundaries.
		{0, "人民币零元整"},
		{5, "人民币伍分"},
		{50, "人民币伍角整"},
		{55, "人民币伍角伍分"},
		{100, "人民币壹元整"},
		{150, "人民币壹元伍角整"},
		{1000, "人民币壹拾元整"},   // leading 拾 keeps its 壹
		{1600, "人民币壹拾陆元整"},  // the rule's own example, ¥16.00
		{1050, "人民币壹拾元伍角整"}, // no 零 for a zero units digit before 角
		{1005, "人民币壹拾元零伍分"},
		{100005, "人民币壹仟元零伍分"},
		{101000, "人民币壹仟零壹拾元整"},
		{100100, "人民币壹仟零壹元整"},
		{1001000, "人民币壹万零壹拾元整"},
		{100000000, "人民币壹佰万元整"},
		{10001000, "人民币壹拾万零壹拾元整"},
		{11000000, "人民币壹拾壹万元整"},
		{101000000, "人民币壹佰零壹万元整"},
		{1010000000, "人民币壹仟零壹拾万元整"},
		{10000000000, "人民币壹亿元整"},
		{10000000100, "人民币壹亿零壹元整"},                // zeros across the 万 group
		{10001000000, "人民币壹亿零壹万元整"},               // a 万 group after a zero run
		{10010000000, "人民币壹亿零壹拾万元整"},              // 亿 then a zero run then 万
		{20000100000, "人民币贰亿零壹仟元整"},               // a whole 万 group of zeros
		{12345678901, "人民币壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分"}, // every unit
		{99999999999, "人民币玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},
		{1_000_000_000_000, "人民币壹佰亿元整"},
		{-10000, "人民币负壹佰元整"},
		{-5, "人民币负伍分"},
		{-1_000_000_000_000, "人民币负壹佰亿元整"},
	}
	for _, tt := range tests {
		got, err := Daxie(tt.f)
		if err != nil || got != tt.want {
			t.Errorf("Daxie(%s) = %q, %v; want %q", tt.f, got, err, tt.want)
		}
	}
}

func TestDaxieRejectsTooLarge(t *testing.T) {
	for _, f := range []Fen{1_000_000_000_001, -1_000_000_000_001, math.MaxInt64, math.MinInt64} {
		if got, err := Daxie(f); mingbai.ErrorCode(err) != mingbai.EINVALID {
			t.Errorf("Daxie(%d) = %q, %v; want EINVALID", int64(f), got, err)
		}
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1,234.50", "¥0.05", "-16,008.14元", "１２３．４５", "10000000000", "1.234", "12,34", "", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseYuan(s)
		if err != nil {
			if mingbai.ErrorCode(err) != mingbai.EINVALID {
				t.Fatalf("ParseYuan(%q) error %v is not EINVALID", s, err)
			}
			return
		}
		if v > maxFen || v < -maxFen {
			t.Fatalf("ParseYuan(%q) = %d, beyond MaxYuan", s, int64(v))
		}
		back, err := ParseYuan(v.String())
		if err != nil || back != v {
			t.Fatalf("ParseYuan(%q) = %d, but its String %q reads back as %d, %v", s, int64(v), v.String(), int64(back), err)
		}
		if _, err := Daxie(v); err != nil {
			t.Fatalf("Daxie(%d) of a parsed amount: %v", int64(v), err)
		}
	})
}
