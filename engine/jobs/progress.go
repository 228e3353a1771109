package jobs

import (
	"math"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// tracker folds ComfyUI events into a Progress. Overall percent is the
// stage-weighted sum of node fractions, so a long sampler counts for more
// than a loader, and it never moves backwards.
type tracker struct {
	stages  map[string]Stage
	names   []workflows.StageName // stage names present, in order
	total   float64
	frac    map[string]float64
	start   time.Time // job start
	runFrom time.Time // execution_start
	node    string
	rateAt  map[string]rateMark
	p       Progress
}

type rateMark struct {
	value int
	at    time.Time
}

func newTracker(stages map[string]Stage, start time.Time) *tracker {
	t := &tracker{stages: stages, frac: map[string]float64{}, start: start, rateAt: map[string]rateMark{}}
	seen := map[workflows.StageName]bool{}
	for _, s := range stages {
		t.total += s.Weight
		seen[s.Name] = true
	}
	for _, n := range workflows.StageOrder() { // unknown names go last
		if seen[n] {
			t.names = append(t.names, n)
			delete(seen, n)
		}
	}
	for n := range seen {
		t.names = append(t.names, n)
	}
	t.p = Progress{Phase: PhasePreparing, StageCount: len(t.names), ETA: -1}
	return t
}

func (t *tracker) phase(p Phase, now time.Time) Progress {
	t.p.Phase = p
	return t.snapshot(now)
}

// apply updates the tracker with one event; it reports whether the visible
// progress changed.
func (t *tracker) apply(ev comfyapi.Event, now time.Time) bool {
	switch e := ev.(type) {
	case comfyapi.ExecutionStart:
		t.runFrom = now
		t.p.Phase = PhaseRunning
	case comfyapi.ExecutionCached:
		for _, id := range e.Nodes {
			t.frac[id] = 1
		}
	case comfyapi.Executing:
		if e.Done {
			return false
		}
		t.setNode(e.Node)
	case comfyapi.ProgressState:
		for id, n := range e.Nodes {
			f := 0.0
			if n.State == "finished" {
				f = 1
			} else if n.Max > 0 {
				f = n.Value / n.Max
			}
			t.frac[id] = math.Max(t.frac[id], math.Min(f, 1))
		}
	case comfyapi.Progress:
		t.progress(e, now)
	case comfyapi.ExecutionSuccess:
		for id := range t.stages {
			t.frac[id] = 1
		}
	default:
		return false
	}
	return true
}

// progress records a step of a node and its step rate.
func (t *tracker) progress(e comfyapi.Progress, now time.Time) {
	t.setNode(e.Node)
	if e.Max > 0 {
		t.frac[e.Node] = math.Max(t.frac[e.Node], float64(e.Value)/float64(e.Max))
	}
	t.p.Step, t.p.Steps = e.Value, e.Max
	m, ok := t.rateAt[e.Node]
	if !ok || e.Value < m.value {
		t.rateAt[e.Node] = rateMark{e.Value, now}
	} else if dt := now.Sub(m.at).Seconds(); dt > 0 && e.Value > m.value {
		t.p.Rate = float64(e.Value-m.value) / dt
	}
}

func (t *tracker) setNode(id string) {
	if id == t.node {
		return
	}
	t.node = id
	t.p.Step, t.p.Steps, t.p.Rate = 0, 0, 0
	if st, ok := t.stages[id]; ok {
		for i, n := range t.names {
			if n == st.Name {
				t.p.Stage, t.p.StageIndex = n, i+1
			}
		}
	}
}

func (t *tracker) snapshot(now time.Time) Progress {
	if t.total > 0 {
		sum := 0.0
		for id, s := range t.stages {
			sum += s.Weight * t.frac[id]
		}
		t.p.Percent = math.Max(t.p.Percent, math.Min(100, 100*sum/t.total))
	}
	t.p.Elapsed = now.Sub(t.start)
	t.p.ETA = -1
	if !t.runFrom.IsZero() && t.p.Percent >= 2 && t.p.Percent < 100 {
		ran := now.Sub(t.runFrom)
		t.p.ETA = time.Duration(float64(ran) * (100 - t.p.Percent) / t.p.Percent).Round(time.Second)
	}
	if t.p.Percent >= 100 {
		t.p.ETA = 0
	}
	return t.p
}
