// Package comfyapi is the app's client for ComfyUI's HTTP API and WebSocket
// (reference: comfyui-api.md §2–3, checked against shared/comfyui recordings).
// One Client talks to one server; events come typed from a Watcher.
package comfyapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// Client calls one ComfyUI server. Build it with New.
type Client struct {
	base     string
	http     *http.Client
	clientID string
}

// New returns a client for baseURL (http://127.0.0.1:8188). hc may be nil.
// Each client has its own client id, which routes job events to its socket.
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: hc, clientID: uuid.NewString()}
}

// ClientID is the id sent with every prompt and on the WebSocket.
func (c *Client) ClientID() string { return c.clientID }

// do sends a request and decodes a JSON answer into out (nil: discard).
func (c *Client) do(ctx context.Context, method, p string, body io.Reader, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+p, body)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("comfyui %s %s: %w", method, p, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("comfyui %s %s: read answer: %w", method, p, err)
	}
	if resp.StatusCode/100 != 2 {
		return &HTTPError{Method: method, Path: p, Status: resp.StatusCode, Body: string(data)}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("comfyui %s %s: decode answer: %w", method, p, err)
	}
	return nil
}

func (c *Client) postJSON(ctx context.Context, p string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	return c.do(ctx, http.MethodPost, p, body, "application/json", out)
}

// QueuePrompt posts an API-format graph under promptID (a fresh lowercase
// uuid; "" makes one). A 400 comes back as *PromptError.
func (c *Client) QueuePrompt(ctx context.Context, promptID string, prompt json.RawMessage) (QueueResponse, error) {
	if promptID == "" {
		promptID = uuid.NewString()
	}
	req := struct {
		Prompt   json.RawMessage `json:"prompt"`
		ClientID string          `json:"client_id"`
		PromptID string          `json:"prompt_id"`
	}{prompt, c.clientID, promptID}
	var out QueueResponse
	err := c.postJSON(ctx, "/api/prompt", req, &out)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusBadRequest {
		pe := &PromptError{Status: he.Status}
		if json.Unmarshal([]byte(he.Body), pe) == nil && pe.Err.Type != "" {
			return out, pe
		}
	}
	return out, err
}

// ParsePromptError decodes a 400 body of POST /api/prompt.
func ParsePromptError(body []byte) (*PromptError, error) {
	pe := &PromptError{Status: http.StatusBadRequest}
	if err := json.Unmarshal(body, pe); err != nil {
		return nil, err
	}
	if pe.Err.Type == "" {
		return nil, errors.New("no error object in body")
	}
	return pe, nil
}

// Interrupt stops promptID if it is running (a no-op otherwise); "" stops
// whatever runs.
func (c *Client) Interrupt(ctx context.Context, promptID string) error {
	var in any
	if promptID != "" {
		in = map[string]string{"prompt_id": promptID}
	}
	return c.postJSON(ctx, "/api/interrupt", in, nil)
}

// DeletePending removes pending prompts from the server queue.
func (c *Client) DeletePending(ctx context.Context, ids ...string) error {
	return c.postJSON(ctx, "/api/queue", map[string][]string{"delete": ids}, nil)
}

// Free asks ComfyUI to unload models (and drop cached outputs) between jobs.
func (c *Client) Free(ctx context.Context, unloadModels, freeMemory bool) error {
	return c.postJSON(ctx, "/api/free", map[string]bool{"unload_models": unloadModels, "free_memory": freeMemory}, nil)
}

// SystemStats reads versions and VRAM.
func (c *Client) SystemStats(ctx context.Context) (SystemStats, error) {
	var s SystemStats
	err := c.do(ctx, http.MethodGet, "/api/system_stats", nil, "", &s)
	return s, err
}

// Queue lists the prompt ids running and pending on the server.
func (c *Client) Queue(ctx context.Context) (QueueState, error) {
	var raw struct {
		Running [][]json.RawMessage `json:"queue_running"`
		Pending [][]json.RawMessage `json:"queue_pending"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/queue", nil, "", &raw); err != nil {
		return QueueState{}, err
	}
	ids := func(items [][]json.RawMessage) []string {
		var out []string
		for _, it := range items {
			var id string
			if len(it) > 1 && json.Unmarshal(it[1], &id) == nil {
				out = append(out, id)
			}
		}
		return out
	}
	return QueueState{Running: ids(raw.Running), Pending: ids(raw.Pending)}, nil
}

// History returns the entry of promptID; ok is false while it is pending,
// running or unknown to the server.
func (c *Client) History(ctx context.Context, promptID string) (entry HistoryEntry, ok bool, err error) {
	var m map[string]HistoryEntry
	if err := c.do(ctx, http.MethodGet, "/api/history/"+url.PathEscape(promptID), nil, "", &m); err != nil {
		return HistoryEntry{}, false, err
	}
	entry, ok = m[promptID]
	entry.PromptID = promptID
	return entry, ok, nil
}

// View streams a file from ComfyUI's folders into w. The reference is
// checked first: a hostile name from the server is refused, not requested.
func (c *Client) View(ctx context.Context, f FileRef, w io.Writer) (int64, error) {
	if err := f.Safe(); err != nil {
		return 0, err
	}
	q := url.Values{"filename": {f.Filename}, "subfolder": {f.Subfolder}}
	if f.Type != "" {
		q.Set("type", f.Type)
	}
	p := "/api/view?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+p, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("comfyui GET /api/view: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, &HTTPError{Method: "GET", Path: "/api/view", Status: resp.StatusCode, Body: string(b)}
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("comfyui download %s: %w", f.Filename, err)
	}
	return n, nil
}

// Upload puts a file into ComfyUI's input folder (used for remote backends,
// for images, audio and video alike). The answer's name is checked.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, overwrite bool) (FileRef, error) {
	if err := (FileRef{Filename: name}).Safe(); err != nil {
		return FileRef{}, err
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("image", name)
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil && overwrite {
			err = mw.WriteField("overwrite", "true")
		}
		if err == nil {
			err = mw.WriteField("type", "input")
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	var out struct {
		Name      string `json:"name"`
		Subfolder string `json:"subfolder"`
		Type      string `json:"type"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/upload/image", pr, mw.FormDataContentType(), &out); err != nil {
		pr.CloseWithError(err)
		return FileRef{}, err
	}
	ref := FileRef{Filename: out.Name, Subfolder: out.Subfolder, Type: out.Type}
	if err := ref.Safe(); err != nil {
		return FileRef{}, err
	}
	return ref, nil
}
