package main

import (
	"context"
	"fmt"
	"strings"

	"mingbai"
	"mingbai/internal/org"
	"mingbai/internal/tlog"
)

// runOrg handles `mingbai org add-district|list`: enough to start a
// production install, whose district admin then does the rest in the admin
// pages.
func runOrg(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "add-district" && args[0] != "list") {
		fmt.Fprintln(env.Stderr, "Usage: mingbai org add-district --name 玄武区 --slug xuanwu --gb-code 320102 [--phone P]\n       mingbai org list")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usageError{"org: expected add-district or list"}
	}
	sub := args[0]
	fs, f := newDBFlags(env, "org "+sub, "[flags]")
	name := fs.String("name", "", "district name, e.g. 玄武区")
	slug := fs.String("slug", "", "URL slug: lowercase letters, digits and hyphens")
	code := fs.String("gb-code", "", "GB/T 2260 code of the district, 6 digits")
	phone := fs.String("phone", "", "district office phone")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := org.NewService(db, mingbai.SystemClock)
	if sub == "add-district" {
		// The district's leaf goes in with it when the log's key exists;
		// on a fresh install (no key before the first start) serve adopts
		// the district at its first start (org.LogUnloggedUnits).
		if key, err := tlog.LoadKey(f.data); err == nil {
			l, err := tlog.OpenWith(ctx, db, f.data, key.Signer.Name(), mingbai.SystemClock, tlog.Options{NoIntegrator: true})
			if err != nil {
				return err
			}
			defer l.Close()
			svc.UseLog(l)
		}
		d, err := svc.CreateDistrict(ctx, org.NewUnit{Name: *name, Slug: *slug, GBCode: *code, Phone: *phone}, 0)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "created district %d %s (%s)\n", d.ID, d.Name, d.Slug)
		return nil
	}
	districts, err := svc.Districts(ctx)
	if err != nil {
		return err
	}
	for _, d := range districts {
		tree, err := svc.Tree(ctx, d.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s %s [%s] %s\n", d.Kind.Label(), d.Name, d.Slug, d.GBCode)
		for _, st := range tree.Streets {
			fmt.Fprintf(env.Stdout, "  %s %s [%s]\n", st.Street.Kind.Label(), st.Street.Name, st.Street.Slug)
			for _, c := range st.Communities {
				fmt.Fprintf(env.Stdout, "    %s %s [%s]\n", c.Kind.Label(), c.Name, c.Slug)
			}
		}
		for _, dep := range tree.Departments {
			fmt.Fprintf(env.Stdout, "  %s %s [%s]\n", dep.Kind.Label(), dep.Name, dep.Slug)
		}
	}
	return nil
}

// cliError turns a user-facing error into a one-line message for the shell.
func cliError(err error) error {
	if code := mingbai.ErrorCode(err); code != mingbai.EINTERNAL {
		msg := mingbai.ErrorMessage(err)
		if field := mingbai.ErrorField(err); field != "" {
			msg = "--" + strings.ReplaceAll(field, "_", "-") + ": " + msg
		}
		return usageError{msg}
	}
	return err
}
