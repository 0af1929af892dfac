package web

import "mingbai/internal/org"

// Section is one of the four parts of every community's board.
type Section struct {
	Slug  string
	Label string
	Blurb string
}

// Sections are the four 栏目 of 居务公开, in the order the boards show them.
var Sections = []Section{
	{"party", "党务", "党建工作目标、党务工作流程、党员教育管理、党费收缴标准、党员发展"},
	{"government", "政务", "一门通服务大厅：各部门职责、办事条件、程序、时限和办理结果"},
	{"affairs", "事务", "选举结果、干部分工、工作制度、居民公约、居民会议决定、评议结果"},
	{"finance", "财务", "居委会收支、干部补贴、救灾救济款物、收费情况"},
}

func SectionBySlug(slug string) (Section, bool) {
	for _, s := range Sections {
		if s.Slug == slug {
			return s, true
		}
	}
	return Section{}, false
}

// CommunityFeeds are the Atom feeds a community's page announces: its
// section's feed first when it belongs to one, then the whole board's.
// The titles are the feeds' own (boardAtom).
func CommunityFeeds(c *org.Unit, current string) []FeedLink {
	home := "/c/" + c.Slug
	var feeds []FeedLink
	if sec, ok := SectionBySlug(current); ok {
		feeds = append(feeds, FeedLink{Title: c.Name + sec.Label + "公开", Href: home + "/feed/" + sec.Slug})
	}
	return append(feeds, FeedLink{Title: c.Name + "居务公开", Href: home + "/feed.atom"})
}
