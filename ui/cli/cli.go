// Package cli is the terminal face of the app: the same engine as the window,
// driven by subcommands (models, comfyui, generate, queue, history).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// Env is what every subcommand gets: its output streams.
type Env struct {
	Stdout, Stderr io.Writer

	// studioOpts adjusts how commands open the engine (tests point the
	// installer at the stand-in repository's commit; main leaves it nil).
	studioOpts func(*studio.Options)
	// waits bound each wait on a ComfyUI server (zero: studio.DefaultWaits;
	// tests shorten them).
	waits studio.Waits
}

// Command is one subcommand: `ltx-studio <name> args…`.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env Env, args []string) error
}

var commands = map[string]Command{}

// register is called from each subcommand file's init; the table is fixed at
// start-up and never changed afterwards, so tests need not reset it.
func register(c Command) { commands[c.Name] = c }

// IsCommand tells main whether args[0] is a subcommand (else the window opens).
func IsCommand(name string) bool {
	_, ok := commands[name]
	return ok || name == "help" || name == "-h" || name == "--help"
}

// Run dispatches args (without the program name) and returns the exit code.
func Run(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ltx-studio: unknown command %q\n", args[0])
		usage(env.Stderr)
		return 2
	}
	if err := c.Run(ctx, env, args[1:]); errors.Is(err, flag.ErrHelp) {
		return 0 // the usage was printed on stdout
	} else if err != nil {
		fmt.Fprintf(env.Stderr, "ltx-studio %s: %v\n", c.Name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ltx-studio [command] [flags]   (no command opens the window)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
}
