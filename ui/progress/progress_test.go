package progress

import (
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

func TestFormatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{StepText(12, 30), "step 12/30"},
		{StepText(0, 0), ""},
		{TimeText(65*time.Second, 130*time.Second), "elapsed 1:05 · about 2:10 left"},
		{TimeText(3*time.Second, 0), "elapsed 0:03"},
		{Clock(3723 * time.Second), "1:02:03"},
		{MissingText(Missing{Files: 2, Bytes: 27_100_000_000}), "needs 2 model files, 27.1 GB"},
		{MissingText(Missing{Files: 1, Bytes: 512}), "needs 1 model file, 512 B"},
		{Bytes(1_500_000), "1.5 MB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPanelStates(t *testing.T) {
	test.NewTempApp(t)
	cancelled, downloads := 0, 0
	p := New(func() { cancelled++ })
	w := test.NewTempWindow(t, p.Content())
	w.Resize(fyne.NewSize(520, 320))

	p.ShowMissing(Missing{Files: 2, Bytes: 27_100_000_000}, func() { downloads++ })
	if !p.Waiting() || p.waitMsg.Text != "needs 2 model files, 27.1 GB" {
		t.Fatalf("waiting state: %v %q", p.Waiting(), p.waitMsg.Text)
	}
	shot(t, w, "progress-waiting.png")
	test.Tap(p.download)
	test.Tap(p.download)
	if downloads != 1 {
		t.Fatalf("Download forwarded %d times for two taps, want once", downloads)
	}

	done := make(chan struct{})
	go func() { // engine events arrive off the UI goroutine
		p.Update(Update{Stage: "Sampling (stage 1)", Percent: 0.42, Step: 12, Steps: 30, Elapsed: 65 * time.Second, ETA: 90 * time.Second})
		img := image.NewRGBA(image.Rect(0, 0, 64, 36))
		for i := range img.Pix {
			img.Pix[i] = 0x80
		}
		img.Set(3, 3, color.White)
		p.SetPreview(img)
		close(done)
	}()
	<-done
	if p.Waiting() || p.stage.Text != "Sampling (stage 1)" || p.steps.Text != "step 12/30" ||
		p.bar.Value != 0.42 || p.times.Text != "elapsed 1:05 · about 1:30 left" || !p.preview.Visible() {
		t.Fatalf("running state wrong: %q %q %v %q", p.stage.Text, p.steps.Text, p.bar.Value, p.times.Text)
	}
	shot(t, w, "progress-running.png")
	test.Tap(p.cancel)
	if cancelled != 1 {
		t.Fatal("Cancel not forwarded")
	}
	p.Reset()
	if p.preview.Visible() || p.bar.Value != 0 || p.steps.Text != "" {
		t.Fatal("Reset must clear the panel")
	}
}
