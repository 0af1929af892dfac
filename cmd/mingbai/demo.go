package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"mingbai"
	"mingbai/internal/auth"
	"mingbai/internal/disclosure"
	"mingbai/internal/finance"
	"mingbai/internal/org"
	"mingbai/internal/qa"
	"mingbai/internal/web"
)

// demoPassword is the password of every demo account. The demo is for
// looking around on one's own machine, never for a real deployment.
const demoPassword = "mingbai-demo"

// demoAccount is one account the demo creates, with the role it shows.
type demoAccount struct {
	username string
	name     string
	role     mingbai.Role
	where    string // the unit's name, for the printed list
	unit     func(*org.DemoOrg) int64
}

var demoAccounts = []demoAccount{
	{"admin", "陈明", mingbai.RoleDistrictAdmin, "玄武区", func(d *org.DemoOrg) int64 { return d.District }},
	{"jiedao", "周立群", mingbai.RoleStreetOfficer, "锁金村街道", func(d *org.DemoOrg) int64 { return d.Suojincun }},
	{"ganbu", "王秀英", mingbai.RoleCadre, "锁金四村社区", func(d *org.DemoOrg) int64 { return d.Suojin4 }},
	{"shuji", "李建国", mingbai.RolePartySecretary, "锁金四村社区", func(d *org.DemoOrg) int64 { return d.Suojin4 }},
	{"jiandu", "孙丽华", mingbai.RoleSupervisor, "锁金四村社区", func(d *org.DemoOrg) int64 { return d.Suojin4 }},
	{"minzheng", "刘志强", mingbai.RoleClerk, "玄武区民政局", func(d *org.DemoOrg) int64 { return d.CivilAffairs }},
	{"jumin", "张桂兰", mingbai.RoleResident, "锁金四村社区", func(d *org.DemoOrg) int64 { return d.Suojin4 }},
	{"ganbu1", "吴海", mingbai.RoleCadre, "锁金一村社区", func(d *org.DemoOrg) int64 { return d.Suojin1 }},
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	var f serveFlags
	fs := f.register(env, "demo", "[--addr HOST:PORT] [--data DIR]")
	if err := parse(fs, args); err != nil {
		return err
	}
	dataSet := false
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "data" {
			dataSet = true
		}
	})
	if !dataSet && env.Getenv("MINGBAI_DATA") == "" {
		dir, err := os.MkdirTemp("", "mingbai-demo-")
		if err != nil {
			return fmt.Errorf("demo data dir: %w", err)
		}
		f.data = dir
	}
	if f.siteName == "居务公开" {
		f.siteName = "玄武区居务公开"
	}
	// The demo's trust marks say they are examples: a real site shows
	// its own filing numbers.
	if !f.footer.Any() {
		f.footer = web.Footer{HostOrg: "玄武区民政局（演示）", Hotline: "025-84000000（演示）", ICP: "苏ICP备00000000号（演示）", GovSiteCode: "0000000000（演示）"}
	}
	a, closeApp, err := openApp(ctx, env, &f)
	if err != nil {
		return err
	}
	defer closeApp()
	seeded, err := seedDemo(ctx, a)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	return serve(ctx, env, a, &f, func(url string) {
		fmt.Fprintf(env.Stdout, "\n明白 演示 (demo): %s\n数据目录 (data): %s\n", url, f.data)
		if !seeded {
			fmt.Fprintln(env.Stdout, "演示数据已存在，未重新生成。")
		}
		fmt.Fprintf(env.Stdout, "演示账号，密码都是 %s:\n", demoPassword)
		for _, acc := range demoAccounts {
			fmt.Fprintf(env.Stdout, "  %-9s %s，%s%s\n", acc.username, acc.name, acc.where, acc.role.Label())
		}
		fmt.Fprintf(env.Stdout, "打开 %s/c/suojin-4 看锁金四村社区。按 Ctrl+C 停止。\n\n", url)
	})
}

// seedDemo fills an empty database with the demo district and its
// accounts. On a database that already has districts it does nothing.
func seedDemo(ctx context.Context, a *app) (bool, error) {
	districts, err := a.org.Districts(ctx)
	if err != nil {
		return false, err
	}
	if len(districts) > 0 {
		return false, nil
	}
	d, err := org.SeedDemo(ctx, a.org, 0)
	if err != nil {
		return false, err
	}
	actors := map[string]*mingbai.Actor{}
	for _, acc := range demoAccounts {
		u, err := a.auth.CreateUser(ctx, auth.NewUser{Username: acc.username, Name: acc.name, Password: demoPassword})
		if err != nil {
			return false, fmt.Errorf("demo account %s: %w", acc.username, err)
		}
		if err := a.auth.Grant(ctx, u.ID, acc.role, acc.unit(d), 0); err != nil {
			return false, fmt.Errorf("demo account %s: %w", acc.username, err)
		}
		if actors[acc.username], err = a.auth.Actor(ctx, u.ID); err != nil {
			return false, err
		}
	}
	if err := finance.SeedDemo(ctx, a.fin, d.Suojin4, actors["ganbu"], actors["jiandu"]); err != nil {
		return false, fmt.Errorf("demo finance: %w", err)
	}
	// The months reviewed before today were read about long ago: only
	// what happens from now on is new in the cadre's and supervisor's
	// inbox.
	for _, name := range []string{"ganbu", "jiandu"} {
		if err := a.notices.MarkRead(ctx, actors[name].UserID); err != nil {
			return false, fmt.Errorf("demo notices: %w", err)
		}
	}
	// A resident waiting for the cadre to check her registration.
	if _, err := a.auth.Register(ctx, auth.Registration{
		CommunityID: d.Suojin4, Name: "赵凤英", Phone: "13912345678",
		BuildingUnit: "12幢2单元301室", Password: demoPassword,
	}); err != nil {
		return false, fmt.Errorf("demo registration: %w", err)
	}
	if err := disclosure.SeedDemo(ctx, a.disclosure, d); err != nil {
		return false, fmt.Errorf("demo board: %w", err)
	}
	if err := qa.SeedDemo(ctx, a.qa, d, time.Now()); err != nil {
		return false, fmt.Errorf("demo questions: %w", err)
	}
	return true, nil
}
