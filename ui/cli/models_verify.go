package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/download"
)

// modelsVerify is `models verify` and `models repair`: every downloaded file
// is read in full and its hash compared with the one the hub published.
func modelsVerify(ctx context.Context, w io.Writer, st *models.Store, refs []models.Ref, scope string, repair bool) error {
	fmt.Fprintf(w, "Verifying the downloaded model files for %s (Ctrl-C stops; nothing is changed by verify)\n", scope)
	var last time.Time
	shown := false
	verifying := func(p models.VerifyProgress) {
		if time.Since(last) < 200*time.Millisecond && p.AllDone < p.AllTotal {
			return
		}
		last = time.Now()
		pct := 100.0
		if p.AllTotal > 0 {
			pct = 100 * float64(p.AllDone) / float64(p.AllTotal)
		}
		fmt.Fprintf(w, "\r[%3.0f%%] %s/%s hashing %s   ", pct, download.HumanBytes(p.AllDone), download.HumanBytes(p.AllTotal), p.File.Name)
		shown = true
	}
	endLine := func() {
		if shown {
			fmt.Fprintln(w)
			shown = false
		}
	}
	var res []models.VerifyResult
	var err error
	if repair {
		var fetchLast time.Time
		res, err = st.Repair(ctx, refs, verifying, func(p models.Progress) {
			switch p.Phase {
			case models.PhaseDownloading, models.PhaseVerifying:
				if time.Since(fetchLast) >= 200*time.Millisecond {
					fetchLast = time.Now()
					fmt.Fprintf(w, "\r%s", modelsProgressLine(p))
					shown = true
				}
			case models.PhaseDone:
				endLine()
				fmt.Fprintf(w, "✓ fetched again: %s (%s)\n", p.File, download.HumanBytes(p.Total))
			case models.PhaseFailed:
				endLine()
				fmt.Fprintf(w, "✗ %s: %v\n", p.File, p.Err)
			}
		})
	} else {
		res, err = st.Verify(ctx, refs, verifying)
	}
	endLine()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "Stopped.")
		return err
	}
	counts := map[models.VerifyState]int{}
	var damaged []string
	for _, r := range res {
		counts[r.State]++
		switch r.State {
		case models.VerifyOK:
			fmt.Fprintf(w, "✓ %s (%s)\n", r.File, download.HumanBytes(r.Size))
		case models.VerifyDamaged:
			fmt.Fprintf(w, "✗ %s DAMAGED: %s\n", r.File, r.Detail)
			damaged = append(damaged, r.File.String())
		case models.VerifyUnverifiable:
			fmt.Fprintf(w, "? %s: %s\n", r.File, r.Detail)
		}
	}
	fmt.Fprintf(w, "%d verified, %d damaged, %d without a published hash, %d not downloaded (see `models status`)\n",
		counts[models.VerifyOK], counts[models.VerifyDamaged], counts[models.VerifyUnverifiable], counts[models.VerifyMissing])
	if len(damaged) == 0 {
		return err
	}
	if repair {
		if err == nil {
			fmt.Fprintf(w, "Repaired: %s\n", strings.Join(damaged, ", "))
		}
		return err
	}
	return errors.Join(err, fmt.Errorf("%d damaged file(s): %s; run `ltx-studio models repair` to download them again",
		len(damaged), strings.Join(damaged, ", ")))
}
