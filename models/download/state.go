package download

import (
	"encoding/json"
	"os"
)

type partState struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"` // exclusive
	Done  int64 `json:"done"`
}

type fileState struct {
	Etag  string      `json:"etag"`
	Size  int64       `json:"size"`
	Parts []partState `json:"parts"`
}

// Incomplete and StatePath name the partial file (the legacy huggingface_hub
// name, so `hf cache` lists it) and its part-state sidecar.
func Incomplete(dest string) string { return dest + ".incomplete" }

func StatePath(dest string) string { return dest + ".incomplete.parts.json" }

func (d *Downloader) loadState(dest string, m Meta) (*fileState, bool) {
	b, err := os.ReadFile(StatePath(dest))
	if err != nil {
		return nil, false
	}
	var st fileState
	if json.Unmarshal(b, &st) != nil || st.Etag != m.Etag || st.Size != m.Size {
		return nil, false
	}
	var pos int64
	for _, p := range st.Parts {
		if p.Start != pos || p.End < p.Start || p.Done < 0 || p.Done > p.End-p.Start {
			return nil, false
		}
		pos = p.End
	}
	if pos != m.Size {
		return nil, false
	}
	if fi, err := os.Stat(Incomplete(dest)); err != nil || fi.Size() != m.Size {
		return nil, false
	}
	return &st, true
}

func (d *Downloader) newState(m Meta) *fileState {
	n := int64(d.cfg.MaxParts)
	if c := (m.Size + d.cfg.MinPartSize - 1) / d.cfg.MinPartSize; c < n {
		n = c
	}
	if n < 1 {
		n = 1
	}
	st := &fileState{Etag: m.Etag, Size: m.Size}
	step := m.Size / n
	for i := int64(0); i < n; i++ {
		s, e := i*step, (i+1)*step
		if i == n-1 {
			e = m.Size
		}
		st.Parts = append(st.Parts, partState{Start: s, End: e})
	}
	return st
}

// ReadState returns how many bytes a partial download's sidecar says are
// already on disk.
func ReadState(name string) (int64, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	var st fileState
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, err
	}
	var n int64
	for _, p := range st.Parts {
		n += p.Done
	}
	return n, nil
}
