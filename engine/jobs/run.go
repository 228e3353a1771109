package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/netmsg"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// attempt is one run of a job on one backend.
type attempt struct {
	e     *Engine
	b     Backend
	c     *comfyapi.Client
	w     *comfyapi.Watcher
	job   Job
	ctx   context.Context // ends on Cancel before submit, or on app quit
	tr    *tracker
	built *Built
	media []stagedMedia
	pid   string
	t     timings
	vram  int64
	last  time.Time
	shown Progress
	outs  map[string]comfyapi.Output

	polls   sync.WaitGroup
	statsMu sync.Mutex
	server  comfyapi.SystemStats
}

// execute runs a claimed job to its end (or until the app quits).
func (e *Engine) execute(ctx context.Context, b Backend, c *comfyapi.Client, w *comfyapi.Watcher, j Job) {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	e.live[j.ID] = &active{cancel: cancel, client: c}
	e.mu.Unlock()
	a := &attempt{e: e, b: b, c: c, w: w, job: j, ctx: jctx, outs: map[string]comfyapi.Output{}}
	// The claim's time: Job.Started and the sidecar's timings.started are
	// one instant, so Job.Took and the sidecar's took agree.
	// Wall-clock readings only (Round(0) drops the monotonic one): the
	// sidecar stores wall times, and a took computed in memory must equal
	// the one read back from it.
	a.t.Started = j.Started.Round(0)
	if a.t.Started.IsZero() {
		a.t.Started = time.Now().Round(0)
	}
	a.tr = newTracker(nil, a.t.Started)
	err := a.run()
	if ctx.Err() != nil {
		// The app is quitting: leave the job Running on disk; New re-queues it.
		e.mu.Lock()
		delete(e.live, j.ID)
		e.mu.Unlock()
		return
	}
	e.finish(a, err)
}

// quietCheck is how long a running job may go without any event before
// the engine asks the server about it.
const quietCheck = 15 * time.Second

// outcome errors that are not failures of the job itself.
var (
	errCancelled = errors.New("cancelled")
	errLost      = errors.New("backend lost the job")
)

type lostError struct{ why string }

func (l *lostError) Error() string { return l.why }
func (l *lostError) Unwrap() error { return errLost }

func (e *Engine) finish(a *attempt, err error) {
	var lost *lostError
	e.mu.Lock()
	cancelled := e.live[a.job.ID] != nil && e.live[a.job.ID].cancelled
	e.mu.Unlock()
	switch {
	case err == nil:
		e.update(a.job.ID, func(j *Job) {
			j.State, j.Output, j.Sidecar, j.PromptID = Done, a.job.Output, a.job.Sidecar, a.pid
			j.Started, j.Finished = a.t.Started, a.t.Finished // so j.Took() is the sidecar's took
			j.EnhancedPrompt = a.job.EnhancedPrompt
		})
	case cancelled || errors.Is(err, errCancelled):
		e.update(a.job.ID, func(j *Job) { j.State, j.Error = Cancelled, "" })
	case errors.As(err, &lost):
		e.update(a.job.ID, func(j *Job) { e.retryOrFail(j, lost.why) })
	default:
		fields := fieldErrors(err)
		e.update(a.job.ID, func(j *Job) {
			j.State, j.Error, j.Fields, j.PromptID = Failed, HumanFor(e.cfg.Face, a.job.Form.Mode, err), fields, a.pid
		})
	}
}

func (a *attempt) run() error {
	a.progress(PhasePreparing, true)
	names, media, err := hashMedia(a.ctx, a.job.Form)
	if err != nil {
		return err
	}
	a.media = media
	a.built, err = a.e.cfg.Builder.Build(a.job.Form, names)
	if err != nil {
		return err
	}
	a.tr = newTracker(a.built.Stages, a.t.Started)
	if m := a.e.cfg.Models; m != nil && len(a.built.Models) > 0 {
		a.progress(PhaseModels, true)
		err := m.Ensure(a.ctx, a.built.Models, func(p ModelProgress) {
			a.tr.p.Model = &p
			a.progress(PhaseModels, false)
		})
		a.tr.p.Model = nil
		if err != nil {
			return a.ctxErr(fmt.Errorf("get model files: %w", err))
		}
	}
	a.progress(PhaseUploading, true)
	if err := a.stage(); err != nil {
		return a.ctxErr(err)
	}
	a.t.Prepared = time.Now()
	return a.submitAndFollow()
}

// ctxErr turns an error caused by a cancel into errCancelled.
func (a *attempt) ctxErr(err error) error {
	if a.ctx.Err() != nil {
		return errCancelled
	}
	return err
}

func (a *attempt) submitAndFollow() error {
	a.pid = a.job.PromptID
	if a.pid == "" {
		a.pid = uuid.NewString()
	}
	a.e.mu.Lock()
	if act := a.e.live[a.job.ID]; act != nil {
		if act.cancelled {
			a.e.mu.Unlock()
			return errCancelled
		}
		act.promptID = a.pid
	}
	a.e.mu.Unlock()
	if a.e.cfg.VRAMPoll > 0 {
		a.pollAsync()
	}
	a.t.Submitted = time.Now()
	if _, err := a.c.QueuePrompt(a.ctx, a.pid, a.built.Prompt); err != nil {
		var pe *comfyapi.PromptError
		if errors.As(err, &pe) {
			return &RejectedError{Prompt: pe, Fields: mapIssues(a.e.cfg.Face, a.job.Form.Mode, pe, a.built, a.media)}
		}
		if a.ctx.Err() == nil {
			return &lostError{why: fmt.Sprintf("ComfyUI at %s could not be reached: %s", shownURL(a.b.URL), netmsg.Unreachable(err, hostName(a.b.URL), 0))}
		}
		return a.ctxErr(err)
	}
	a.progress(PhaseQueued, true)
	if err := a.follow(); err != nil {
		return err
	}
	return a.collect()
}

// follow reads events until this prompt ends. The history entry, not the
// socket, is the final word (events are dropped while disconnected).
func (a *attempt) follow() error {
	var tick <-chan time.Time
	// quiet catches a lost final event: after a long silence, ask the
	// server where the job is.
	quiet := time.NewTimer(quietCheck)
	defer quiet.Stop()
	if a.e.cfg.VRAMPoll > 0 {
		t := time.NewTicker(a.e.cfg.VRAMPoll)
		defer t.Stop()
		tick = t.C
	}
	var l link
	for {
		var ev comfyapi.Event
		select {
		case <-a.ctx.Done():
			return a.ctx.Err()
		case <-l.dead:
			return &lostError{why: fmt.Sprintf("ComfyUI at %s stopped responding for %s", shownURL(a.b.URL), a.e.cfg.DeadAfter)}
		case <-tick:
			a.pollAsync()
			continue
		case <-quiet.C:
			quiet.Reset(quietCheck)
			if done, err := a.recover(); done || err != nil {
				return err
			}
			continue
		case x, ok := <-a.w.Events():
			if !ok {
				return a.ctx.Err()
			}
			ev = x
			quiet.Reset(quietCheck)
		}
		if done, err := a.dispatch(&l, ev); done {
			return err
		}
	}
}

// link tracks the socket during a job.
type link struct {
	dead        <-chan time.Time // fires DeadAfter after a drop
	reconnected bool             // waiting for the first status after a reconnect
}

// dispatch handles one event; done ends the job with err.
func (a *attempt) dispatch(l *link, ev comfyapi.Event) (done bool, err error) {
	switch e := ev.(type) {
	case comfyapi.Disconnected:
		l.dead = time.After(a.e.cfg.DeadAfter)
		a.progress(PhaseReconnect, true)
	case comfyapi.Connected:
		l.dead = nil
		l.reconnected = l.reconnected || e.Reconnect
	case comfyapi.Status:
		// The first status after a reconnect means the server has our
		// socket again; what happened meanwhile is in queue/history.
		if l.reconnected && e.SID != "" {
			l.reconnected = false
			return a.recover()
		}
	case comfyapi.Preview:
		if e.PromptID == a.pid || e.PromptID == "" {
			a.e.emit(PreviewFrame{ID: a.job.ID, ImageType: e.ImageType, Image: e.Image})
		}
	default:
		if ev.Prompt() == a.pid {
			return a.handle(ev)
		}
	}
	return false, nil
}

func (a *attempt) handle(ev comfyapi.Event) (done bool, err error) {
	now := time.Now()
	switch e := ev.(type) {
	case comfyapi.ExecutionStart:
		a.t.Running = now
	case comfyapi.Executed:
		a.outs[e.Node] = e.Output
	case *comfyapi.ExecutionError:
		return true, e
	case comfyapi.ExecutionInterrupted:
		return true, errCancelled
	case comfyapi.Executing:
		if e.Done {
			return true, nil
		}
	}
	if a.tr.apply(ev, now) {
		_, isStart := ev.(comfyapi.ExecutionStart)
		a.progress(a.tr.p.Phase, isStart)
	}
	return false, nil
}

// recover runs after a reconnect: the job may still be on the server
// (queue), may have ended (history) or may be gone (server restarted). The
// queue is read first: ComfyUI moves a job from queue to history under one
// lock, so a job missing from both is really lost.
func (a *attempt) recover() (done bool, err error) {
	q, err := a.c.Queue(a.ctx)
	if err != nil {
		return false, nil // still flaky; the dead timer decides
	}
	if q.Has(a.pid) {
		a.progress(PhaseRunning, true)
		return false, nil
	}
	h, ok, err := a.c.History(a.ctx, a.pid)
	if err != nil {
		return false, nil
	}
	if !ok {
		return true, &lostError{why: fmt.Sprintf("ComfyUI at %s restarted and lost the job", shownURL(a.b.URL))}
	}
	for _, ev := range h.Events() {
		if x, isErr := ev.(*comfyapi.ExecutionError); isErr {
			return true, x
		}
		if _, isInt := ev.(comfyapi.ExecutionInterrupted); isInt {
			return true, errCancelled
		}
	}
	for id, o := range h.Outputs {
		a.outs[id] = o
	}
	return true, nil
}

// pollAsync samples system_stats without holding up the job; waitPolls
// joins the samples before the sidecar is written.
func (a *attempt) pollAsync() {
	a.polls.Add(1)
	go func() {
		defer a.polls.Done()
		a.pollVRAM()
	}()
}

func (a *attempt) pollVRAM() {
	ctx, cancel := context.WithTimeout(a.ctx, 2*time.Second)
	defer cancel()
	s, err := a.c.SystemStats(ctx)
	if err != nil {
		return
	}
	a.statsMu.Lock()
	defer a.statsMu.Unlock()
	a.server = s
	if len(s.Devices) > 0 {
		a.vram = max(a.vram, s.Devices[0].ComfyUsed())
	}
}

// progress emits the current progress, at most every 50 ms unless forced
// (phase or stage changes, start and end).
func (a *attempt) progress(ph Phase, force bool) { a.progressAt(ph, time.Now(), force) }

// progressAt reports progress as of now.
func (a *attempt) progressAt(ph Phase, now time.Time, force bool) {
	p := a.tr.phase(ph, now)
	if p.Stage != a.shown.Stage || p.Phase != a.shown.Phase {
		force = true
	}
	if !force && now.Sub(a.last) < 50*time.Millisecond {
		return
	}
	a.last, a.shown = now, p
	a.e.emit(ProgressUpdate{ID: a.job.ID, Progress: p})
}

// RejectedError is a prompt ComfyUI refused to queue, mapped to form fields.
type RejectedError struct {
	Prompt *comfyapi.PromptError
	Fields []workflows.FieldError
}

func (r *RejectedError) Error() string { return r.Prompt.Error() }
func (r *RejectedError) Unwrap() error { return r.Prompt }
