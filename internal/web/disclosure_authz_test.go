package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"mingbai/internal/disclosure"
	"mingbai/internal/store/storetest"
)

// boardFixture is community A's board data the matrix calls routes on: a
// draft and a published disclosure, made by A's cadre.
type boardFixture struct {
	itemA      int64 // A's own catalog item
	districtIt int64 // a district catalog item
	draft      int64
	disc       int64
	fileSum    string
}

func (f *fixture) board() *boardFixture {
	f.t.Helper()
	ctx := context.Background()
	cadre, err := f.auth.Actor(ctx, f.users["cadreA"])
	if err != nil {
		f.t.Fatal(err)
	}
	items, err := f.disc.Items(ctx, f.demo.Suojin4)
	if err != nil {
		f.t.Fatal(err)
	}
	var fin int64
	for _, it := range items {
		if it.Code == "income-expense" {
			fin = it.ID
		}
	}
	b := &boardFixture{districtIt: fin}
	own, err := f.disc.SaveItem(ctx, cadre, 0, f.demo.Suojin4, 0, disclosure.ItemInput{Section: "affairs", Name: "加装电梯进展", Cadence: "quarterly", Publisher: "cadre"})
	if err != nil {
		f.t.Fatal(err)
	}
	b.itemA = own.ID
	d, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: fin, Title: "矩阵测试草稿", Body: "草稿正文"})
	if err != nil {
		f.t.Fatal(err)
	}
	b.draft = d.ID
	att, err := f.disc.Files().Put(pdfReader(), "通知.pdf")
	if err != nil {
		f.t.Fatal(err)
	}
	b.fileSum = att.SHA256
	if err := f.disc.AttachToDraft(ctx, cadre, f.demo.Suojin4, d.ID, att); err != nil {
		f.t.Fatal(err)
	}
	d2, err := f.disc.CreateDraft(ctx, cadre, f.demo.Suojin4, disclosure.DraftInput{ItemID: fin, Title: "2026年第三季度收支", Body: "正文"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.disc.AttachToDraft(ctx, cadre, f.demo.Suojin4, d2.ID, att); err != nil {
		f.t.Fatal(err)
	}
	v, err := f.disc.Publish(ctx, cadre, f.demo.Suojin4, d2.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	b.disc = v.DisclosureID
	return b
}

var (
	publishersA = []string{"cadreA"}
	redactorsA  = []string{"cadreA", "admin"}
	overseersA  = []string{"officerA", "admin"}
)

// disclosureMatrix covers the board's routes. POSTs send empty or
// invalid forms, so an allowed role gets a 4xx from validation (or a
// harmless change) and the fixture stays usable for the other roles.
func disclosureMatrix(f *fixture) map[string]matrixCase {
	b := f.board()
	A := "/c/suojin-4"
	d := A + "/d/" + id(b.disc)
	dr := A + "/drafts/" + id(b.draft)
	return map[string]matrixCase{
		"GET /c/{community}/catalog":            {"GET", A + "/catalog", nil, everyone},
		"GET /c/{community}/items/{item}":       {"GET", A + "/items/" + id(b.districtIt), nil, everyone},
		"GET /c/{community}/d/{id}":             {"GET", d, nil, everyone},
		"GET /c/{community}/d/{id}/v/{version}": {"GET", d + "/v/1", nil, everyone},
		"GET /c/{community}/files/{sum}":        {"GET", A + "/files/" + b.fileSum, nil, everyone},
		"GET /c/{community}/thumbs/{sum}":       {"GET", A + "/thumbs/" + b.fileSum, nil, everyone},
		"GET /c/{community}/archive":            {"GET", A + "/archive?year=2026&quarter=3", nil, everyone},
		"GET /c/{community}/search":             {"GET", A + "/search?q=收支", nil, everyone},

		"GET /c/{community}/drafts":                             {"GET", A + "/drafts", nil, publishersA},
		"POST /c/{community}/drafts":                            {"POST", A + "/drafts", nil, publishersA},
		"GET /c/{community}/drafts/{draft}":                     {"GET", dr, nil, publishersA},
		"POST /c/{community}/drafts/{draft}":                    {"POST", dr, nil, publishersA},
		"POST /c/{community}/drafts/{draft}/files":              {"POST", dr + "/files", nil, publishersA},
		"GET /c/{community}/drafts/{draft}/files/{sum}":         {"GET", dr + "/files/" + b.fileSum, nil, publishersA},
		"POST /c/{community}/drafts/{draft}/files/{sum}/remove": {"POST", dr + "/files/" + "0000000000000000000000000000000000000000000000000000000000000000" + "/remove", nil, publishersA},
		// Publishing and deleting an unknown draft: allowed roles get 404.
		"POST /c/{community}/drafts/{draft}/publish":    {"POST", A + "/drafts/999999/publish", nil, publishersA},
		"POST /c/{community}/drafts/{draft}/delete":     {"POST", A + "/drafts/999999/delete", nil, publishersA},
		"GET /c/{community}/d/{id}/correct":             {"GET", d + "/correct", nil, publishersA},
		"POST /c/{community}/d/{id}/correct":            {"POST", d + "/correct", nil, publishersA},
		"POST /c/{community}/d/{id}/withdraw":           {"POST", d + "/withdraw", nil, publishersA},
		"GET /c/{community}/d/{id}/v/{version}/redact":  {"GET", d + "/v/1/redact", nil, redactorsA},
		"POST /c/{community}/d/{id}/v/{version}/redact": {"POST", d + "/v/1/redact", nil, redactorsA},
		"POST /c/{community}/catalog":                   {"POST", A + "/catalog", nil, onlyCadre},
		"GET /c/{community}/catalog/{item}":             {"GET", A + "/catalog/" + id(b.itemA), nil, onlyCadre},
		"POST /c/{community}/catalog/{item}":            {"POST", A + "/catalog/" + id(b.itemA), nil, onlyCadre},
		"GET /admin/catalog":                            {"GET", "/admin/catalog", nil, bothAdmins},
		"POST /admin/catalog":                           {"POST", "/admin/catalog", nil, bothAdmins},
		"GET /admin/catalog/{item}":                     {"GET", "/admin/catalog/" + id(b.districtIt), nil, onlyAdmin},
		"POST /admin/catalog/{item}":                    {"POST", "/admin/catalog/" + id(b.districtIt), nil, onlyAdmin},
		"POST /admin/catalog/{item}/archive":            {"POST", "/admin/catalog/999999/archive", nil, onlyAdmin},
		"GET /c/{community}/todo":                       {"GET", A + "/todo", nil, publishersA},
		"GET /s/{street}/compliance":                    {"GET", "/s/suojincun/compliance", nil, overseersA},
		"GET /s/{street}/compliance.csv":                {"GET", "/s/suojincun/compliance.csv", nil, overseersA},
		"GET /s/{street}/compliance.xlsx":               {"GET", "/s/suojincun/compliance.xlsx", nil, overseersA},

		"GET /c/{community}/feed.atom":               {"GET", A + "/feed.atom", nil, everyone},
		"GET /c/{community}/feed/{section}":          {"GET", A + "/feed/finance", nil, everyone},
		"GET /c/{community}/export.csv":              {"GET", A + "/export.csv", nil, everyone},
		"GET /c/{community}/export.xlsx":             {"GET", A + "/export.xlsx", nil, everyone},
		"GET /c/{community}/print":                   {"GET", A + "/print?size=A4", nil, everyone},
		"GET /api/v1/c/{community}/catalog":          {"GET", "/api/v1/c/suojin-4/catalog", nil, everyone},
		"GET /api/v1/c/{community}/catalog/{item}":   {"GET", "/api/v1/c/suojin-4/catalog/" + id(b.districtIt), nil, everyone},
		"GET /api/v1/c/{community}/disclosures":      {"GET", "/api/v1/c/suojin-4/disclosures", nil, everyone},
		"GET /api/v1/c/{community}/disclosures/{id}": {"GET", "/api/v1/c/suojin-4/disclosures/" + id(b.disc), nil, everyone},
		"GET /search": {"GET", "/search?q=" + url.QueryEscape("收支"), nil, everyone},
	}
}

func pdfReader() *strings.Reader {
	return strings.NewReader("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEntryPoints: from the home page and a community's board a resident
// reaches search, 查进度, 我要提问, 举报投诉 and the printable board by
// clicking, and on the board the community's name comes before the tabs.
func TestEntryPoints(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	anon := f.client()
	home := body(t, anon.get("/"))
	for _, want := range []string{`action="/search"`, `href="/qa/track"`} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	board := body(t, anon.get("/c/suojin-4"))
	for _, want := range []string{`action="/c/suojin-4/search"`, `href="/search"`, `href="/qa/track"`, `href="/c/suojin-4/qa/new"`,
		`href="/c/suojin-4/complaints/new"`, `href="/c/suojin-4/print"`} {
		if !strings.Contains(board, want) {
			t.Errorf("board lacks %s", want)
		}
	}
	if h1, tabs := strings.Index(board, `<h1 class="page-title">`), strings.Index(board, `aria-label="公开栏目"`); h1 < 0 || tabs < 0 || h1 > tabs {
		t.Error("the board's heading does not come before its tabs")
	}
}
