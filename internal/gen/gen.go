// Package gen makes deterministic realistic data for benchmarks: one
// district of streets and communities with years of disclosures (with
// corrections and withdrawals), questions with replies, ledgers and
// monthly statements, and every log leaf those publications write.
//
// The org tree, the catalog, the accounts and the books are made through
// the feature services. The publications themselves are far too many for
// the services one by one (millions of rows), so gen writes the same rows
// the services write, in bulk, one transaction per community: the content
// hashes, leaf envelopes, search tokens and statements come from the
// features' own exported functions, so `mingbai fsck` and `mingbai verify`
// check them like any other. The log is integrated and signed at the end.
//
// Determinism: every text, number, date, id, tracking code, content hash
// and leaf entry depends only on the flags (seed, counts, end date), never
// on the clock or on chance, so two runs with the same flags into fresh
// databases, SQLite or PostgreSQL, give byte-identical leaves and the same
// tree root (the tests check this). The services' own timestamps (org
// units, accounts, books) come from the generator's fixed clock too. What
// differs between runs: the log's signing key, made per data directory,
// and so every checkpoint signature; the salts of password hashes; and
// nothing else. Changing --communities changes every community's names
// and opening balances, not only how many there are.
package gen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/store"
	"mingbai/internal/tlog"
	"mingbai/internal/zh"
)

// DefaultUntil is the end of the generated span when Options.Until is
// zero: data covers the Years before it.
var DefaultUntil = time.Date(2026, 11, 1, 0, 0, 0, 0, mingbai.Shanghai)

// DefaultPassword is the password of every generated account (as the
// demo's: the data is for benchmarks on one's own machine).
const DefaultPassword = "mingbai-demo"

// Options say what to generate.
type Options struct {
	Communities int
	Years       int
	// Months, when set, makes the span this many months instead of Years:
	// quick tests need less than a year.
	Months int
	Seed   uint64
	// Until is the end of the span (exclusive); DefaultUntil when zero.
	Until time.Time
	// DataDir holds the log's signing key; Origin is the log's name.
	DataDir, Origin string
	// Password of every account; DefaultPassword when empty.
	Password string
	// Progress receives a line now and then; nil for none.
	Progress io.Writer
}

// Account is a generated login worth printing.
type Account struct {
	Username, Name, Role, Where string
}

// Summary is what was generated.
type Summary struct {
	District                           string
	Streets, Communities, Users        int
	Disclosures, Versions, Corrections int64
	Withdrawals                        int64
	Questions, QAEvents                int64
	Entries, Statements                int64
	Leaves                             int64
	Target                             *org.Unit // the community to aim a benchmark at
	Accounts                           []Account
	Password                           string
	Elapsed, WriteTime, IntegrateTime  time.Duration
	FirstDay, LastDay                  time.Time
	QuestionCode                       string // a tracking code in the target community
	StatementPeriod                    string // a published month of the target community, "2026-09"
	ExampleDisclosure                  int64  // a corrected disclosure of the target community
	TreeRoot                           string
}

// community is one generated community with what its rows need.
type community struct {
	index              int
	unit               *org.Unit
	street             int64
	cadre, supervisor  *mingbai.Actor
	accounts           []finance.Account
	cash, bank, relief int64
}

// Run generates the data into db, which must hold no org units yet.
func Run(ctx context.Context, db *store.DB, opts Options) (*Summary, error) {
	start := time.Now()
	if opts.Communities < 1 || (opts.Years < 1 && opts.Months < 1) {
		return nil, errors.New("gen: need at least one community and one year")
	}
	if opts.Until.IsZero() {
		opts.Until = DefaultUntil
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	progress := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "%6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
		}
	}
	var units int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM org_units").Scan(&units); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	if units > 0 {
		return nil, errors.New("gen: the database already holds org units; generate into an empty database")
	}
	until := opts.Until.In(mingbai.Shanghai)
	first := until.AddDate(-opts.Years, 0, 0)
	if opts.Months > 0 {
		first = until.AddDate(0, -opts.Months, 0)
	}
	// Services stamp the rows they write with this clock: the start of the
	// span, so accounts and books exist before anything is published; the
	// checkpoints are signed at its end.
	now := first.UTC()
	clock := func() time.Time { return now }
	l, err := tlog.OpenWith(ctx, db, opts.DataDir, opts.Origin, clock, tlog.Options{NoIntegrator: true})
	if err != nil {
		return nil, fmt.Errorf("gen: open log: %w", err)
	}
	defer l.Close()
	g := &generator{
		db: db, opts: opts, log: l, until: until, first: first, clock: clock,
		orgs: org.NewService(db, clock), users: auth.NewService(db, clock),
		cal: zh.NewCalendar(), sum: &Summary{Password: opts.Password, FirstDay: first, LastDay: until.AddDate(0, 0, -1)},
	}
	g.users.SetHashParams(auth.TestHashParams)
	g.orgs.UseLog(l)
	g.board = disclosure.NewService(db, l, g.cal, opts.DataDir, clock)
	g.fin = finance.NewService(db, g.orgs, l, opts.DataDir, clock)
	g.qa = qa.NewService(db, l, g.cal, clock)

	progress("org tree, catalog, accounts and books for %d communities", opts.Communities)
	if err := g.setup(ctx); err != nil {
		return nil, err
	}
	progress("setup done: %d streets, %d communities, %d accounts", g.sum.Streets, g.sum.Communities, g.sum.Users)
	if err := g.ids(ctx); err != nil {
		return nil, err
	}

	// The search index is merged once at the end (CompactTextIndex).
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeferTextIndexMerges(ctx, "disclosure_fts") }); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}

	// One goroutine makes each community's rows (CPU: text, tokens,
	// hashes, canonical JSON), the caller writes them (the database): on
	// two cores they overlap.
	writeStart := time.Now()
	batches := make(chan *batch, 2)
	genErr := make(chan error, 1)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		for _, c := range g.communities {
			b, err := g.community(c)
			if err != nil {
				genErr <- err
				return
			}
			select {
			case batches <- b:
			case <-gctx.Done():
				genErr <- gctx.Err()
				return
			}
		}
		genErr <- nil
	}()
	done := 0
	for b := range batches {
		if err := db.Write(ctx, func(tx *store.Tx) error { return b.write(ctx, tx) }); err != nil {
			cancel()
			return nil, fmt.Errorf("gen: write %s: %w", b.c.unit.Name, err)
		}
		done++
		if done%max(1, len(g.communities)/20) == 0 {
			progress("%d/%d communities written, %d leaves", done, len(g.communities), b.leafEnd)
		}
	}
	if err := <-genErr; err != nil {
		return nil, err
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.SyncSequences(ctx, "disclosures", "disclosure_versions", "qa_items", "qa_events", "fin_entries", "fin_periods", "fin_period_notes")
	}); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	progress("compacting the search index")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.CompactTextIndex(ctx, "disclosure_fts", "disclosure_search_tsv")
	}); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	g.sum.WriteTime = time.Since(writeStart)

	// The generating goroutine is done: its counters are ours now.
	now = until.UTC()
	progress("integrating %d leaves into the log", g.nextLeaf)
	intStart := time.Now()
	for {
		more, err := l.Integrate(ctx)
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		if !more {
			break
		}
		progress("integrated %d leaves", l.Checkpoint().Size)
	}
	g.sum.IntegrateTime = time.Since(intStart)
	cp := l.Checkpoint()
	g.sum.TreeRoot = cp.Root.String()
	g.sum.Leaves = cp.Size
	g.sum.Elapsed = time.Since(start)
	return g.sum, nil
}

type generator struct {
	db          *store.DB
	opts        Options
	log         *tlog.Log
	until       time.Time // Shanghai
	first       time.Time // Shanghai
	clock       mingbai.Clock
	orgs        *org.Service
	users       *auth.Service
	board       *disclosure.Service
	fin         *finance.Service
	qa          *qa.Service
	cal         *zh.Calendar
	sum         *Summary
	district    *org.Unit
	clerk       *mingbai.Actor
	departments []int64
	items       map[string]disclosure.Item
	categories  map[string]category
	communities []*community

	// The next id of each table and the next leaf index. Only the
	// generating goroutine touches them, community after community, so
	// the ids are the same in every run.
	nextDisclosure, nextVersion, nextItem, nextEvent int64
	nextEntry, nextPeriod, nextNote, nextLeaf        int64
}

type category struct {
	id         int64
	code, name string
	dir        finance.Direction
}

// ids reads where each table's ids continue (1 in a fresh database).
func (g *generator) ids(ctx context.Context) error {
	return g.db.Read(ctx, func(tx *store.Tx) error {
		for _, x := range []struct {
			table string
			to    *int64
		}{{"disclosures", &g.nextDisclosure}, {"disclosure_versions", &g.nextVersion}, {"qa_items", &g.nextItem},
			{"qa_events", &g.nextEvent}, {"fin_entries", &g.nextEntry}, {"fin_periods", &g.nextPeriod}, {"fin_period_notes", &g.nextNote}} {
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+x.table).Scan(x.to); err != nil {
				return fmt.Errorf("gen: next id of %s: %w", x.table, err)
			}
		}
		if err := tx.QueryRow(ctx, "SELECT COALESCE((SELECT MAX(idx) FROM tlog_leaves), -1) + 1").Scan(&g.nextLeaf); err != nil {
			return fmt.Errorf("gen: next leaf: %w", err)
		}
		return nil
	})
}

// setup makes the org tree, the catalog, the accounts and the books
// through the services.
func (g *generator) setup(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(g.opts.Seed, 0))
	var err error
	g.district, err = g.orgs.CreateDistrict(ctx, org.NewUnit{Name: "明湖区", Slug: "minghu", GBCode: "320199", Phone: "025-84200000"}, 0)
	if err != nil {
		return fmt.Errorf("gen: district: %w", err)
	}
	g.sum.District = g.district.Name
	for i, d := range []struct{ name, slug string }{
		{"明湖区民政局", "civil-affairs"}, {"明湖区人力资源和社会保障局", "human-resources"},
		{"明湖区市场监督管理局", "market-regulation"}, {"国家税务总局明湖区税务局", "taxation"},
	} {
		u, err := g.orgs.CreateDepartment(ctx, g.district.ID, org.NewUnit{Name: d.name, Slug: d.slug, Phone: fmt.Sprintf("025-842021%02d", i)}, 0)
		if err != nil {
			return fmt.Errorf("gen: department: %w", err)
		}
		g.departments = append(g.departments, u.ID)
	}
	if err := g.board.LoadDefaultCatalog(ctx, g.district.ID); err != nil {
		return fmt.Errorf("gen: catalog: %w", err)
	}
	items, err := g.board.DistrictItems(ctx, g.district.ID)
	if err != nil {
		return fmt.Errorf("gen: catalog: %w", err)
	}
	g.items = map[string]disclosure.Item{}
	for _, it := range items {
		g.items[it.Code] = it
	}

	// Streets of 10–20 communities each.
	nStreets := max(1, (g.opts.Communities+14)/15)
	if nStreets > len(streetRoots)*3 {
		return fmt.Errorf("gen: at most %d communities", len(streetRoots)*3*15)
	}
	var streets []*org.Unit
	for i := range nStreets {
		root := streetRoots[i%len(streetRoots)]
		name, slug := root.name+"街道", root.slug
		if k := i / len(streetRoots); k > 0 {
			name, slug = fmt.Sprintf("%s%s街道", root.name, []string{"", "东", "西"}[k]), fmt.Sprintf("%s-%d", root.slug, k+1)
		}
		u, err := g.orgs.CreateStreet(ctx, g.district.ID, org.NewUnit{Name: name, Slug: slug, Phone: fmt.Sprintf("025-85%03d000", i)}, 0)
		if err != nil {
			return fmt.Errorf("gen: street %s: %w", name, err)
		}
		streets = append(streets, u)
	}
	g.sum.Streets = len(streets)

	usedSlug := map[string]bool{}
	usedName := map[string]bool{}
	for i := range g.opts.Communities {
		street := streets[i*nStreets/g.opts.Communities]
		var name, slug string
		for try := 0; ; try++ {
			r := communityRoots[rng.IntN(len(communityRoots))]
			s := communitySuffixes[rng.IntN(len(communitySuffixes))]
			name, slug = r.name+s.name+"社区", r.slug+"-"+s.slug
			if try > 20 {
				name, slug = fmt.Sprintf("%s%s%d号社区", r.name, s.name, i), fmt.Sprintf("%s-%s-%d", r.slug, s.slug, i)
			}
			if !usedSlug[slug] && !usedName[name] {
				break
			}
		}
		usedSlug[slug], usedName[name] = true, true
		u, err := g.orgs.CreateCommunity(ctx, street.ID, org.NewUnit{
			Name: name, Slug: slug, Phone: fmt.Sprintf("025-8%07d", 5400000+i*17),
			BoardLocation: fmt.Sprintf("%s%d幢%s侧宣传橱窗", strings.TrimSuffix(name, "社区"), 1+rng.IntN(30), []string{"南", "北", "东", "西"}[rng.IntN(4)]),
		}, 0)
		if err != nil {
			return fmt.Errorf("gen: community %s: %w", name, err)
		}
		g.communities = append(g.communities, &community{index: i, unit: u, street: street.ID})
	}
	g.sum.Communities = len(g.communities)
	g.sum.Target = g.communities[0].unit

	// Accounts: the district's admin, a street officer, a civil-affairs
	// clerk, and per community a cadre (also the party secretary: 一肩挑)
	// and a supervisor; residents in the target community.
	mk := func(username, name string, grants ...mingbai.Grant) (*mingbai.Actor, error) {
		u, err := g.users.CreateUser(ctx, auth.NewUser{Username: username, Name: name, Password: g.opts.Password})
		if err != nil {
			return nil, fmt.Errorf("gen: account %s: %w", username, err)
		}
		for _, gr := range grants {
			if err := g.users.Grant(ctx, u.ID, gr.Role, gr.UnitID, 0); err != nil {
				return nil, fmt.Errorf("gen: grant %s to %s: %w", gr.Role, username, err)
			}
		}
		g.sum.Users++
		a := &mingbai.Actor{UserID: u.ID, Name: name}
		for _, gr := range grants {
			gr.District = g.district.ID
			a.Grants = append(a.Grants, gr)
		}
		return a, nil
	}
	grant := func(r mingbai.Role, unit int64) mingbai.Grant { return mingbai.Grant{Role: r, UnitID: unit} }
	target := g.communities[0]
	where := func(u *org.Unit) string { return u.Name }
	for _, acc := range []struct {
		username, name string
		role           mingbai.Role
		unit           *org.Unit
	}{
		{"admin", "陈明", mingbai.RoleDistrictAdmin, g.district},
		{"jiedao", "周立群", mingbai.RoleStreetOfficer, streets[0]},
	} {
		if _, err := mk(acc.username, acc.name, grant(acc.role, acc.unit.ID)); err != nil {
			return err
		}
		g.sum.Accounts = append(g.sum.Accounts, Account{acc.username, acc.name, acc.role.Label(), where(acc.unit)})
	}
	if g.clerk, err = mk("minzheng", "刘志强", grant(mingbai.RoleClerk, g.departments[0])); err != nil {
		return err
	}
	g.sum.Accounts = append(g.sum.Accounts, Account{"minzheng", "刘志强", mingbai.RoleClerk.Label(), "明湖区民政局"})

	start := finance.PeriodOf(finance.DateOf(g.first))
	for _, c := range g.communities {
		cadreName, supName := personName(rng), personName(rng)
		cu, su := fmt.Sprintf("ganbu%04d", c.index+1), fmt.Sprintf("jiandu%04d", c.index+1)
		if c == target {
			cu, su = "ganbu", "jiandu"
		}
		if c.cadre, err = mk(cu, cadreName, grant(mingbai.RoleCadre, c.unit.ID), grant(mingbai.RolePartySecretary, c.unit.ID)); err != nil {
			return err
		}
		if c.supervisor, err = mk(su, supName, grant(mingbai.RoleSupervisor, c.unit.ID)); err != nil {
			return err
		}
		if c == target {
			g.sum.Accounts = append(g.sum.Accounts,
				Account{cu, cadreName, mingbai.RoleCadre.Label() + "、" + mingbai.RolePartySecretary.Label(), c.unit.Name},
				Account{su, supName, mingbai.RoleSupervisor.Label(), c.unit.Name})
		}
		if err := g.fin.OpenBooks(ctx, c.cadre, c.unit.ID, start, []finance.NewAccount{
			{Name: "现金", Kind: finance.Cash, Opening: 200000},
			{Name: "银行存款", Kind: finance.Bank, Opening: 5000000 + zh.Fen(rng.IntN(100))*100000},
			{Name: "救灾救济", Kind: finance.Earmarked},
		}); err != nil {
			return fmt.Errorf("gen: books of %s: %w", c.unit.Name, err)
		}
		b, err := g.fin.BooksOf(ctx, c.unit.ID)
		if err != nil {
			return fmt.Errorf("gen: books of %s: %w", c.unit.Name, err)
		}
		c.accounts = b.Accounts
		for _, a := range b.Accounts {
			switch a.Kind {
			case finance.Cash:
				c.cash = a.ID
			case finance.Bank:
				c.bank = a.ID
			case finance.Earmarked:
				c.relief = a.ID
			}
		}
	}
	if _, err := mk("jumin", "张桂兰", grant(mingbai.RoleResident, target.unit.ID)); err != nil {
		return err
	}
	g.sum.Accounts = append(g.sum.Accounts, Account{"jumin", "张桂兰", mingbai.RoleResident.Label(), target.unit.Name})

	cats, err := g.fin.Categories(ctx, g.district.ID)
	if err != nil {
		return fmt.Errorf("gen: categories: %w", err)
	}
	g.categories = map[string]category{}
	for _, c := range cats {
		g.categories[c.Code] = category{id: c.ID, code: c.Code, name: c.Name, dir: c.Direction}
	}
	return nil
}
