package studio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/netmsg"
)

// Waits bounds each wait on a ComfyUI server the user named, so a dead or
// stuck address ends with a message instead of a silent hang.
type Waits struct {
	Connect time.Duration // the TCP connection (default 5 s)
	Health  time.Duration // its answer to /api/system_stats (default 10 s)
	// Queue is how long a submitted job may wait for the server to take it
	// (its event socket must connect first; default 60 s).
	Queue time.Duration
	// Lost is how long a running job's server may stay unreachable before
	// the job is given up on it (re-queued once, then failed; default 20 s).
	Lost time.Duration
}

// DefaultWaits are the deadlines the CLI uses.
func DefaultWaits() Waits {
	return Waits{Connect: 5 * time.Second, Health: 10 * time.Second, Queue: time.Minute, Lost: 20 * time.Second}
}

func (w Waits) withDefaults() Waits {
	d := DefaultWaits()
	if w.Connect <= 0 {
		w.Connect = d.Connect
	}
	if w.Health <= 0 {
		w.Health = d.Health
	}
	if w.Queue <= 0 {
		w.Queue = d.Queue
	}
	if w.Lost <= 0 {
		w.Lost = d.Lost
	}
	return w
}

// CheckServer connects to the ComfyUI at raw and asks for its health, each
// step within its deadline, and says in plain words what went wrong: a name
// that does not resolve, nothing listening, no answer in time, or a server
// that is not ComfyUI. The address's password never appears in a message.
func CheckServer(ctx context.Context, raw string, w Waits) (supervise.ServerInfo, error) {
	w = w.withDefaults()
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		// Its wording of a malformed address, without touching the network.
		return supervise.CheckRemote(ctx, raw)
	}
	shown := u.Host
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	cctx, cancel := context.WithTimeout(ctx, w.Connect)
	conn, err := (&net.Dialer{}).DialContext(cctx, "tcp", addr)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return supervise.ServerInfo{}, ctx.Err()
		}
		return supervise.ServerInfo{}, fmt.Errorf("cannot reach ComfyUI at %s: %s", shown, netmsg.Unreachable(err, u.Hostname(), w.Connect))
	}
	conn.Close()

	hctx, cancel := context.WithTimeout(ctx, w.Health)
	defer cancel()
	st, err := comfyapi.New(u.String(), nil).SystemStats(hctx)
	var he *comfyapi.HTTPError
	switch {
	case err != nil && ctx.Err() != nil:
		return supervise.ServerInfo{}, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return supervise.ServerInfo{}, fmt.Errorf("the server at %s accepted the connection but did not answer within %s; it may still be starting, or stuck", shown, w.Health)
	case errors.As(err, &he):
		return supervise.ServerInfo{}, fmt.Errorf("the server at %s answered %d to /api/system_stats; is it really ComfyUI?", shown, he.Status)
	case err != nil:
		return supervise.ServerInfo{}, fmt.Errorf("the server at %s did not give a usable answer; is it really ComfyUI? (%s)", shown, netmsg.Unreachable(err, u.Hostname(), w.Health))
	case st.System.ComfyUIVersion == "":
		return supervise.ServerInfo{}, fmt.Errorf("the server at %s does not look like ComfyUI (its /api/system_stats has no comfyui_version)", shown)
	}
	info := supervise.ServerInfo{URL: u.String(), ComfyUIVersion: st.System.ComfyUIVersion, PythonVersion: st.System.PythonVersion,
		PyTorchVersion: st.System.PytorchVersion}
	for _, d := range st.Devices {
		info.Devices = append(info.Devices, d.Name)
	}
	return info, nil
}

// CheckHub tells whether the model hub at endpoint (HF_ENDPOINT, default
// https://huggingface.co) answers at all, within the connect and health
// waits. Any HTTP answer counts: this is about the network, not the files.
func CheckHub(ctx context.Context, endpoint string, w Waits) error {
	w = w.withDefaults()
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmt.Errorf("the model hub address %q (HF_ENDPOINT) is not an address", endpoint)
	}
	hctx, cancel := context.WithTimeout(ctx, w.Connect+w.Health)
	defer cancel()
	req, err := http.NewRequestWithContext(hctx, http.MethodHead, u.String(), nil)
	if err != nil {
		return fmt.Errorf("the model hub address %q (HF_ENDPOINT) is not an address", endpoint)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: w.Connect}).DialContext, TLSHandshakeTimeout: w.Health}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the model hub at %s cannot be reached: %s", u.Host, netmsg.Unreachable(err, u.Hostname(), w.Connect+w.Health))
	}
	resp.Body.Close()
	return nil
}
