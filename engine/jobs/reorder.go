package jobs

import "fmt"

// Move shifts a pending job one place earlier (delta < 0) or later (delta > 0)
// among the pending jobs; workers take pending jobs in queue order, so this
// is how a person reorders the queue. Running and finished jobs stay put.
func (e *Engine) Move(id string, delta int) error {
	e.mu.Lock()
	i := -1
	for k, j := range e.st.jobs {
		if j.ID == id {
			i = k
		}
	}
	if i < 0 {
		e.mu.Unlock()
		return fmt.Errorf("move %s: %w", id, ErrNotFound)
	}
	if e.st.jobs[i].State != Pending || delta == 0 {
		e.mu.Unlock()
		return nil
	}
	step := 1
	if delta < 0 {
		step = -1
	}
	k := i + step
	for k >= 0 && k < len(e.st.jobs) && e.st.jobs[k].State != Pending {
		k += step
	}
	if k < 0 || k >= len(e.st.jobs) {
		e.mu.Unlock()
		return nil // already first (or last) of the pending jobs
	}
	e.st.jobs[i], e.st.jobs[k] = e.st.jobs[k], e.st.jobs[i]
	err := e.st.save()
	moved := *e.st.jobs[k]
	e.changedLocked()
	e.mu.Unlock()
	e.emit(Changed{Job: moved})
	return err
}
