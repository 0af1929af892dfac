package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masking for display (个人信息保护法: minimise; DOMAIN.md: phone
// 138****5678, ID 110105********1234, name 张*). Mingbai never shows a
// personal number in a public page; these functions cover the fields that
// hold one and the free text residents write.

// MaskPhone masks a personal phone number kept in a field. A mainland
// mobile number, written with or without spaces, hyphens, full-width digits
// or a +86 prefix, keeps its first three and last four digits:
// "138 1234 5678" → "138****5678". Any other number keeps only its last
// four digits and shows a star for every other digit; one of four digits
// or fewer is all stars.
func MaskPhone(s string) string {
	d := digitsOnly(s)
	if len(d) == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]) {
		d = d[2:]
	}
	if isMobile(d) {
		return d[:3] + "****" + d[7:]
	}
	return keepLast(d, 4)
}

// MaskID masks an identity card number kept in a field. The birth date is
// hidden and the region and sequence shown, so a clerk can still tell two
// people apart: 18 digits keep the first 6 and the last 4
// ("110105********1234", a lowercase x shown as X); an old 15-digit number
// keeps the first 6 and the last 3 ("110105******123"). Anything else keeps
// its last 4 characters only.
func MaskID(s string) string {
	id := normaliseID(s)
	switch {
	case len(id) == 18 && allDigits(id[:17]) && (isDigitByte(id[17]) || id[17] == 'X'):
		return id[:6] + "********" + id[14:]
	case len(id) == 15 && allDigits(id):
		return id[:6] + "******" + id[12:]
	}
	return keepLast(id, 4)
}

// compoundSurnames are the two-character surnames (复姓) MaskName keeps
// whole. The list is short on purpose: a name that starts with one of these
// pairs by chance loses one more character to the mask, which is harmless.
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "诸葛": true, "上官": true, "东方": true, "皇甫": true,
	"尉迟": true, "公孙": true, "慕容": true, "长孙": true, "夏侯": true, "司徒": true,
	"令狐": true, "宇文": true, "轩辕": true, "端木": true, "南宫": true, "独孤": true,
	"西门": true, "钟离": true, "闻人": true, "澹台": true, "百里": true, "呼延": true,
	"赫连": true, "申屠": true, "万俟": true, "司空": true, "太史": true, "濮阳": true,
	"淳于": true, "拓跋": true, "第五": true,
}

// MaskName masks a person's name for a public page: the surname stays, each
// other character becomes a star, so the length still shows: "张三" → "张*",
// "张三丰" → "张**". A compound surname from a short list stays whole when
// a given name follows it: "欧阳娜娜" → "欧阳**", "欧阳娜" → "欧阳*". A
// one-character name is "*". Separators in a name stay, so "买买提·艾力" →
// "买**·**" and "John Smith" → "J*** *****".
func MaskName(s string) string {
	rs := []rune(strings.TrimSpace(s))
	keep := 1
	if len(rs) >= 3 && compoundSurnames[string(rs[:2])] {
		keep = 2
	}
	if len(rs) == 1 {
		keep = 0
	}
	for i := keep; i < len(rs); i++ {
		if isNameSeparator(rs[i]) {
			continue
		}
		rs[i] = '*'
	}
	return string(rs)
}

func isNameSeparator(r rune) bool {
	switch r {
	case '·', '•', '・', '.', '-', ' ', '\u3000':
		return true
	}
	return false
}

// ValidID reports whether s is a valid 18-character identity card number
// (GB 11643-1999, also used by the residence permits of Hong Kong, Macao
// and Taiwan residents): a known province code, a real birth date from 1900
// on, and the ISO 7064 MOD 11-2 check character (X for 10, either case).
// Full-width digits are accepted. Old 15-digit numbers, which carry no
// check digit and are no longer valid documents, are not.
func ValidID(s string) bool {
	id := normaliseID(s)
	if len(id) != 18 || !allDigits(id[:17]) {
		return false
	}
	if !validProvince(id[:2]) || !validDate(id[6:10], id[10:12], id[12:14]) {
		return false
	}
	return id[17] == idCheck(id[:17])
}

// idWeights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

func idCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// validID15 reports whether a 15-digit number looks like an old identity
// card number: a province code and a 19YYMMDD birth date. It has no check
// digit, so that is all there is to check.
func validID15(id string) bool {
	return len(id) == 15 && allDigits(id) && validProvince(id[:2]) && validDate("19"+id[6:8], id[8:10], id[10:12])
}

func validProvince(p string) bool {
	switch p {
	case "11", "12", "13", "14", "15", "21", "22", "23",
		"31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
		"61", "62", "63", "64", "65", "71", "81", "82", "83":
		return true
	}
	return false
}

func validDate(yyyy, mm, dd string) bool {
	y, m, d := atoi(yyyy), atoi(mm), atoi(dd)
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allDigits(d)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return false
		}
	}
	return true
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// digitValue returns the ASCII digit for an ASCII or full-width digit.
func digitValue(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte(r - '０' + '0'), true
	}
	return 0, false
}

func isX(r rune) bool { return r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' }

// digitsOnly keeps the digits of s, full-width ones as ASCII.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if d, ok := digitValue(r); ok {
			b.WriteByte(d)
		}
	}
	return b.String()
}

// normaliseID keeps the digits and X of s, uppercased and in ASCII, and
// drops the spaces and hyphens people type inside ID numbers.
func normaliseID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if d, ok := digitValue(r); ok {
			b.WriteByte(d)
		} else if isX(r) {
			b.WriteByte('X')
		} else if !isNumberSeparator(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// keepLast shows the last n characters of s and a star for each other one.
func keepLast(s string, n int) string {
	c := utf8.RuneCountInString(s)
	if c <= n {
		return strings.Repeat("*", c)
	}
	rs := []rune(s)
	return strings.Repeat("*", c-n) + string(rs[c-n:])
}

// isNumberSeparator reports the characters people put between the digit
// groups of a phone or ID number: "138 1234 5678", "138-1234-5678".
func isNumberSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u3000', '-', '－', '‐', '‑', '–', '—':
		return true
	}
	return false
}

// NumberKind names the kinds of personal number FindNumbers recognises.
type NumberKind string

const (
	NumberID       NumberKind = "id"       // 身份证号码, 18 or 15 digits
	NumberMobile   NumberKind = "mobile"   // 手机号码
	NumberLandline NumberKind = "landline" // 固定电话 with its area code
)

// Label is the kind's name on a page.
func (k NumberKind) Label() string {
	switch k {
	case NumberID:
		return "身份证号码"
	case NumberMobile:
		return "手机号码"
	case NumberLandline:
		return "固定电话"
	}
	return "号码"
}

// Number is a personal number found in a text by FindNumbers.
type Number struct {
	Kind NumberKind
	// Text is the number as written, with its separators.
	Text string
	// Digits are its digits in ASCII (an ID's check character as X): the
	// key by which a cadre's choice to keep it (MaskTextExcept) names it.
	Digits string
	// Masked is Text as MaskText writes it.
	Masked string
	hide   []int // rune indexes, in the text searched, of the digits the mask hides
}

// Keepable reports whether a cadre may keep the number unmasked as an
// office's public phone (便民热线): a phone may be one, an ID never is.
func (n Number) Keepable() bool { return n.Kind == NumberMobile || n.Kind == NumberLandline }

// digitGroup is a maximal run of digits in a text, with an X check
// character when one ends it.
type digitGroup struct {
	start, end int    // rune indexes of the run in the text, end exclusive
	digits     string // the run as ASCII digits, X last if present
	amount     bool   // part of a number with a decimal point or thousands commas
	joinedNext bool   // only 1 to 3 separators stand between it and the next group
}

// A number pattern is a sequence of digit-group lengths a personal number
// is written in, the test its digits must pass, and the digit positions
// its mask hides.
type numberPattern struct {
	kind   NumberKind
	groups []int
	check  func(string) bool
	hide   func(string) (from, n int)
	// areaFirst: the first group must be exactly the area code.
	areaFirst bool
}

func hideRange(from, n int) func(string) (int, int) {
	return func(string) (int, int) { return from, n }
}

// numberPatterns are the ways FindNumbers recognises personal numbers in
// free text. A pattern must cover whole digit groups, so a number inside a
// longer run of digits (an account or an invoice number) is left alone.
//
// An ID is recognised by its form, not its check digit: a region code from
// a real province, a possible birth date and a last character that is a
// digit or X. A mistyped ID is as personal as a correct one, and about one
// random 18-digit number in four hundred has that form, so invoice and
// order numbers are rarely masked by mistake. Birth years run to 2099
// rather than to the current year so that the mask of a text never changes
// with the date: Q&A leaves hash the text as masked when the leaf is
// checked, possibly years later.
var numberPatterns = []numberPattern{
	{kind: NumberMobile, groups: []int{11}, check: isMobile, hide: hideRange(3, 4)},
	{kind: NumberMobile, groups: []int{3, 4, 4}, check: isMobile, hide: hideRange(3, 4)},
	{kind: NumberMobile, groups: []int{13}, check: isMobile86, hide: hideRange(5, 4)},
	{kind: NumberID, groups: []int{18}, check: plausibleID18, hide: hideRange(6, 8)},
	{kind: NumberID, groups: []int{6, 8, 4}, check: plausibleID18, hide: hideRange(6, 8)},
	{kind: NumberID, groups: []int{6, 4, 4, 4}, check: plausibleID18, hide: hideRange(6, 8)},
	{kind: NumberID, groups: []int{15}, check: validID15, hide: hideRange(6, 6)},
	{kind: NumberID, groups: []int{6, 6, 3}, check: validID15, hide: hideRange(6, 6)},
	// Landlines: 0, an area code (10 or 2x, else three digits from 3xx
	// on), then a local number of 7 or 8 digits that does not start with
	// 0 or 1; written whole or with the area code apart, and the local
	// number whole or in two groups.
	{kind: NumberLandline, groups: []int{10}, check: isLandline, hide: hideLandline},
	{kind: NumberLandline, groups: []int{11}, check: isLandline, hide: hideLandline},
	{kind: NumberLandline, groups: []int{12}, check: isLandline, hide: hideLandline},
	{kind: NumberLandline, groups: []int{3, 7}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{3, 8}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{4, 7}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{4, 8}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{3, 3, 4}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{3, 4, 4}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{4, 3, 4}, check: isLandline, hide: hideLandline, areaFirst: true},
	{kind: NumberLandline, groups: []int{4, 4, 4}, check: isLandline, hide: hideLandline, areaFirst: true},
}

func isMobile86(d string) bool { return len(d) == 13 && d[:2] == "86" && isMobile(d[2:]) }

// plausibleID18 reports whether 18 characters have the form of an ID
// number, whatever their check character.
func plausibleID18(id string) bool {
	return len(id) == 18 && allDigits(id[:17]) && (isDigitByte(id[17]) || id[17] == 'X') &&
		validProvince(id[:2]) && validDate(id[6:10], id[10:12], id[12:14])
}

// areaLength is the length of the area code, leading 0 included, that a
// landline number starting with d would have: 010 and 02x are the only
// two-digit codes.
func areaLength(d string) int {
	if len(d) > 1 && (d[1] == '1' || d[1] == '2') {
		return 3
	}
	return 4
}

func isLandline(d string) bool {
	if len(d) < 10 || d[0] != '0' || !allDigits(d) {
		return false
	}
	a := areaLength(d)
	if a == 3 && d[1] == '1' && d[2] != '0' {
		return false // 01x other than 010 is no area code
	}
	if a == 4 && d[1] < '3' {
		return false
	}
	local := d[a:]
	return (len(local) == 7 || len(local) == 8) && local[0] >= '2'
}

// hideLandline hides the local number but its last four digits.
func hideLandline(d string) (int, int) {
	a := areaLength(d)
	return a, len(d) - a - 4
}

// FindNumbers returns the personal numbers in s, in order: mainland mobile
// numbers (1[3-9] and 9 more digits, also after 86), identity card numbers
// (see numberPatterns) and landlines with their area code, written with
// ASCII or full-width digits, whole or split by spaces, hyphens or
// brackets in the usual groups (138-1234-5678, 138 1234 5678,
// 110105 19900101 1234, (025)84561234, 025 8456 1234).
//
// Left alone: digits inside a longer run of digits; numbers with a decimal
// point or thousands commas (amounts); dates, years and voucher numbers;
// short hotlines (12345) and 400 numbers, which are never a person's.
func FindNumbers(s string) []Number {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := digitValue(r); return ok }) {
		return nil
	}
	return findNumbers([]rune(s))
}

func findNumbers(rs []rune) []Number {
	groups := findDigitGroups(rs)
	var found []Number
	for i := 0; i < len(groups); {
		n, used := matchNumber(rs, groups[i:])
		if used == 0 {
			i++
			continue
		}
		found = append(found, n)
		i += used
	}
	return found
}

// MaskText masks every personal number FindNumbers finds in s: a mobile
// keeps its first three and last four digits (138****5678, as MaskPhone),
// an ID its region and sequence (110105********1234, as MaskID), a landline
// its area code and last four digits (025-****1234). Only the hidden digits
// change, each to one "*": separators and the rest of the text stay as
// written.
func MaskText(s string) string { return MaskTextExcept(s, nil) }

// MaskTextExcept is MaskText keeping the phone numbers whose Digits a
// cadre confirmed as an office's public phone (便民热线). An ID is masked
// whatever the list says.
//
// Masking one number can leave digits that, with the next group, take the
// form of another (a mobile's last four digits 0251 before " 2345678"), so
// the text is masked again until nothing more is found: MaskTextExcept is
// idempotent, and no number but a kept phone survives it.
func MaskTextExcept(s string, publicPhones []string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := digitValue(r); return ok }) {
		return s
	}
	keep := map[string]bool{}
	for _, p := range publicPhones {
		keep[p] = true
	}
	rs := []rune(s)
	for changed := true; changed; {
		changed = false
		for _, n := range findNumbers(rs) {
			if n.Keepable() && keep[n.Digits] {
				continue
			}
			for _, r := range n.hide {
				rs[r] = '*'
				changed = true
			}
		}
	}
	return string(rs)
}

// findDigitGroups finds the runs of digits in rs and how they relate.
func findDigitGroups(rs []rune) []digitGroup {
	var groups []digitGroup
	for i := 0; i < len(rs); {
		if _, ok := digitValue(rs[i]); !ok {
			i++
			continue
		}
		g := digitGroup{start: i}
		var b []byte
		for ; i < len(rs); i++ {
			d, ok := digitValue(rs[i])
			if !ok {
				break
			}
			b = append(b, d)
		}
		// An X ends an ID only when no letter or digit follows it, so
		// "1234x5678" (a size) is not read as a check character.
		if i < len(rs) && isX(rs[i]) && (i+1 == len(rs) || !unicode.In(rs[i+1], unicode.Letter, unicode.Digit)) {
			b = append(b, 'X')
			i++
		}
		g.end, g.digits = i, string(b)
		groups = append(groups, g)
	}
	for k := 0; k+1 < len(groups); k++ {
		g, h := &groups[k], &groups[k+1]
		between := rs[g.end:h.start]
		switch {
		case len(between) == 1 && (between[0] == '.' || between[0] == '．'):
			g.amount, h.amount = true, true
		case len(between) == 1 && between[0] == ',' && len(h.digits) == 3 && allDigits(h.digits):
			g.amount, h.amount = true, true
		case len(between) <= 3 && allJoiners(between):
			g.joinedNext = true
		}
	}
	return groups
}

// allJoiners reports whether rs holds only what people write between the
// groups of one number: separators, and the brackets of an area code.
func allJoiners(rs []rune) bool {
	for _, r := range rs {
		if !isNumberSeparator(r) && !strings.ContainsRune("()（）", r) {
			return false
		}
	}
	return true
}

// matchNumber tries each pattern on the groups starting at gs[0] and
// returns the number found and how many groups it used (0 for none).
func matchNumber(rs []rune, gs []digitGroup) (Number, int) {
	for _, p := range numberPatterns {
		if len(gs) < len(p.groups) {
			continue
		}
		ok := true
		digits := ""
		for k, want := range p.groups {
			g := gs[k]
			if g.amount || len(g.digits) != want || (k+1 < len(p.groups) && !g.joinedNext) {
				ok = false
				break
			}
			digits += g.digits
		}
		if !ok || !p.check(digits) || p.areaFirst && p.groups[0] != areaLength(digits) {
			continue
		}
		// Map digit positions back to runes.
		from, n := p.hide(digits)
		num := Number{Kind: p.kind, Digits: digits}
		last := gs[len(p.groups)-1].end
		masked := append([]rune(nil), rs[gs[0].start:last]...)
		pos := 0
		for k := range p.groups {
			for r := gs[k].start; r < gs[k].end; r++ {
				if pos >= from && pos < from+n {
					num.hide = append(num.hide, r)
					masked[r-gs[0].start] = '*'
				}
				pos++
			}
		}
		num.Text, num.Masked = string(rs[gs[0].start:last]), string(masked)
		return num, len(p.groups)
	}
	return Number{}, 0
}
