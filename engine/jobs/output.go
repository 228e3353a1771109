package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

type timings struct {
	Started   time.Time `json:"started"`
	Prepared  time.Time `json:"prepared,omitzero"`  // graph built, models and media ready
	Submitted time.Time `json:"submitted,omitzero"` // POST /api/prompt
	Running   time.Time `json:"running,omitzero"`   // execution_start
	Finished  time.Time `json:"finished,omitzero"`  // video saved
}

// took is the one definition of how long making a video took: from the
// moment the engine started the job (its last attempt: the claim) to the
// moment the video was saved under its name. The sidecar stores it as
// seconds.total; the live progress ends on it, the finished job reports it
// (Job.Took) and the history reads it back (Sidecar.Took).
func (t timings) took() time.Duration {
	if t.Started.IsZero() || t.Finished.Before(t.Started) {
		return 0
	}
	return t.Finished.Sub(t.Started)
}

// Took is how long making the video took (see timings.took), from the
// timings (exact), else seconds.total.
func (s Sidecar) Took() time.Duration {
	if d := s.Timings.took(); d > 0 {
		return d
	}
	return time.Duration(s.Seconds["total"] * float64(time.Second))
}

// Sidecar is the provenance file written beside every video.
type Sidecar struct {
	App struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"app"`
	JobID  string           `json:"job_id"`
	Mode   workflows.ModeID `json:"mode"`
	Preset workflows.Preset `json:"preset"`
	Seed   int64            `json:"seed"`
	Form   workflows.Form   `json:"form"`
	// EnhancedPrompt is what Gemma made of Form.Prompt ("Enhance prompt").
	EnhancedPrompt string          `json:"enhanced_prompt,omitempty"`
	Media          []stagedMedia   `json:"media,omitempty"`
	PromptID       string          `json:"prompt_id"`
	Prompt         json.RawMessage `json:"prompt"` // exactly what was posted
	Models         []sidecarModel  `json:"models"`
	ComfyUI        struct {
		Backend string `json:"backend"`
		URL     string `json:"url"`
		Version string `json:"version,omitempty"`
		Commit  string `json:"commit,omitempty"`
		Pytorch string `json:"pytorch,omitempty"`
		Device  string `json:"device,omitempty"`
		GPU     string `json:"gpu,omitempty"` // the local GPU's index (one managed ComfyUI per GPU)
	} `json:"comfyui"`
	Timings       timings            `json:"timings"`
	Seconds       map[string]float64 `json:"seconds"`
	PeakVRAMBytes int64              `json:"peak_vram_bytes,omitempty"`
	Output        struct {
		File   string           `json:"file"`
		Bytes  int64            `json:"bytes"`
		Source comfyapi.FileRef `json:"source"`
	} `json:"output"`
}

type sidecarModel struct {
	ModelRef
	SHA256 string `json:"sha256,omitempty"`
}

// ErrNoVideo means ComfyUI finished without reporting a video file.
var ErrNoVideo = errors.New("comfyui finished without a video")

// collect copies the video into the output folder and writes its sidecar.
func (a *attempt) collect() error {
	a.progress(PhaseSaving, true)
	needText := a.built.EnhancedNode != "" && len(a.outs[a.built.EnhancedNode].Text) == 0
	if len(a.outs) == 0 || a.outs[a.built.OutputNode].Files() == nil || needText {
		if h, ok, err := a.c.History(a.ctx, a.pid); err == nil && ok {
			for id, o := range h.Outputs {
				a.outs[id] = o
			}
		}
	}
	ref, err := pickVideo(a.outs, a.built.OutputNode)
	if err != nil {
		return err
	}
	if t := a.outs[a.built.EnhancedNode].Text; a.built.EnhancedNode != "" && len(t) > 0 {
		a.job.EnhancedPrompt = strings.TrimSpace(t[0])
	}
	if err := ref.Safe(); err != nil {
		return fmt.Errorf("refused the output file: %w", err)
	}
	if a.e.cfg.VRAMPoll > 0 {
		a.pollAsync()
	}
	dst, side, err := a.save(ref)
	if err != nil {
		return err
	}
	a.job.Output, a.job.Sidecar = dst, side
	a.tr.p.Percent = 100
	// The last live figure is the "took" of the sidecar, to the millisecond.
	a.progressAt(PhaseSaving, a.t.Finished, true)
	return nil
}

func pickVideo(outs map[string]comfyapi.Output, node string) (comfyapi.FileRef, error) {
	isVideo := func(f comfyapi.FileRef) bool {
		switch strings.ToLower(filepath.Ext(f.Filename)) {
		case ".mp4", ".webm", ".mov", ".mkv":
			return true
		}
		return false
	}
	if o, ok := outs[node]; ok {
		for _, f := range o.Files() {
			if isVideo(f) {
				return f, nil
			}
		}
	}
	for _, o := range outs {
		for _, f := range o.Files() {
			if isVideo(f) {
				return f, nil
			}
		}
	}
	return comfyapi.FileRef{}, ErrNoVideo
}

// videoPerm and sidecarPerm are the modes of finished outputs: readable by
// everyone, like any file a user saves (the umask still applies on create).
const (
	videoPerm   os.FileMode = 0o644
	sidecarPerm os.FileMode = 0o644
)

// save downloads the video and writes the sidecar. Both go to hidden temp
// files first and are flushed to disk (in parallel) before either gets its
// final name, so nothing half-written ever looks complete.
func (a *attempt) save(ref comfyapi.FileRef) (dst, side string, err error) {
	tmp, n, err := a.download(ref)
	a.polls.Wait()
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	synced := make(chan error, 1)
	go func() {
		err := tmp.Sync()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		synced <- err
	}()
	// Model hashes may take a while: get them before the final name is
	// reserved, since the reservation is an empty file under that name.
	models := a.sidecarModels()
	dst, err = reserveName(a.e.cfg.OutputDir, outputBase(a.job, a.t.Started), strings.ToLower(filepath.Ext(ref.Filename)))
	if err != nil {
		<-synced
		return "", "", err
	}
	a.t.Finished = time.Now().Round(0) // wall clock, as a.t.Started
	side = strings.TrimSuffix(dst, filepath.Ext(dst)) + ".json"
	sideTmp, err := a.writeSidecar(side, dst, n, ref, models)
	if serr := <-synced; err == nil && serr != nil {
		err = fmt.Errorf("save video: %w", serr)
	}
	if err == nil {
		// CreateTemp makes 0600 files; a finished video is shared like its
		// sidecar (players, file managers, other users' backups read it).
		err = os.Chmod(tmp.Name(), videoPerm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err == nil {
		err = os.Rename(sideTmp, side)
	}
	if err != nil {
		os.Remove(dst)
		os.Remove(sideTmp)
		return "", "", err
	}
	return dst, side, nil
}

// download streams the file into a hidden partial file in the output folder.
func (a *attempt) download(ref comfyapi.FileRef) (*os.File, int64, error) {
	if err := os.MkdirAll(a.e.cfg.OutputDir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("create output folder: %w", err)
	}
	tmp, err := os.CreateTemp(a.e.cfg.OutputDir, ".ltx-*.partial")
	if err != nil {
		return nil, 0, fmt.Errorf("save video: %w", err)
	}
	n, err := a.c.View(a.ctx, ref, tmp)
	if err == nil && n == 0 {
		err = errors.New("ComfyUI sent an empty file")
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, 0, fmt.Errorf("download the video from ComfyUI: %w", err)
	}
	return tmp, n, nil
}

// outputBase is "2026-11-28 12.10.05 t2v a-cat-on-a-beach".
func outputBase(j Job, at time.Time) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(j.Form.Prompt) {
		if b.Len() >= 40 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.Trim(b.String(), "-")
	base := at.Format("2006-01-02 15.04.05") + " " + string(j.Form.Mode)
	if slug != "" {
		base += " " + slug
	}
	return base
}

// reserveName creates base+ext, or base-2+ext … if taken, and returns it.
// A name whose sidecar (.json) exists is taken too, so a video of another
// extension never loses its sidecar to ours.
func reserveName(dir, base, ext string) (string, error) {
	for i := 1; i < 10000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(filepath.Join(dir, name+".json")); err == nil {
			continue
		}
		p := filepath.Join(dir, name+ext)
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return p, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("save video: %w", err)
		}
	}
	return "", errors.New("save video: no free file name")
}

// shownURL drops a password from a backend address: sidecars travel with
// the videos people share.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}

// hostName is the server's name without port or password, for messages.
func hostName(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "the server"
}

// sidecarModels lists the job's model files with their sha256 when known.
func (a *attempt) sidecarModels() []sidecarModel {
	var out []sidecarModel
	for _, m := range a.built.Models {
		sm := sidecarModel{ModelRef: m}
		if a.e.cfg.Hashes != nil {
			ctx, cancel := context.WithTimeout(a.ctx, 10*time.Minute)
			sum, err := a.e.cfg.Hashes.SHA256(ctx, m)
			cancel()
			if err == nil {
				sm.SHA256 = sum
			}
		}
		out = append(out, sm)
	}
	return out
}

// writeSidecar writes the sidecar to a flushed temp file beside path and
// returns its name; the caller renames it.
func (a *attempt) writeSidecar(path, video string, n int64, ref comfyapi.FileRef, models []sidecarModel) (string, error) {
	var s Sidecar
	s.App.Name, s.App.Version = "LTX 2.3 Studio", a.e.cfg.AppVersion
	f := a.job.Form
	s.JobID, s.Mode, s.Preset, s.Seed, s.Form = a.job.ID, f.Mode, f.Preset, f.Seed, f
	s.EnhancedPrompt = a.job.EnhancedPrompt
	s.Media, s.PromptID, s.Prompt, s.Models = a.media, a.pid, a.built.Prompt, models
	s.ComfyUI.Backend, s.ComfyUI.URL, s.ComfyUI.Commit, s.ComfyUI.GPU = a.b.Name, shownURL(a.b.URL), a.b.Commit, a.b.GPU
	s.ComfyUI.Version, s.ComfyUI.Pytorch = a.server.System.ComfyUIVersion, a.server.System.PytorchVersion
	if len(a.server.Devices) > 0 {
		s.ComfyUI.Device = a.server.Devices[0].Name
	}
	s.Timings, s.PeakVRAMBytes = a.t, a.vram
	s.Seconds = map[string]float64{"total": a.t.took().Seconds()}
	if !a.t.Prepared.IsZero() {
		s.Seconds["prepare"] = a.t.Prepared.Sub(a.t.Started).Seconds()
	}
	if !a.t.Running.IsZero() {
		s.Seconds["queued_in_comfyui"] = a.t.Running.Sub(a.t.Submitted).Seconds()
		s.Seconds["run"] = a.t.Finished.Sub(a.t.Running).Seconds()
	}
	s.Output.File, s.Output.Bytes, s.Output.Source = filepath.Base(video), n, ref
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := fileio.WriteTemp(path, append(b, '\n'), sidecarPerm)
	if err != nil {
		return "", fmt.Errorf("write the sidecar: %w", err)
	}
	return tmp, nil
}
