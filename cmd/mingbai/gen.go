package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"mingbai/internal/gen"
)

// runGen fills an empty database with a generated district for load
// benchmarks: see package gen.
func runGen(ctx context.Context, env *Env, args []string) error {
	fs, f := newDBFlags(env, "gen", "--communities N --years Y --seed S [--until YYYY-MM-DD] [--data DIR] [--db URL]")
	communities := fs.Int("communities", 10, "how many communities (streets of about 15 each)")
	years := fs.Int("years", 1, "how many years of publications before --until")
	months := fs.Int("months", 0, "a span of this many months instead of --years, for quick tries")
	seed := fs.Uint64("seed", 1, "seed of the generator: the same flags give the same content")
	until := fs.String("until", gen.DefaultUntil.Format(time.DateOnly), "the day the generated span ends (exclusive), Asia/Shanghai")
	origin := originFlag(fs, env)
	stopProfile, err := parseProfiled(fs, args, "the whole run")
	if err != nil {
		return err
	}
	defer stopProfile()
	end, err := time.ParseInLocation(time.DateOnly, *until, gen.DefaultUntil.Location())
	if err != nil {
		return usageError{fmt.Sprintf("--until %q: want YYYY-MM-DD", *until)}
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	w := env.Stdout
	span := fmt.Sprintf("%d years", *years)
	if *months > 0 {
		span = fmt.Sprintf("%d months", *months)
	}
	fmt.Fprintf(w, "generating %d communities × %s (seed %d) into %s\n", *communities, span, *seed, db.URL)
	s, err := gen.Run(ctx, db, gen.Options{
		Communities: *communities, Years: *years, Months: *months, Seed: *seed, Until: end,
		DataDir: f.data, Origin: *origin, Progress: w,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s: %d streets, %d communities, %d accounts; %s to %s\n", s.District, s.Streets, s.Communities, s.Users,
		s.FirstDay.Format(time.DateOnly), s.LastDay.Format(time.DateOnly))
	fmt.Fprintf(w, "disclosures %d (versions %d: %d corrections, %d withdrawals)\n", s.Disclosures, s.Versions, s.Corrections, s.Withdrawals)
	fmt.Fprintf(w, "questions   %d (timeline events %d)\n", s.Questions, s.QAEvents)
	fmt.Fprintf(w, "ledger      %d entries, %d published statements\n", s.Entries, s.Statements)
	fmt.Fprintf(w, "log         %d leaves, root %s\n", s.Leaves, s.TreeRoot)
	fmt.Fprintf(w, "time        %s (rows %s, log integration %s)\n", s.Elapsed.Round(time.Millisecond), s.WriteTime.Round(time.Millisecond), s.IntegrateTime.Round(time.Millisecond))
	fmt.Fprintf(w, "\nbenchmark target: %s, /c/%s\n", s.Target.Name, s.Target.Slug)
	if s.ExampleDisclosure != 0 {
		fmt.Fprintf(w, "  a corrected disclosure: /c/%s/d/%d\n", s.Target.Slug, s.ExampleDisclosure)
	}
	if s.QuestionCode != "" {
		fmt.Fprintf(w, "  a question's tracking code: %s\n", s.QuestionCode)
	}
	if s.StatementPeriod != "" {
		fmt.Fprintf(w, "  the newest published statement: %s\n", s.StatementPeriod)
	}
	fmt.Fprintf(w, "accounts, password %s:\n", s.Password)
	for _, a := range s.Accounts {
		fmt.Fprintf(w, "  %-9s %s，%s%s\n", a.Username, a.Name, a.Where, a.Role)
	}
	fmt.Fprintln(w, "  ganbuNNNN / jianduNNNN: the cadre and the supervisor of community NNNN (0002, 0003, …)")
	fmt.Fprintf(w, "serve it with: mingbai serve --data %s", f.data)
	if f.db != "" {
		fmt.Fprint(w, " --db URL")
	}
	fmt.Fprintf(w, " --origin %s\n", *origin)
	return nil
}
