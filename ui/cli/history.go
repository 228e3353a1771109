package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/history"
)

func init() {
	register(Command{Name: "history", Summary: "list past generations, newest first (history [-n N])", Run: runHistory})
}

func runHistory(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	n := countFlag(20)
	fs.Var(&n, "n", "show at most `N` generations (0: all)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	s, err := openStudio(env, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.History()
	// Unreadable sidecars are reported after the readable entries, which
	// are still shown.
	printHistory(env.Stdout, list, int(n), s.OutputDir())
	return err
}

func printHistory(w io.Writer, list []history.Entry, n int, dir string) {
	if len(list) == 0 {
		fmt.Fprintf(w, "no videos yet in %s\n", dir)
		return
	}
	if n > 0 && len(list) > n {
		list = list[:n]
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tMODE\tSEED\tLENGTH\tTOOK\tPROMPT\tFILE")
	for _, e := range list {
		m := e.Meta
		fmt.Fprintf(tw, "%s\t%s\t%d\t%gs\t%s\t%s\t%s\n", e.Created.Local().Format(time.DateTime), m.Mode, m.Seed,
			m.Form.Seconds, e.Took.Round(time.Second), clip(m.Form.Prompt, 40), e.Video)
	}
	tw.Flush()
}
