package jobs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// hugePNG writes a real PNG header claiming w×h pixels.
func hugePNG(t *testing.T, w, h uint32) string {
	be := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	chunk := func(typ string, data []byte) []byte {
		body := append([]byte(typ), data...)
		return bytes.Join([][]byte{be(uint32(len(data))), body, be(crc32.ChecksumIEEE(body))}, nil)
	}
	ihdr := bytes.Join([][]byte{be(w), be(h), {8, 6, 0, 0, 0}}, nil)
	p := filepath.Join(t.TempDir(), "huge.png")
	os.WriteFile(p, bytes.Join([][]byte{[]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr), chunk("IEND", nil)}, nil), 0o644)
	return p
}

// The limit is the engine's, so the CLI and the window both meet it before
// anything is queued.
func TestHugeImageIsRefusedAtSubmit(t *testing.T) {
	e := newEngine(t, t.TempDir(), Backend{Name: "local", URL: "http://127.0.0.1:1"})
	f := form("a cat")
	f.Mode, f.Media = workflows.I2V, map[string]string{"image": hugePNG(t, 12000, 12000)}
	_, err := e.Submit(f)
	var fe workflows.FieldError
	if !errors.As(err, &fe) || fe.Field != "media.image" || !strings.Contains(fe.Msg, "12000×12000") {
		t.Fatalf("err = %v", err)
	}
	if len(e.Jobs()) != 0 {
		t.Error("the job was queued")
	}
}
