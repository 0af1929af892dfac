package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"mingbai"
	"mingbai/internal/auth"
)

// runUser manages accounts and roles from the shell; a production install
// makes its first district admin this way.
func runUser(ctx context.Context, env *Env, args []string) error {
	subs := []struct {
		name, summary string
		run           func(context.Context, *Env, []string) error
	}{
		{"add", "新建账号 (create an active account)", userAdd},
		{"passwd", "重设密码 (set a password; ends the account's sessions)", userPasswd},
		{"grant", "授予角色 (grant a role on an org unit)", userGrant},
		{"revoke", "撤销角色 (revoke a role; the grant stays in the history)", userRevoke},
		{"list", "列出账号 (list accounts with their roles)", userList},
	}
	if len(args) > 0 {
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(ctx, env, args[1:])
			}
		}
	}
	fmt.Fprintln(env.Stderr, "Usage: mingbai user <add|passwd|grant|revoke|list> [flags]   (mingbai user <sub> -h for its flags)")
	fmt.Fprintln(env.Stderr, "\nSubcommands:")
	for _, s := range subs {
		fmt.Fprintf(env.Stderr, "  %-8s %s\n", s.name, s.summary)
	}
	fmt.Fprintln(env.Stderr, "\nRoles: "+roleList())
	switch {
	case len(args) == 0:
		return usageError{"user: no subcommand given"}
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf("user: unknown subcommand %q", args[0])}
}

func roleList() string {
	var b strings.Builder
	for i, r := range mingbai.Roles {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s, on a %s)", r, r.Label(), r.UnitKind())
	}
	return b.String()
}

// userCmd is what every user subcommand shares: the database flags and the
// auth service on the opened database.
type userCmd struct {
	db    dbFlags
	auth  *auth.Service
	close func() error
}

func (c *userCmd) open(ctx context.Context) error {
	db, err := c.db.open(ctx)
	if err != nil {
		return err
	}
	c.auth = auth.NewService(db, mingbai.SystemClock)
	c.close = db.Close
	return nil
}

// openUser opens the database and finds the account login names; the
// caller defers c.close when it succeeds.
func (c *userCmd) openUser(ctx context.Context, login string) (*auth.User, error) {
	if err := c.open(ctx); err != nil {
		return nil, err
	}
	u, err := c.auth.UserByLogin(ctx, login)
	if err != nil {
		c.close()
		return nil, message(err)
	}
	return u, nil
}

// message turns a user-facing error into its Chinese message (the code and
// field are for programs, not for someone at a shell) while keeping it in
// the chain for the exit code.
func message(err error) error {
	var me *mingbai.Error
	if err == nil || !errors.As(err, &me) || me.Code == mingbai.EINTERNAL {
		return err
	}
	return friendlyError{err}
}

type friendlyError struct{ err error }

func (e friendlyError) Error() string { return mingbai.ErrorMessage(e.err) }
func (e friendlyError) Unwrap() error { return e.err }

// parseRole accepts a role by its code (cadre) or its Chinese name (社区干部).
func parseRole(s string) (mingbai.Role, error) {
	s = strings.TrimSpace(s)
	for _, r := range mingbai.Roles {
		if string(r) == s || r.Label() == s {
			return r, nil
		}
	}
	return "", usageError{fmt.Sprintf("unknown role %q; roles: %s", s, roleList())}
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user add", "[--username NAME] [--phone NUMBER] [--name 姓名] [--district SLUG] [--password-stdin] [--role ROLE --unit SLUG]")
	var c userCmd
	c.db.register(fs, env)
	var nu auth.NewUser
	fs.StringVar(&nu.Username, "username", "", "login name: 3–32 of a-z 0-9 _ . -")
	fs.StringVar(&nu.Phone, "phone", "", "mainland mobile number, also usable to log in")
	fs.StringVar(&nu.Name, "name", "", "name shown on pages (default: the login)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of the terminal")
	roleName := fs.String("role", "", "also grant this role (e.g. district_admin)")
	unitSlug := fs.String("unit", "", "slug of the org unit for --role (e.g. suojin-4)")
	districtSlug := fs.String("district", "", "slug of the account's home district, whose admins manage it (default: the district of --unit)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"user add: unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if (*roleName == "") != (*unitSlug == "") {
		return usageError{"user add: --role and --unit go together"}
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	defer c.close()

	var role mingbai.Role
	var unit int64
	if *roleName != "" {
		// Resolve the unit first, so a typo creates no half-made account.
		var err error
		if role, err = parseRole(*roleName); err != nil {
			return err
		}
		if unit, err = c.auth.RoleUnit(ctx, role, *unitSlug); err != nil {
			return message(err)
		}
	}
	if *districtSlug != "" {
		id, err := c.auth.RoleUnit(ctx, mingbai.RoleDistrictAdmin, *districtSlug)
		if err != nil {
			return message(err)
		}
		nu.DistrictID = id
	}
	var err error
	if nu.Password, err = readPassword(env, *stdin, true); err != nil {
		return err
	}
	u, err := c.auth.CreateUser(ctx, nu)
	if err != nil {
		return message(err)
	}
	fmt.Fprintf(env.Stdout, "created user %d (%s)\n", u.ID, u.Login())
	if role != "" {
		if err := c.auth.Grant(ctx, u.ID, role, unit, 0); err != nil {
			return fmt.Errorf("user %s created, but granting %s failed: %w", u.Login(), role, message(err))
		}
		fmt.Fprintf(env.Stdout, "granted %s on %s to %s\n", role, *unitSlug, u.Login())
	}
	return nil
}

func userPasswd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user passwd", "[--password-stdin] LOGIN")
	var c userCmd
	c.db.register(fs, env)
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of the terminal")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"user passwd: give exactly one LOGIN (username or phone)"}
	}
	u, err := c.openUser(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	defer c.close()
	password, err := readPassword(env, *stdin, true)
	if err != nil {
		return err
	}
	if err := c.auth.SetPassword(ctx, u.ID, password); err != nil {
		return message(err)
	}
	fmt.Fprintf(env.Stdout, "password of %s set; its sessions have ended\n", u.Login())
	return nil
}

func userGrant(ctx context.Context, env *Env, args []string) error {
	return userRole(ctx, env, args, "grant")
}

func userRevoke(ctx context.Context, env *Env, args []string) error {
	return userRole(ctx, env, args, "revoke")
}

func userRole(ctx context.Context, env *Env, args []string, verb string) error {
	fs := newFlags(env, "user "+verb, "--role ROLE --unit SLUG LOGIN")
	var c userCmd
	c.db.register(fs, env)
	roleName := fs.String("role", "", "role: "+roleList())
	unitSlug := fs.String("unit", "", "slug of the org unit (community, street, department or district)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *roleName == "" || *unitSlug == "" {
		return usageError{fmt.Sprintf("user %s: need --role, --unit and one LOGIN", verb)}
	}
	role, err := parseRole(*roleName)
	if err != nil {
		return err
	}
	u, err := c.openUser(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	defer c.close()
	unit, err := c.auth.RoleUnit(ctx, role, *unitSlug)
	if err != nil {
		return message(err)
	}
	if verb == "grant" {
		err = c.auth.Grant(ctx, u.ID, role, unit, 0)
	} else {
		err = c.auth.Revoke(ctx, u.ID, role, unit, 0)
	}
	if err != nil {
		return message(err)
	}
	past := map[string]string{"grant": "granted %s on %s to %s\n", "revoke": "revoked %s on %s from %s\n"}[verb]
	fmt.Fprintf(env.Stdout, past, role, *unitSlug, u.Login())
	return nil
}

func userList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user list", "[--community SLUG] [--status STATUS] [--query TEXT] [--limit N]")
	var c userCmd
	c.db.register(fs, env)
	community := fs.String("community", "", "only accounts registered in or holding a role on this community")
	status := fs.String("status", "", "only accounts with this status: active, pending, rejected, disabled")
	query := fs.String("query", "", "only accounts whose username, phone or name contains this")
	limit := fs.Int("limit", 100, "at most this many accounts")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"user list: unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	defer c.close()
	filter := auth.UserFilter{Status: auth.UserStatus(*status), Query: *query, Limit: *limit}
	if *community != "" {
		id, err := c.auth.RoleUnit(ctx, mingbai.RoleResident, *community)
		if err != nil {
			return message(err)
		}
		filter.CommunityID = id
	}
	users, total, err := c.auth.Users(ctx, filter)
	if err != nil {
		return message(err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tPHONE\tNAME\tSTATUS\tROLES")
	for _, u := range users {
		hist, err := c.auth.GrantHistory(ctx, u.ID)
		if err != nil {
			return err
		}
		var roles []string
		for _, g := range hist {
			if g.RevokedAt.IsZero() {
				roles = append(roles, string(g.Role)+"@"+g.UnitSlug)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, dash(u.Username), dash(u.Phone), u.Name, u.Status, dash(strings.Join(roles, " ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(users) {
		fmt.Fprintf(env.Stdout, "(%d of %d shown; use --limit or --query)\n", len(users), total)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readPassword reads a password from the first line of stdin when
// fromStdin is set (for scripts), else from the terminal without echo,
// asking twice when confirm is set.
func readPassword(env *Env, fromStdin, confirm bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{"standard input is not a terminal: pass the password with --password-stdin"}
	}
	fmt.Fprint(env.Stderr, "密码 (password): ")
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if confirm {
		fmt.Fprint(env.Stderr, "再输入一次 (again): ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(again) != string(p) {
			return "", errors.New("两次输入的密码不一致 (the passwords differ)")
		}
	}
	return string(p), nil
}
