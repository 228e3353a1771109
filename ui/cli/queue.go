package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
)

const queueUsage = "usage: ltx-studio queue list | ltx-studio queue cancel ID"

func runQueue(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(env.Stdout, queueUsage)
		return flag.ErrHelp
	}
	s, err := openStudio(env, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	dir := s.QueueDir()
	switch {
	case len(args) == 1 && args[0] == "list":
		list, err := jobs.ReadQueue(dir)
		if err != nil {
			return err
		}
		printQueue(env.Stdout, list)
		return nil
	case len(args) == 2 && args[0] == "cancel":
		return cancelJob(ctx, env, dir, args[1])
	}
	return errors.New(queueUsage)
}

func printQueue(w io.Writer, list []jobs.Job) {
	if len(list) == 0 {
		fmt.Fprintln(w, "the queue is empty")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tON\tCREATED\tMODE\tPROMPT\tRESULT")
	for _, j := range list {
		res := j.Output
		if j.Error != "" {
			res = j.Error
		} else if j.Note != "" && res == "" {
			res = j.Note
		}
		// ON is the GPU or server that runs (or ran) the job.
		on := j.Backend
		if on == "" {
			on = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortID(j.ID), j.State, on, j.Created.Format(time.DateTime),
			j.Form.Mode, clip(j.Form.Prompt, 40), clip(res, 80))
	}
	tw.Flush()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// cancelJob cancels by id or unique id prefix. If this process can own the
// queue it cancels directly; if the window owns it, a pending job gets a
// cancel request and a running one is interrupted on its ComfyUI.
func cancelJob(ctx context.Context, env Env, dir, idPrefix string) error {
	if strings.TrimSpace(idPrefix) == "" {
		// An empty prefix matches every job.
		return errors.New("give the id of the job to cancel (see: ltx-studio queue list)")
	}
	list, err := jobs.ReadQueue(dir)
	if err != nil {
		return err
	}
	var match []jobs.Job
	for _, j := range list {
		if strings.HasPrefix(j.ID, idPrefix) {
			match = append(match, j)
		}
	}
	switch {
	case len(match) == 0:
		return fmt.Errorf("no job with id %q (see: ltx-studio queue list)", idPrefix)
	case len(match) > 1:
		return fmt.Errorf("%q matches %d jobs; give more of the id", idPrefix, len(match))
	}
	j := match[0]
	if j.State.Finished() {
		fmt.Fprintf(env.Stdout, "job %s already %s\n", shortID(j.ID), j.State)
		return nil
	}
	if j.State == jobs.Running && j.BackendURL != "" && j.PromptID != "" {
		c := comfyapi.New(j.BackendURL, nil)
		if err := c.Interrupt(ctx, j.PromptID); err != nil {
			return fmt.Errorf("interrupt the running job: %w", err)
		}
		_ = c.DeletePending(ctx, j.PromptID)
		fmt.Fprintf(env.Stdout, "job %s interrupted\n", shortID(j.ID))
		return nil
	}
	direct, err := jobs.CancelQueued(dir, j.ID)
	if err != nil {
		return err
	}
	if direct {
		fmt.Fprintf(env.Stdout, "job %s removed from the queue\n", shortID(j.ID))
	} else {
		fmt.Fprintf(env.Stdout, "job %s will be removed before it starts\n", shortID(j.ID))
	}
	return nil
}
