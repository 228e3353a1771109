package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
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
	return fileio.WriteAtomic(s.path, b, 0o644)
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
