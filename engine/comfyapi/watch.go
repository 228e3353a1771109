package comfyapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// handshake is the first frame we send: it asks for code-4 previews, which
// carry the prompt and node ids (comfyui-api.md §3.3).
const handshake = `{"type":"feature_flags","data":{"supports_preview_metadata":true}}`

// ErrWatcherClosed is returned by Next after Close or once ctx ended.
var ErrWatcherClosed = errors.New("comfyui event watcher closed")

// WatchOptions tune reconnecting. Zero values pick sensible defaults.
type WatchOptions struct {
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger
}

// Watcher reads ComfyUI's WebSocket in one goroutine and reconnects when it
// drops. Events arrive in order through Next; Connected/Disconnected mark
// the gaps, during which ComfyUI drops events (use History to catch up).
type Watcher struct {
	c      *Client
	opt    WatchOptions
	events chan Event
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// Watch opens the socket (the first dial must work) and keeps it open until
// ctx ends or Close is called.
func (c *Client) Watch(ctx context.Context, opt WatchOptions) (*Watcher, error) {
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 100 * time.Millisecond
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 2 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{c: c, opt: opt, events: make(chan Event, 256), cancel: cancel, done: make(chan struct{})}
	go w.run(ctx, conn)
	return w, nil
}

func (c *Client) wsURL() (string, error) {
	u, err := url.Parse(c.base)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/ws"
	u.RawQuery = url.Values{"clientId": {c.clientID}}.Encode()
	return u.String(), nil
}

func (c *Client) dial(ctx context.Context) (*websocket.Conn, error) {
	u, err := c.wsURL()
	if err != nil {
		return nil, fmt.Errorf("comfyui websocket address: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: c.http})
	if err != nil {
		shown := c.base
		if pu, perr := url.Parse(c.base); perr == nil {
			shown = pu.Redacted() // messages are logged; a proxy password is not
		}
		return nil, fmt.Errorf("connect to comfyui events at %s: %w", shown, err)
	}
	conn.SetReadLimit(64 << 20) // preview frames are JPEGs of up to 512 px
	if err := conn.Write(dctx, websocket.MessageText, []byte(handshake)); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("comfyui websocket handshake: %w", err)
	}
	return conn, nil
}

// run owns the connection. It exits when ctx ends, closing the channel.
func (w *Watcher) run(ctx context.Context, conn *websocket.Conn) {
	defer close(w.done)
	defer close(w.events)
	reconnect := false
	for {
		if !w.emit(ctx, Connected{Reconnect: reconnect}) {
			conn.CloseNow()
			return
		}
		err := w.read(ctx, conn)
		conn.CloseNow()
		if ctx.Err() != nil {
			return
		}
		w.opt.Logger.Warn("comfyui websocket dropped", "url", w.c.base, "err", err)
		if !w.emit(ctx, Disconnected{Err: err}) {
			return
		}
		conn = w.redial(ctx)
		if conn == nil {
			return
		}
		reconnect = true
	}
}

func (w *Watcher) read(ctx context.Context, conn *websocket.Conn) error {
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var ev Event
		if typ == websocket.MessageBinary {
			ev, err = DecodeBinary(data)
		} else {
			ev, err = DecodeText(data)
		}
		if err != nil {
			w.opt.Logger.Warn("comfyui frame skipped", "err", err)
			continue
		}
		if !w.emit(ctx, ev) {
			return ctx.Err()
		}
	}
}

func (w *Watcher) redial(ctx context.Context) *websocket.Conn {
	backoff := w.opt.MinBackoff
	for {
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		conn, err := w.c.dial(ctx)
		if err == nil {
			return conn
		}
		backoff = min(backoff*2, w.opt.MaxBackoff)
	}
}

func (w *Watcher) emit(ctx context.Context, ev Event) bool {
	select {
	case w.events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// Events is the channel Next reads; it is closed when the watcher stops.
func (w *Watcher) Events() <-chan Event { return w.events }

// Next waits for the next event. It returns ctx.Err() when ctx ends and
// ErrWatcherClosed once the watcher has stopped.
func (w *Watcher) Next(ctx context.Context) (Event, error) {
	select {
	case ev, ok := <-w.events:
		if !ok {
			return nil, ErrWatcherClosed
		}
		return ev, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the watcher and waits for its goroutine; safe to call twice.
func (w *Watcher) Close() {
	w.once.Do(w.cancel)
	<-w.done
}
