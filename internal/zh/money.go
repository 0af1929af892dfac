package zh

import (
	"strings"

	"mingbai"
)

// Fen is an amount of money in 分 (hundredths of a yuan). Money is never a
// float anywhere in Mingbai.
type Fen int64

// MaxYuan is the largest amount, in 元, that ParseYuan accepts and Daxie
// writes: 100亿元, far above any community's books, and small enough that
// sums of many amounts cannot overflow an int64 of 分.
const MaxYuan = 10_000_000_000

const maxFen = MaxYuan * 100

// ParseYuan reads an amount written in 元 as a cadre types it: digits with
// optional thousands commas in the right places ("1,234.50"), at most two
// decimals, an optional leading "¥" or "￥" and an optional trailing "元",
// and a leading "-" for a negative amount (a reversing entry). Full-width
// digits are accepted; spaces around the amount are ignored, spaces inside
// it are not. Anything else is an EINVALID error with a Chinese message.
// The parse is done on the digits themselves, never through a float.
func ParseYuan(s string) (Fen, error) {
	s = strings.TrimSpace(normaliseMoneyRunes(s))
	if s == "" {
		return 0, mingbai.Errorf(mingbai.EINVALID, "请填写金额")
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if t, ok := strings.CutPrefix(s, "¥"); ok {
		s = t
	} else if t, ok := strings.CutPrefix(s, "￥"); ok {
		s = t
	}
	s = strings.TrimSuffix(s, "元")
	intPart, fracPart, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && fracPart == "") {
		return 0, errMoneyFormat()
	}
	for _, r := range fracPart {
		if r < '0' || r > '9' {
			return 0, errMoneyFormat()
		}
	}
	if len(fracPart) > 2 {
		return 0, mingbai.Errorf(mingbai.EINVALID, "金额最多两位小数")
	}
	digits, err := integerDigits(intPart)
	if err != nil {
		return 0, err
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, errMoneyFormat()
	}
	// 11 digits of 元 already exceed MaxYuan; stop before the sum could
	// overflow.
	if len(digits) > 11 {
		return 0, errTooLarge()
	}
	var fen int64
	for i := 0; i < len(digits); i++ {
		fen = fen*10 + int64(digits[i]-'0')
	}
	frac := fracPart + "00"[len(fracPart):]
	fen = fen*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if fen > maxFen {
		return 0, errTooLarge()
	}
	if neg {
		fen = -fen
	}
	return Fen(fen), nil
}

// integerDigits checks the integer part of an amount and returns its digits
// without thousands commas. Commas, when used, must group every three
// digits from the right: "1,234" and "12,345,678", never "1,23" or "12,34,567".
func integerDigits(s string) (string, error) {
	if !strings.Contains(s, ",") {
		for _, r := range s {
			if r < '0' || r > '9' {
				return "", errMoneyFormat()
			}
		}
		return s, nil
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		for _, r := range g {
			if r < '0' || r > '9' {
				return "", errMoneyFormat()
			}
		}
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return "", mingbai.Errorf(mingbai.EINVALID, "金额的千分位逗号位置不正确，应如 1,234,567.89")
		}
	}
	return strings.Join(groups, ""), nil
}

// normaliseMoneyRunes maps the full-width digits, point and minus a Chinese
// input method produces to ASCII, so "１２３．４５" parses like "123.45".
func normaliseMoneyRunes(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		case r == '－' || r == '−':
			return '-'
		}
		return r
	}, s)
}

func errMoneyFormat() error {
	return mingbai.Errorf(mingbai.EINVALID, "金额格式不正确，应为数字，如 1,234.50")
}

func errTooLarge() error {
	return mingbai.Errorf(mingbai.EINVALID, "金额不能超过100亿元")
}

// String writes the amount in 元 with thousands commas and two decimals:
// "1,234.50", "-0.05". It is the form ParseYuan reads back.
func (f Fen) String() string {
	u := uint64(f)
	neg := f < 0
	if neg {
		u = -u // two's complement: exact even for the smallest int64
	}
	yuan, fen := u/100, u%100
	var b []byte
	if neg {
		b = append(b, '-')
	}
	digits := uintDigits(yuan)
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d)
	}
	b = append(b, '.', byte('0'+fen/10), byte('0'+fen%10))
	return string(b)
}

func uintDigits(u uint64) []byte {
	if u == 0 {
		return []byte{'0'}
	}
	var buf [20]byte
	i := len(buf)
	for u > 0 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	return buf[i:]
}

var (
	daxieDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	daxieSmall  = [4]string{"", "拾", "佰", "仟"}
	daxieGroup  = [3]string{"", "万", "亿"}
)

// Daxie writes an amount in 大写 as 支付结算办法 (and its 正确填写票据和结算凭证的
// 基本规定) asks for vouchers and statements:
//
//   - "人民币" first; a negative amount (a reversing entry) reads "人民币负…".
//   - 整 after 元 when there are no 角 and 分, and also after 角 when there
//     are no 分 (the rule allows either; writing it leaves no room to add a
//     分 later), never after 分: 100 → 人民币壹佰元整, 1.50 → 人民币壹元伍角整.
//   - One 零 for each run of zeros inside the yuan figure, also across 万
//     and 亿 groups: 100010 → 壹拾万零壹拾元, 100000001 → 壹亿零壹元.
//   - 零 between 元 and 分 when 角 is zero (325.04 → 叁佰贰拾伍元零肆分); no
//     零 between 元 and 角 when the units digit is zero (10.50 → 壹拾元伍角整,
//     which the rule allows).
//   - 壹拾 is always written with its 壹, leading too (16 → 壹拾陆元整), as
//     the rule demands so that nothing can be prefixed.
//   - Below one 元 no 零元 is written (0.05 → 人民币伍分); zero is 人民币零元整.
//
// Amounts beyond MaxYuan either way are an EINVALID error.
func Daxie(f Fen) (string, error) {
	if f > maxFen || f < -maxFen {
		return "", errTooLarge()
	}
	var b strings.Builder
	b.WriteString("人民币")
	if f < 0 {
		b.WriteString("负")
		f = -f
	}
	yuan, jiao, fen := int64(f)/100, int64(f)/10%10, int64(f)%10
	if yuan == 0 && jiao == 0 && fen == 0 {
		b.WriteString("零元整")
		return b.String(), nil
	}
	if yuan > 0 {
		writeDaxieInteger(&b, yuan)
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && fen == 0:
		b.WriteString("整")
	case fen == 0:
		b.WriteString(daxieDigits[jiao] + "角整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteString(daxieDigits[fen] + "分")
	default:
		b.WriteString(daxieDigits[jiao] + "角" + daxieDigits[fen] + "分")
	}
	return b.String(), nil
}

// writeDaxieInteger writes n > 0 (at most MaxYuan) in 大写 digits and units.
// Digits are read from the highest; a zero only marks that a 零 is owed,
// paid once before the next non-zero digit, so a run of zeros, even one
// that spans a whole 万 group, gives a single 零 and trailing zeros none.
func writeDaxieInteger(b *strings.Builder, n int64) {
	digits := uintDigits(uint64(n))
	zeroOwed := false
	groupHasDigit := false
	for i, c := range digits {
		pos := len(digits) - 1 - i // power of ten of this digit
		d := c - '0'
		if d == 0 {
			zeroOwed = true
		} else {
			if zeroOwed {
				b.WriteString("零")
				zeroOwed = false
			}
			b.WriteString(daxieDigits[d] + daxieSmall[pos%4])
			groupHasDigit = true
		}
		if pos%4 == 0 {
			if groupHasDigit {
				b.WriteString(daxieGroup[pos/4])
			}
			groupHasDigit = false
		}
	}
}
