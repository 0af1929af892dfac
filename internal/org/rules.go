package org

import (
	"mingbai/internal/zh"
	"strings"

	"mingbai"
)

// Limits on what an admin may type.
const (
	minName     = 2
	maxName     = 40
	minSlug     = 2
	maxSlug     = 40
	minLocation = 2
	maxLocation = 80
)

// cleanName checks a unit's name by the one text rule: it shows on every
// page of the unit, so a bidirectional control in it would be worse than
// anywhere.
func cleanName(s string) (string, error) {
	return zh.Text{Field: "name", Label: "名称", Min: minName, Max: maxName}.Clean(s)
}

// cleanSlug checks a URL slug. Slugs are chosen by the admin (there is no
// pinyin conversion), so every message says what a good one looks like.
func cleanSlug(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", mingbai.FieldError("slug", "请填写网址标识：小写英文字母、数字和连字符，例如 suojin-4")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "", mingbai.FieldError("slug", "网址标识只能使用小写英文字母、数字和连字符（-），例如 suojin-4")
		}
	}
	switch {
	case len(s) < minSlug || len(s) > maxSlug:
		return "", mingbai.FieldError("slug", "网址标识应为 %d 到 %d 个字符，现在是 %d 个", minSlug, maxSlug, len(s))
	case s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--"):
		return "", mingbai.FieldError("slug", "网址标识不能以连字符开头或结尾，也不能有连续的连字符")
	case strings.Trim(s, "0123456789") == "":
		// Pages address units by slug and sometimes by number; an all-digit
		// slug would be mistaken for a number.
		return "", mingbai.FieldError("slug", "网址标识不能全是数字，请加上字母，例如 suojin-4")
	}
	return s, nil
}

// provinces are the first two digits of GB/T 2260 codes: the provinces,
// autonomous regions and municipalities, Taiwan, Hong Kong and Macao.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// cleanGBCode checks a district's GB/T 2260 administrative division code:
// six digits, province (2), prefecture (2), county (2). A district (市辖区)
// is county-level, so neither the prefecture nor the county part is 00.
func cleanGBCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", mingbai.FieldError("gb_code", "请填写行政区划代码（6 位数字，例如玄武区为 320102）")
	}
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", mingbai.FieldError("gb_code", "行政区划代码应为 6 位数字，例如玄武区为 320102")
	}
	switch {
	case !provinces[s[:2]]:
		return "", mingbai.FieldError("gb_code", "行政区划代码 %s 的前两位 %s 不是省级行政区的代码", s, s[:2])
	case s[2:4] == "00" || s[4:] == "00":
		return "", mingbai.FieldError("gb_code", "行政区划代码 %s 不是县级（区、县）代码：第三四位和最后两位都不能是 00", s)
	}
	return s, nil
}

// cleanPhone checks a mainland phone number and returns it in one form:
// a landline as area code, hyphen, local number (025-85401234), optionally
// with an extension (025-85401234-801); a mobile as its 11 digits.
// Spaces are ignored, and a hyphen after the area code is optional.
func cleanPhone(s string, required bool) (string, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		if required {
			return "", mingbai.FieldError("phone", "请填写联系电话")
		}
		return "", nil
	}
	bad := mingbai.FieldError("phone", "联系电话格式不对：固定电话请写成 025-85401234 的样子（区号加号码），手机号为 1 开头的 11 位数字")
	if allDigits(s) && len(s) == 11 && s[0] == '1' {
		if s[1] < '3' {
			return "", bad
		}
		return s, nil
	}
	if s[0] != '0' {
		return "", bad
	}
	// Area codes are 3 digits for Beijing (010) and the 02x cities, 4 for
	// the rest; local numbers are 8 digits after a 3-digit area code and 7
	// or 8 after a 4-digit one, and never start with 0 or 1.
	digits := strings.ReplaceAll(s, "-", "")
	areaLen := 4
	if len(digits) > 1 && (digits[1] == '1' || digits[1] == '2') {
		areaLen = 3
	}
	parts := strings.Split(s, "-")
	if len(parts[0]) > areaLen {
		// No hyphen after the area code: split it off by length.
		parts = append([]string{parts[0][:areaLen], parts[0][areaLen:]}, parts[1:]...)
	}
	var area, local, ext string
	switch len(parts) {
	case 2:
		area, local = parts[0], parts[1]
	case 3:
		area, local, ext = parts[0], parts[1], parts[2]
	default:
		return "", bad
	}
	if !allDigits(area) || !allDigits(local) || len(area) != areaLen || local == "" || local[0] < '2' {
		return "", bad
	}
	if areaLen == 3 && len(local) != 8 || areaLen == 4 && (len(local) < 7 || len(local) > 8) {
		return "", bad
	}
	if len(parts) == 3 && (ext == "" || len(ext) > 6 || !allDigits(ext)) {
		return "", bad
	}
	out := area + "-" + local
	if ext != "" {
		out += "-" + ext
	}
	return out, nil
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// cleanBoardLocation checks where a community's printed board stands; the
// regulations want it at a fixed place residents can find, so it is
// required for a community.
func cleanBoardLocation(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", mingbai.FieldError("board_location", "请填写公开栏所在位置，例如“锁金四村12幢北侧宣传橱窗”")
	}
	return zh.Text{Field: "board_location", Label: "公开栏位置", Min: minLocation, Max: maxLocation}.Clean(s)
}
