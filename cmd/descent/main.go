// Command descent runs the optimisation methods of machine learning: it compares optimisers
// on MNIST, trains models, sweeps hyper-parameters, benchmarks its kernels and checks the
// lecture's theorems by experiment.
//
// Usage:
//
//	descent <command> [flags]
//
// Run "descent help" for the list of commands and "descent <command> -h" for the flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx, which the commands check to stop cleanly (a
	// run folder keeps what it has, a sweep's trial saves a checkpoint). Then the signals'
	// default action comes back, so that a second one ends at once a computation that does
	// not look at ctx, such as a Newton step building a large Hessian.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// A command is one subcommand of descent. Its run function parses its own flags from args
// (with newFlagSet) and writes results to stdout, progress and diagnostics to stderr.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the table of subcommands, in the order "descent help" lists them.
func commands() []command {
	return []command{
		{"compare", "compare optimisers side by side on MNIST, with a report (the main job)", runCompare},
		{"train", "train one model with one optimiser and schedule; checkpoints, --resume", runTrain},
		{"sweep", "grid-search hyper-parameters in log scale, ranked on a validation set", runSweep},
		{"lrfind", "the learning-rate range test: the loss as the rate rises, and suggested rates", runLRFind},
		{"report", "rebuild the plots and report.html of a run folder from its results", runReport},
		{"minimize", "minimise a problem with GD, Nesterov, heavy ball, Newton or L-BFGS and print the trace", runMinimize},
		{"theory", "check the lecture's claims by experiment and write a report with a plot per claim", runTheory},
		{"bench", "measure kernels and steps against the reference runs", runBench},
		{"data", "fetch, verify and describe the datasets (MNIST, Fashion-MNIST)", runData},
		{"help", "show the commands, or the flags of one command", runHelp},
	}
}

// run executes one invocation of descent; main only turns its error into an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stderr)
		return errUsage
	}
	if isHelpFlag(args[0]) {
		printCommands(stdout)
		return nil
	}
	if c, ok := lookup(commands(), args[0]); ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "descent: unknown command %q\n", args[0])
	printCommands(stderr)
	return errUsage
}

// lookup returns the command of table called name.
func lookup(table []command, name string) (command, bool) {
	for _, c := range table {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// dispatch runs the subcommand of table named by args[0], for a command such as "descent
// bench" whose own work is to choose among subcommands. description follows the usage line.
func dispatch(ctx context.Context, name, description string, table []command, args []string, stdout, stderr io.Writer) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: descent %s <subcommand> [flags]\n\n%s Subcommands:\n\n", name, description)
		for _, c := range table {
			fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(w, "\nRun \"descent %s <subcommand> -h\" for the flags of a subcommand.\n", name)
	}
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	if isHelpFlag(args[0]) {
		usage(stdout)
		return errHelp
	}
	if c, ok := lookup(table, args[0]); ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "descent %s: unknown subcommand %q\n", name, args[0])
	usage(stderr)
	return errUsage
}

func runHelp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stdout)
		return nil
	}
	if c, ok := lookup(commands(), args[0]); ok && c.name != "help" {
		return c.run(ctx, []string{"-h"}, stdout, stderr)
	}
	fmt.Fprintf(stderr, "descent help: unknown command %q\n", args[0])
	printCommands(stderr)
	return errUsage
}

func printCommands(w io.Writer) {
	fmt.Fprintf(w, "descent: the optimisation methods of machine learning, in Go.\n\nUsage:\n\n\tdescent <command> [flags]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun \"descent <command> -h\" for the flags of a command.\n")
}

// errUsage reports a command line that could not be parsed; the usage has already been
// printed, so main exits with status 2 without printing anything more.
var errUsage = errors.New("usage")

// newFlagSet returns a flag set for a (sub)command that prints its usage to stderr. The
// usage line is "descent <name> <synopsis>", followed by the description and the flags.
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("descent "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: descent %s %s\n\n%s\n\nFlags:\n", name, synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs. It returns errHelp for -h (the usage has been printed)
// and errUsage for a bad flag, a float flag given NaN or ±Inf (every float flag of descent
// must be finite), a --threads above maxThreads, or an unexpected argument (the error and
// usage have been printed).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	if fl := fs.Lookup("threads"); fl != nil {
		if n, err := strconv.Atoi(fl.Value.String()); err == nil && n > maxThreads {
			fmt.Fprintf(fs.Output(), "%s: --threads %d: more than %d, the most this command runs\n", fs.Name(), n, maxThreads)
			fs.Usage()
			return errUsage
		}
	}
	var bad *flag.Flag
	fs.Visit(func(fl *flag.Flag) {
		if g, ok := fl.Value.(flag.Getter); ok && bad == nil {
			if v, ok := g.Get().(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
				bad = fl
			}
		}
	})
	if bad != nil {
		fmt.Fprintf(fs.Output(), "%s: --%s %s: want a finite number\n", fs.Name(), bad.Name, bad.Value)
		fs.Usage()
		return errUsage
	}
	return nil
}

// maxThreads bounds --threads: the runtime's own limit on GOMAXPROCS. More threads than
// that would only split the kernels' work into slivers.
const maxThreads = 1024

// errHelp reports that -h was given: the usage has been printed and the exit status is 0.
var errHelp = errors.New("help requested")

// exitCode maps run's error to the exit status: 0 for success or -h, 2 for a usage error
// (already reported), 130 when interrupted, 1 for any other error, which it prints.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "descent: interrupted")
		return 130
	default:
		fmt.Fprintf(stderr, "descent: %v\n", err)
		return 1
	}
}
