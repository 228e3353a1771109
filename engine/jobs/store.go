package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// maxFinished is how many finished jobs the queue file keeps, for the
// queue list; the lasting record of a video is its sidecar.
const maxFinished = 30

// store is the queue file. It is only touched under Engine.mu.
type store struct {
	path string
	jobs []*Job // submission order
}

type storeFile struct {
	Version int    `json:"version"`
	Jobs    []*Job `json:"jobs"`
}

// openStore reads the queue file (missing: empty queue). A corrupt file is an
// error rather than an empty queue, so no job is silently dropped.
func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create queue folder: %w", err)
	}
	s := &store{path: filepath.Join(dir, "queue.json")}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	var f storeFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("queue file %s is damaged (%v); move it aside to start with an empty queue", s.path, err)
	}
	s.jobs = f.Jobs
	return s, nil
}

// save writes the whole queue atomically: temp file, fsync, rename.
func (s *store) save() error {
	s.trim()
	b, err := json.Marshal(storeFile{Version: 1, Jobs: s.jobs})
	if err != nil {
		return err
	}
	return writeAtomic(s.path, b, 0o644)
}

// trim drops the oldest finished jobs beyond maxFinished.
func (s *store) trim() {
	n := 0
	for _, j := range s.jobs {
		if j.State.Finished() {
			n++
		}
	}
	if n <= maxFinished {
		return
	}
	kept := s.jobs[:0]
	for _, j := range s.jobs {
		if j.State.Finished() && n > maxFinished {
			n--
			continue
		}
		kept = append(kept, j)
	}
	s.jobs = kept
}

func (s *store) find(id string) *Job {
	for _, j := range s.jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

func (s *store) remove(id string) {
	for i, j := range s.jobs {
		if j.ID == id {
			s.jobs = append(s.jobs[:i], s.jobs[i+1:]...)
			return
		}
	}
}

// writeAtomic replaces path with data so that readers see the old or the
// new file, never a partial one.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a flushed hidden temp file beside path.
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, perm)
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return name, nil
}
