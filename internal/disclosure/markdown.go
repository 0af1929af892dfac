package disclosure

import (
	"html"
	"html/template"
	"net/url"
	"strings"
)

// RenderMarkdown turns a disclosure body written in Mingbai's small
// Markdown subset into safe HTML:
//
//	# 标题, ## 标题, ### 标题      headings (shown one level below the page's own)
//	- 项 / * 项                    bullet lists
//	1. 项 / 1、项                  numbered lists
//	| 列 | 列 | + |---|---|        tables (the second row is the separator)
//	**粗体**                       bold
//	[文字](https://…)              links, http and https only
//
// Everything else is text: every character that means something in HTML is
// escaped, so no tag, attribute or script a cadre types can reach a page.
// A link to any other scheme (javascript:, data:, a relative path) is shown
// as the text the cadre typed.
func RenderMarkdown(src string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n"), "\n")
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		b.WriteString("<p>")
		for i, l := range para {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(inline(l))
		}
		b.WriteString("</p>\n")
		para = para[:0]
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case trimmed == "":
			flush()
		case headingLevel(trimmed) > 0:
			flush()
			n := headingLevel(trimmed)
			tag := [...]string{"", "h3", "h4", "h5"}[n]
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(trimmed[n+1:])) + "</" + tag + ">\n")
		case bulletItem(trimmed) != "":
			flush()
			b.WriteString("<ul>\n")
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				item := bulletItem(t)
				if item == "" {
					i--
					break
				}
				b.WriteString("<li>" + inline(item[1:]) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		case numberedItem(trimmed) != "":
			flush()
			b.WriteString("<ol>\n")
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				item := numberedItem(t)
				if item == "" {
					i--
					break
				}
				b.WriteString("<li>" + inline(item[1:]) + "</li>\n")
			}
			b.WriteString("</ol>\n")
		case strings.HasPrefix(trimmed, "|") && i+1 < len(lines) && isTableSeparator(strings.TrimSpace(lines[i+1])):
			flush()
			b.WriteString("<div class=\"table-wrap\"><table>\n<thead><tr>")
			for _, c := range tableCells(trimmed) {
				b.WriteString("<th>" + inline(c) + "</th>")
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			i += 2
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				if !strings.HasPrefix(t, "|") {
					i--
					break
				}
				b.WriteString("<tr>")
				for _, c := range tableCells(t) {
					b.WriteString("<td>" + inline(c) + "</td>")
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody></table></div>\n")
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return template.HTML(b.String())
}

// headingLevel is 1–3 for "# ", "## ", "### ", else 0.
func headingLevel(s string) int {
	n := 0
	for n < len(s) && s[n] == '#' {
		n++
	}
	if n == 0 || n > 3 || n >= len(s) || s[n] != ' ' {
		return 0
	}
	return n
}

// bulletItem returns the line from the space after the marker, or "".
func bulletItem(s string) string {
	if len(s) > 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ' && !strings.HasPrefix(s, "**") {
		return s[1:]
	}
	return ""
}

// numberedItem returns the item text prefixed with one separator byte, or "".
func numberedItem(s string) string {
	n := 0
	for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return ""
	}
	rest := s[n:]
	switch {
	case strings.HasPrefix(rest, ". ") && len(rest) > 2:
		return rest[1:]
	case strings.HasPrefix(rest, "、") && len(rest) > len("、"):
		return " " + rest[len("、"):]
	}
	return ""
}

func isTableSeparator(s string) bool {
	if !strings.HasPrefix(s, "|") || !strings.Contains(s, "-") {
		return false
	}
	return strings.Trim(s, "|-: ") == ""
}

func tableCells(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "|")
	s = strings.TrimSuffix(s, "|")
	cells := strings.Split(s, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// inline renders bold and links within one line; all else is escaped.
func inline(s string) string {
	var b strings.Builder
	bold := false
	for i := 0; i < len(s); {
		switch stars := starRun(s[i:]); {
		case stars >= 3:
			// Three stars or more are a masked number (138****5678),
			// never a bold mark.
			b.WriteString(s[i : i+stars])
			i += stars
		case stars == 2:
			// Only open a bold run that closes on this line.
			if bold {
				b.WriteString("</strong>")
				bold = false
			} else if hasBoldMark(s[i+2:]) {
				b.WriteString("<strong>")
				bold = true
			} else {
				b.WriteString("**")
			}
			i += 2
		case s[i] == '[':
			text, href, n := parseLink(s[i:])
			if n == 0 {
				b.WriteString("[")
				i++
				continue
			}
			if safe := safeURL(href); safe != "" {
				b.WriteString(`<a href="` + html.EscapeString(safe) + `" rel="nofollow noopener">` + html.EscapeString(text) + `</a>`)
			} else {
				b.WriteString(html.EscapeString(s[i : i+n]))
			}
			i += n
		default:
			j := i + 1
			for j < len(s) && s[j] != '*' && s[j] != '[' {
				j++
			}
			b.WriteString(html.EscapeString(s[i:j]))
			i = j
		}
	}
	if bold {
		b.WriteString("</strong>")
	}
	return b.String()
}

// starRun is the number of '*' s starts with.
func starRun(s string) int {
	n := 0
	for n < len(s) && s[n] == '*' {
		n++
	}
	return n
}

// hasBoldMark reports whether s holds a bold mark: a run of exactly two
// stars.
func hasBoldMark(s string) bool {
	for i := 0; i < len(s); {
		if n := starRun(s[i:]); n > 0 {
			if n == 2 {
				return true
			}
			i += n
			continue
		}
		i++
	}
	return false
}

// parseLink reads "[text](href)" at the start of s and returns its length,
// or 0 when s does not start with a link.
func parseLink(s string) (text, href string, n int) {
	end := strings.Index(s, "](")
	if end < 1 || strings.ContainsAny(s[1:end], "[]") {
		return "", "", 0
	}
	close := strings.IndexByte(s[end+2:], ')')
	if close < 0 {
		return "", "", 0
	}
	return s[1:end], strings.TrimSpace(s[end+2 : end+2+close]), end + 3 + close
}

// safeURL returns u normalised when it is an absolute http or https URL
// with a host, and "" otherwise.
func safeURL(u string) string {
	if strings.ContainsAny(u, " \t\"'<>\\`") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return p.String()
}

// PlainText returns the body's text without Markdown marks, for search and
// for feed summaries.
func PlainText(src string) string {
	// Bold marks go; the stars of a masked number stay.
	var b strings.Builder
	for i := 0; i < len(src); {
		n := starRun(src[i:])
		if n != 2 {
			n = max(n, 1)
			b.WriteString(src[i : i+n])
		}
		i += n
	}
	r := strings.NewReplacer("|", " ", "#", "", "](", " ", "[", "", ")", " ")
	var lines []string
	for _, line := range strings.Split(b.String(), "\n") {
		// A table's delimiter row (| --- | ---: |) is syntax, not text.
		if t := strings.TrimSpace(line); strings.Contains(t, "-") && strings.Trim(t, "|-: ") == "" {
			continue
		}
		lines = append(lines, r.Replace(line))
	}
	return strings.Join(strings.Fields(strings.Join(lines, "\n")), " ")
}
