// Command mingbai is the whole of Mingbai in one binary: the web server,
// the demo, migrations, accounts from the shell, and the log's auditor.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. Each parses its own flags, so `mingbai X -h`
// prints X's usage.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands lists every subcommand in the order `mingbai -h` shows them.
var commands = []command{
	{"serve", "运行网站 (run the web server)", runServe},
	{"demo", "用演示数据运行网站 (run the server on a fresh demo district)", runDemo},
	{"migrate", "升级数据库结构 (apply database migrations)", runMigrate},
	{"org", "建立区、列出组织 (create a district, list the org tree)", runOrg},
	{"user", "管理账号和角色 (accounts and roles: add, passwd, grant, revoke, list)", runUser},
	{"log", "公开日志的密钥与压测 (the log's key; log-only bench server)", runLog},
	{"verify", "从外部核验公开日志 (audit a log from outside)", runVerify},
	{"fsck", "在数据库内检查公开日志 (check the log inside the database)", runFsck},
	{"gen", "生成压测用的模拟数据 (generate a district of realistic data for benchmarks)", runGen},
}

// Env is what a command may touch of the outside world, so tests can run
// commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := Run(ctx, env, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mingbai:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run runs the subcommand named by args[0].
func Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return flag.ErrHelp
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	usage(env.Stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "明白 Mingbai: 居务公开 (open affairs of urban communities)")
	fmt.Fprintln(w, "\nUsage: mingbai <command> [flags]   (mingbai <command> -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
}

// newFlags returns a flag set for a subcommand that reports errors instead
// of exiting, so Run can be tested.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("mingbai "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: mingbai %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and turns a flag mistake into a usageError.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset.
func (env *Env) envOr(key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}
