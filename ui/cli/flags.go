package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// parseFlags parses args with fs. Asked for help (-h, -help, --help), it
// prints the usage on stdout and returns flag.ErrHelp, which Run turns into
// exit status 0. A mistake is returned once, with where to read the usage,
// rather than printed by the flag package and again by Run.
func parseFlags(fs *flag.FlagSet, env Env, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(env.Stdout)
		fs.Usage()
		return flag.ErrHelp
	case err != nil:
		return fmt.Errorf("%w (see: ltx-studio %s --help)", err, fs.Name())
	}
	return nil
}

// isHelp tells whether an argument asks for help.
func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// randomSeed is the one word --seed takes besides a number.
const randomSeed = "random"

// seedFlag is --seed: a whole number 0 or more, or "random" (the default).
// A negative number is refused rather than silently made random.
type seedFlag struct {
	v   int64
	set bool
}

func (s *seedFlag) String() string {
	if s == nil || !s.set {
		return randomSeed
	}
	return strconv.FormatInt(s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	if strings.EqualFold(strings.TrimSpace(v), randomSeed) {
		*s = seedFlag{}
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("want a whole number 0 or more, or %q", randomSeed)
	}
	*s = seedFlag{v: n, set: true}
	return nil
}

// modeFlag is --mode: any name the registry gives a mode (studio.ParseMode).
type modeFlag struct{ m workflows.Mode }

func (f *modeFlag) String() string {
	if f == nil {
		return ""
	}
	return string(f.m.ID)
}

func (f *modeFlag) Set(v string) error {
	m, err := studio.ParseMode(v)
	if err != nil {
		// flag prefixes its own "invalid value … for flag -mode: ".
		return errors.New("the modes are " + studio.ModeNames())
	}
	f.m = m
	return nil
}

// countFlag is a "show at most N" flag: 0 or more (0 means all).
type countFlag int

func (c *countFlag) String() string {
	if c == nil {
		return "0"
	}
	return strconv.Itoa(int(*c))
}

func (c *countFlag) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return errors.New("want a whole number 0 or more (0: all)")
	}
	*c = countFlag(n)
	return nil
}
