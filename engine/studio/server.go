package studio

import "context"

// Server is a ComfyUI that is already running, for a run that must not start
// one: the CLI's --backend, or a ComfyUI `ltx-studio comfyui start` left
// running. With Options.Server set, Start claims the data folder and opens
// the app's queue on that server; it starts and stops no ComfyUI.
type Server struct {
	Name     string // as jobs name it ("cli", "local")
	URL      string
	InputDir string // its input folder when on this machine ("": media are uploaded)
	// SharesModels is true for a ComfyUI that loads from this app's model
	// folder, so a job fetches and links missing files first. A server of
	// the user's own has its own models; its validation names what it lacks.
	SharesModels bool
}

// foreignServer is true when the jobs run on a server with its own models.
func (s *Studio) foreignServer() bool { return s.server != nil && !s.server.SharesModels }

// startOnServer is Start for Options.Server.
func (s *Studio) startOnServer(ctx context.Context) error {
	if err := s.claimOwner(ctx); err != nil {
		return err
	}
	return s.startJobEngine(ctx)
}

// Where names the ComfyUI jobs go to, host:port only (no password from an
// address reaches the screen), for "running on" lines.
func (s *Studio) Where() string {
	if s.server != nil {
		return hostOf(s.server.URL)
	}
	if pool := s.Pool(); len(pool) > 1 {
		out := ""
		for i, m := range pool {
			if i > 0 {
				out += ", "
			}
			out += m.Name
		}
		return out
	}
	return hostOf(s.Backend().URL())
}

// RunOn points a studio that has not started at a running ComfyUI (one
// found after Open). Call it before Start, from the goroutine that opened it.
func (s *Studio) RunOn(srv Server) { s.server = &srv }
