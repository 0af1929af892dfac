package disclosure

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/store"
	"mingbai/internal/zh"
)

// defaultItem is one item of the default catalog of DOMAIN.md, from the
// founding report (Xuanwu district, Nanjing).
type defaultItem struct {
	section   Section
	code      string
	name      string
	elements  string
	basis     string
	cadence   Cadence
	publisher mingbai.Role
	timing    Timing
}

const (
	basisParty   = "《中国共产党党务公开条例（试行）》"
	basisVillage = "《城市居民委员会组织法》；参照《村民委员会组织法》第三十条、中办发〔2004〕17号"
	basisGov     = "《政府信息公开条例》；中办发〔2004〕17号"
)

// defaultCatalog is loaded into every district on first use.
var defaultCatalog = []defaultItem{
	{Party, "party-goals", "党建工作目标", "年度党建工作目标、主要任务、完成时限", basisParty, Yearly, mingbai.RolePartySecretary, TimingStart},
	{Party, "party-procedures", "党务工作流程", "组织生活制度、议事程序、办事流程", basisParty, Standing, mingbai.RolePartySecretary, TimingAfter},
	{Party, "party-education", "党员教育管理措施", "学习教育安排、组织生活、民主评议党员", basisParty, Quarterly, mingbai.RolePartySecretary, TimingAfter},
	{Party, "party-fees", "党费收缴标准和收缴情况", "缴纳基数与比例、按月收缴情况、党费使用", basisParty + "；中组发〔2008〕3号", Quarterly, mingbai.RolePartySecretary, TimingAfter},
	{Party, "party-development", "党员发展和预备党员转正", "发展对象、预备党员转正公示，公示期和反映渠道", basisParty, Event, mingbai.RolePartySecretary, TimingAfter},
	{Party, "party-members", "在职党员公开身份", "在社区居住党员的姓名、所在楼栋、承诺事项", basisParty, Standing, mingbai.RolePartySecretary, TimingAfter},

	{Government, "gov-duties", "各部门职责", "进驻部门名称、职责、窗口和联系电话", basisGov, Standing, mingbai.RoleClerk, TimingAfter},
	{Government, "gov-services", "办事条件、程序和时限", "办事条件、所需材料、办理程序、办理纪律、承诺时限", basisGov, Standing, mingbai.RoleClerk, TimingAfter},
	{Government, "gov-results", "监督渠道和办理结果", "监督投诉电话、办件数量和办理结果", basisGov, Quarterly, mingbai.RoleClerk, TimingAfter},
	{Government, "gov-fees", "执法部门收费罚款标准和收取情况", "收费、罚款的项目、标准、依据和收取金额", basisGov, Quarterly, mingbai.RoleClerk, TimingAfter},

	{Affairs, "election", "居委会选举结果", "当选成员名单、得票情况、任期", basisVillage, Event, mingbai.RoleCadre, TimingAfter},
	{Affairs, "division", "干部分工", "居委会成员分工、联系楼栋、联系电话", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "work-rules", "工作制度", "值班、接待、议事、财务等工作制度", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "cadre-duties", "干部岗位职责", "各岗位职责和服务承诺", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "yearly-plan", "年度工作目标和计划", "年度目标、重点工作、完成情况", basisVillage, Yearly, mingbai.RoleCadre, TimingStart},
	{Affairs, "covenant", "规章制度和居民公约", "居民公约、自治章程及修订情况", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "meeting-decisions", "居民会议决定", "会议时间、议题、表决结果、决定事项", basisVillage, Event, mingbai.RoleCadre, TimingAfter},
	{Affairs, "evaluation", "干部评议结果", "民主评议（评认）结果、整改措施", basisVillage, Yearly, mingbai.RoleCadre, TimingAfter},
	{Affairs, "awards", "表彰奖励", "受表彰对象、事迹、奖励内容", basisVillage, Event, mingbai.RoleCadre, TimingAfter},
	{Affairs, "service-items", "服务项目", "便民服务项目、时间、地点", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "hotlines", "便民服务热线", "社区、物业、水电气、110/120 等电话", basisVillage, Standing, mingbai.RoleCadre, TimingAfter},
	{Affairs, "civility", "文明创建", "文明楼栋、文明家庭评选标准和结果", basisVillage, Yearly, mingbai.RoleCadre, TimingAfter},
	{Affairs, "suggestions", "居民意见建议办理情况", "收到的意见建议数量、采纳和答复情况（半年统计）", basisVillage, HalfYearly, mingbai.RoleCadre, TimingAfter},

	{Finance, "income-expense", "居委会收支情况", "收入、支出明细，结余，经手人和审核人", basisVillage + "；交易频繁的应按月公开", Quarterly, mingbai.RoleCadre, TimingAfter},
	{Finance, "cadre-pay", "干部补贴和奖金", "补贴、奖金的标准、发放对象和金额", basisVillage, Quarterly, mingbai.RoleCadre, TimingAfter},
	{Finance, "relief", "救灾救济款物接收和发放", "接收来源、数量，发放对象（去标识化）、数量、时间", basisVillage + "；《社会救助暂行办法》", Event, mingbai.RoleCadre, TimingAfter},
	{Finance, "fees", "收费情况", "收费项目、标准、依据、收取金额和用途", basisVillage, Quarterly, mingbai.RoleCadre, TimingAfter},
}

const itemColumns = `id, district_id, community_id, section, code, name, elements, basis, cadence, timing, event_days, publisher, department_id, channels, audience, mode, position, archived_at, version`

func scanItem(sc store.Scanner) (*Item, error) {
	var it Item
	var section, cadence, timing, publisher string
	var dept sql.NullInt64
	err := sc.Scan(&it.ID, &it.DistrictID, &it.CommunityID, &section, &it.Code, &it.Name, &it.Elements, &it.Basis,
		&cadence, &timing, &it.EventDays, &publisher, &dept, &it.Channels, &it.Audience, &it.Mode, &it.Position, &it.ArchivedAt, &it.Version)
	if err != nil {
		return nil, err
	}
	it.Section, it.Cadence, it.Timing, it.Publisher, it.Department = Section(section), Cadence(cadence), Timing(timing), mingbai.Role(publisher), dept.Int64
	return &it, nil
}

// LoadDefaultCatalog loads DOMAIN.md's default catalog into district
// once. Later calls do nothing, so an admin's edits and archived items
// stay as the admin left them.
func (s *Service) LoadDefaultCatalog(ctx context.Context, districtID int64) error {
	var loaded int
	err := s.db.QueryRowPrepared(ctx, `SELECT COUNT(*) FROM disclosure_catalogs WHERE district_id = ?`, districtID).Scan(&loaded)
	if err != nil {
		return fmt.Errorf("catalog of district %d: %w", districtID, err)
	}
	if loaded > 0 {
		return nil
	}
	// Batched: the load's leaves (one per item) are then written with a
	// few multi-row statements.
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error { return s.loadDefaultCatalog(ctx, tx, districtID) })
}

func (s *Service) loadDefaultCatalog(ctx context.Context, tx *store.Tx, districtID int64) error {
	u, err := org.LoadUnit(ctx, tx, districtID)
	if err != nil {
		return err
	}
	if u.Kind != org.District {
		return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该区。")
	}
	now := s.clock()
	res, err := tx.Exec(ctx, `INSERT INTO disclosure_catalogs (district_id, loaded_at) VALUES (?, ?) ON CONFLICT (district_id) DO NOTHING`, districtID, now)
	if err != nil {
		return fmt.Errorf("mark catalog of district %d: %w", districtID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // loaded by a concurrent request
	}
	// Items and their snapshot rows go in multi-row statements and the
	// leaves (one per item) are deferred to the batch's flush, so the load
	// costs a handful of statements rather than one per item and table.
	items := make([]*Item, len(defaultCatalog))
	args := make([]any, 0, 16*len(defaultCatalog))
	for i, d := range defaultCatalog {
		days := 0
		if d.cadence == Event {
			days = s.rules.EventWorkdays
			if d.code == "party-development" {
				days = 5
			}
		}
		it := &Item{
			DistrictID: districtID, Section: d.section, Code: d.code, Name: d.name, Elements: d.elements, Basis: d.basis,
			Cadence: d.cadence, Timing: d.timing, EventDays: days, Publisher: d.publisher, Channels: "公开栏、网站", Audience: "public", Mode: "proactive",
			Position: (i + 1) * 10, Version: 1,
		}
		items[i] = it
		args = append(args, districtID, string(it.Section), it.Code, it.Name, it.Elements, it.Basis, string(it.Cadence), string(it.Timing), it.EventDays,
			string(it.Publisher), it.Channels, it.Audience, it.Mode, it.Position, now, now, 1)
	}
	ids := map[string]int64{}
	err = tx.InsertRows(ctx, `INSERT INTO disclosure_items (district_id, section, code, name, elements, basis, cadence, timing, event_days, publisher, channels, audience, mode, position, created_at, updated_at, version)`,
		" RETURNING id, code", 17, args, func(rows *sql.Rows) error {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				return err
			}
			ids[code] = id
			return nil
		})
	if err != nil {
		return fmt.Errorf("default catalog of district %d: %w", districtID, err)
	}
	// One leaf per item rather than one for the whole load: each item's
	// history then starts with a version that fsck and auditors check like
	// any other.
	versions := make([][]any, 0, len(items))
	for _, it := range items {
		if it.ID = ids[it.Code]; it.ID == 0 {
			return fmt.Errorf("default catalog item %s: no id returned", it.Code)
		}
		row, err := s.itemLeaf(ctx, tx, it, ItemLoaded, nil, now)
		if err != nil {
			return err
		}
		versions = append(versions, row)
	}
	return insertItemVersions(ctx, tx, versions...)
}

// Items returns the live catalog of a community: its district's items and
// its own, by section and position. The district's default catalog is
// loaded on first use.
func (s *Service) Items(ctx context.Context, communityID int64) ([]Item, error) {
	var district int64
	err := s.db.QueryRowPrepared(ctx, `SELECT district_id FROM org_units WHERE id = ? AND kind = 'community'`, communityID).Scan(&district)
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该社区。")
	}
	if err != nil {
		return nil, fmt.Errorf("items of community %d: %w", communityID, err)
	}
	if err := s.LoadDefaultCatalog(ctx, district); err != nil {
		return nil, err
	}
	return s.queryItems(ctx, `SELECT `+itemColumns+` FROM disclosure_items
		WHERE district_id = ? AND community_id IN (0, ?) AND archived_at IS NULL
		ORDER BY CASE section WHEN 'party' THEN 1 WHEN 'government' THEN 2 WHEN 'affairs' THEN 3 ELSE 4 END, community_id, position, id`, district, communityID)
}

// DistrictItems returns the district's own catalog, archived items too.
func (s *Service) DistrictItems(ctx context.Context, districtID int64) ([]Item, error) {
	if err := s.LoadDefaultCatalog(ctx, districtID); err != nil {
		return nil, err
	}
	return s.queryItems(ctx, `SELECT `+itemColumns+` FROM disclosure_items WHERE district_id = ? AND community_id = 0
		ORDER BY CASE section WHEN 'party' THEN 1 WHEN 'government' THEN 2 WHEN 'affairs' THEN 3 ELSE 4 END, position, id`, districtID)
}

// queryItems runs q, a constant query of catalog rows: the board reads
// them on every render, so the statement stays prepared.
func (s *Service) queryItems(ctx context.Context, q string, args ...any) ([]Item, error) {
	rows, err := s.db.QueryPrepared(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query catalog: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("scan catalog item: %w", err)
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// Item returns catalog item id as seen from community: a district item of
// the community's district or one of the community's own.
func (s *Service) Item(ctx context.Context, communityID, id int64) (*Item, error) {
	var it *Item
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		it, err = itemForCommunity(ctx, tx, communityID, id)
		return err
	})
	return it, err
}

func itemForCommunity(ctx context.Context, tx *store.Tx, communityID, id int64) (*Item, error) {
	it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM disclosure_items i
		WHERE i.id = ? AND i.community_id IN (0, ?)
		AND i.district_id = (SELECT district_id FROM org_units WHERE id = ?)`, id, communityID, communityID))
	if isNoRows(err) {
		return nil, mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
	}
	if err != nil {
		return nil, fmt.Errorf("catalog item %d: %w", id, err)
	}
	return it, nil
}

// ItemInput is what an admin or a cadre types for a catalog item.
type ItemInput struct {
	Section    string
	Name       string
	Elements   string
	Basis      string
	Cadence    string
	Timing     string // "" for TimingAfter
	EventDays  string
	Publisher  string
	Department int64
	Channels   string
	Audience   string
	Mode       string
}

// ItemInputOf returns the input that would leave it unchanged.
func ItemInputOf(it *Item) ItemInput {
	return ItemInput{
		Section: string(it.Section), Name: it.Name, Elements: it.Elements, Basis: it.Basis,
		Cadence: string(it.Cadence), Timing: string(it.Timing), EventDays: fmt.Sprint(it.EventDays), Publisher: string(it.Publisher),
		Department: it.Department, Channels: it.Channels, Audience: it.Audience, Mode: it.Mode,
	}
}

func (in ItemInput) clean() (*Item, error) {
	var it Item
	var err error
	it.Section = Section(in.Section)
	if !it.Section.Valid() {
		return nil, mingbai.FieldError("section", "请选择栏目：党务、政务、事务或财务")
	}
	if it.Name, err = (zh.Text{Field: "name", Label: "事项名称", Min: 2, Max: 60}).Clean(in.Name); err != nil {
		return nil, err
	}
	if it.Elements, err = (zh.Text{Field: "elements", Label: "公开要素", Max: 500, Multiline: true}).Clean(in.Elements); err != nil {
		return nil, err
	}
	if it.Basis, err = (zh.Text{Field: "basis", Label: "公开依据", Max: 300, Multiline: true}).Clean(in.Basis); err != nil {
		return nil, err
	}
	it.Cadence = Cadence(in.Cadence)
	if !it.Cadence.Valid() {
		return nil, mingbai.FieldError("cadence", "请选择公开时限")
	}
	switch Timing(in.Timing) {
	case TimingAfter, "":
		it.Timing = TimingAfter
	case TimingStart:
		it.Timing = TimingStart
	default:
		return nil, mingbai.FieldError("timing", "请选择期初公开或期满后公开")
	}
	if it.Cadence.months() == 0 {
		it.Timing = TimingAfter // only periodic items have a period to start
	}
	if it.Cadence == Event {
		var d int
		if _, err := fmt.Sscan(strings.TrimSpace(in.EventDays), &d); err != nil || d < 1 || d > 60 {
			return nil, mingbai.FieldError("event_days", "请填写事项发生后几个工作日内公开：1 到 60 之间的整数")
		}
		it.EventDays = d
	}
	it.Publisher = mingbai.Role(in.Publisher)
	switch it.Publisher {
	case mingbai.RoleCadre, mingbai.RolePartySecretary, mingbai.RoleClerk:
	default:
		return nil, mingbai.FieldError("publisher", "请选择公开主体：社区干部、党组织书记或部门工作人员")
	}
	it.Department = in.Department
	if it.Publisher != mingbai.RoleClerk {
		it.Department = 0
	}
	if it.Channels, err = (zh.Text{Field: "channels", Label: "公开渠道", Max: 60}).Clean(in.Channels); err != nil {
		return nil, err
	}
	if it.Channels == "" {
		it.Channels = "公开栏、网站"
	}
	// The catalog is public and logged: no personal number goes in.
	it.Name, it.Elements, it.Basis, it.Channels = zh.MaskText(it.Name), zh.MaskText(it.Elements), zh.MaskText(it.Basis), zh.MaskText(it.Channels)
	switch in.Audience {
	case "public", "specific":
		it.Audience = in.Audience
	case "":
		it.Audience = "public"
	default:
		return nil, mingbai.FieldError("audience", "请选择公开对象：全社会或特定对象")
	}
	switch in.Mode {
	case "proactive", "on_request":
		it.Mode = in.Mode
	case "":
		it.Mode = "proactive"
	default:
		return nil, mingbai.FieldError("mode", "请选择主动公开或依申请公开")
	}
	return &it, nil
}

// SaveItem creates (id 0) or changes a catalog item. With communityID 0
// it is an item of the district's catalog, which only the district's
// admins may change; otherwise it is the community's own item, kept by
// the community's cadres.
func (s *Service) SaveItem(ctx context.Context, a *mingbai.Actor, districtID, communityID, id int64, in ItemInput) (*Item, error) {
	it, err := in.clean()
	if err != nil {
		return nil, err
	}
	// The function may run twice (a failed batch is retried caller by
	// caller), so it writes only its own variables' results.
	saved := id
	err = s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		district, err := catalogDistrict(ctx, tx, a, districtID, communityID)
		if err != nil {
			return err
		}
		if err := s.loadDefaultCatalog(ctx, tx, district); err != nil {
			return err
		}
		if it.Department != 0 {
			d, err := org.LoadUnit(ctx, tx, it.Department)
			if err != nil || d.Kind != org.Department || d.DistrictID != district {
				return mingbai.FieldError("department", "请选择本区的部门")
			}
		}
		now := s.clock()
		it := *it
		it.DistrictID, it.CommunityID = district, communityID
		if id == 0 {
			it.Code = fmt.Sprintf("c%d-%d", communityID, now.UnixNano())
			if communityID == 0 {
				it.Code = fmt.Sprintf("d-%d", now.UnixNano())
			}
			it.Version = 1
			newID, err := tx.InsertID(ctx, `INSERT INTO disclosure_items (district_id, community_id, section, code, name, elements, basis, cadence, timing, event_days, publisher, department_id, channels, audience, mode, position, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 10 FROM disclosure_items WHERE district_id = ? AND community_id = ?), ?, ?, 1) RETURNING id`,
				district, communityID, string(it.Section), it.Code, it.Name, it.Elements, it.Basis, string(it.Cadence), string(it.Timing), it.EventDays, string(it.Publisher), nullID(it.Department), it.Channels, it.Audience, it.Mode,
				district, communityID, now, now)
			if err != nil {
				return fmt.Errorf("insert catalog item: %w", err)
			}
			it.ID, saved = newID, newID
			if err := bumpCatalog(ctx, tx, district); err != nil {
				return err
			}
			return s.logItem(ctx, tx, &it, ItemCreated, a, now)
		}
		old, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM disclosure_items WHERE id = ? AND district_id = ? AND community_id = ?`, id, district, communityID))
		if isNoRows(err) {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
		}
		if err != nil {
			return fmt.Errorf("catalog item %d: %w", id, err)
		}
		if sameItem(old, &it) {
			return nil // nothing changed: no new version, no leaf
		}
		it.ID, it.Code, it.Position, it.ArchivedAt, it.Version = old.ID, old.Code, old.Position, old.ArchivedAt, old.Version+1
		res, err := tx.Exec(ctx, `UPDATE disclosure_items SET section = ?, name = ?, elements = ?, basis = ?, cadence = ?, timing = ?, event_days = ?, publisher = ?, department_id = ?, channels = ?, audience = ?, mode = ?, updated_at = ?, version = ?
			WHERE id = ? AND district_id = ? AND community_id = ? AND version = ?`,
			string(it.Section), it.Name, it.Elements, it.Basis, string(it.Cadence), string(it.Timing), it.EventDays, string(it.Publisher), nullID(it.Department), it.Channels, it.Audience, it.Mode, now, it.Version,
			id, district, communityID, old.Version)
		if err != nil {
			return fmt.Errorf("update catalog item %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return mingbai.Errorf(mingbai.ECONFLICT, "该公开目录项刚被他人修改，请刷新后再试。")
		}
		if err := bumpCatalog(ctx, tx, district); err != nil {
			return err
		}
		return s.logItem(ctx, tx, &it, ItemEdited, a, now)
	})
	if err != nil {
		return nil, err
	}
	if communityID != 0 {
		return s.Item(ctx, communityID, saved)
	}
	items, err := s.queryItems(ctx, `SELECT `+itemColumns+` FROM disclosure_items WHERE id = ?`, saved)
	if err != nil || len(items) == 0 {
		return nil, fmt.Errorf("reload catalog item %d: %w", saved, err)
	}
	return &items[0], nil
}

// catalogDistrict checks that a may change the catalog of community
// communityID (its cadres), or when it is 0 the district's own (its
// admins), and returns the catalog's district.
func catalogDistrict(ctx context.Context, tx *store.Tx, a *mingbai.Actor, districtID, communityID int64) (int64, error) {
	if communityID == 0 {
		if !a.IsDistrictAdmin(districtID) {
			return 0, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本区的管理员可以修改区公开目录。")
		}
		return districtID, nil
	}
	c, err := org.LoadCommunity(ctx, tx, communityID, true)
	if err != nil {
		return 0, err
	}
	if !a.Has(mingbai.RoleCadre, c.ID) {
		return 0, mingbai.Errorf(mingbai.EFORBIDDEN, "只有本社区的干部可以增改本社区的公开目录。")
	}
	return c.DistrictID, nil
}

// ArchiveItem takes an item out of the catalog (or puts it back when
// restore is set). Its disclosures stay on the board's archive. Archiving
// an archived item (or restoring a live one) changes nothing.
func (s *Service) ArchiveItem(ctx context.Context, a *mingbai.Actor, districtID, communityID, id int64, restore bool) error {
	return s.db.WriteBatched(ctx, func(tx *store.Tx) error {
		district, err := catalogDistrict(ctx, tx, a, districtID, communityID)
		if err != nil {
			return err
		}
		it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM disclosure_items WHERE id = ? AND district_id = ? AND community_id = ?`, id, district, communityID))
		if isNoRows(err) {
			return mingbai.Errorf(mingbai.ENOTFOUND, "找不到该公开目录项。")
		}
		if err != nil {
			return fmt.Errorf("catalog item %d: %w", id, err)
		}
		if restore == (it.ArchivedAt == nil) {
			return nil
		}
		now := s.clock()
		var at any = now
		action := ItemArchived
		it.ArchivedAt = &now
		if restore {
			at, action, it.ArchivedAt = nil, ItemRestored, nil
		}
		old := it.Version
		it.Version++
		res, err := tx.Exec(ctx, `UPDATE disclosure_items SET archived_at = ?, updated_at = ?, version = ? WHERE id = ? AND district_id = ? AND community_id = ? AND version = ?`,
			at, now, it.Version, id, district, communityID, old)
		if err != nil {
			return fmt.Errorf("archive catalog item %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return mingbai.Errorf(mingbai.ECONFLICT, "该公开目录项刚被他人修改，请刷新后再试。")
		}
		if err := bumpCatalog(ctx, tx, district); err != nil {
			return err
		}
		return s.logItem(ctx, tx, it, action, a, now)
	})
}

// bumpCatalog counts a change of a district's catalog (or of one of its
// communities' own items).
func bumpCatalog(ctx context.Context, tx *store.Tx, districtID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE disclosure_catalogs SET version = version + 1 WHERE district_id = ?`, districtID); err != nil {
		return fmt.Errorf("bump catalog version: %w", err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
