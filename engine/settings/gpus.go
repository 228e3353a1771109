package settings

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// GPUChoice is Settings → "GPUs to use": the indices (as nvidia-smi numbers
// them) of the GPUs that each get a managed ComfyUI. Empty means automatic:
// every GPU found at start that can run a mode at fp8.
type GPUChoice []int

// GPUsAll is how the automatic choice is written in the window and the CLI.
const GPUsAll = "all"

// ParseGPUChoice reads "all" (or nothing) or GPU numbers like "0, 2".
func ParseGPUChoice(text string) (GPUChoice, error) {
	text = strings.TrimSpace(text)
	if text == "" || strings.EqualFold(text, GPUsAll) || strings.EqualFold(text, "auto") {
		return nil, nil
	}
	var out GPUChoice
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("GPUs to use must be %q or GPU numbers like 0,1 (%q is not one)", GPUsAll, f)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// String writes the choice the way ParseGPUChoice reads it.
func (g GPUChoice) String() string {
	if len(g) == 0 {
		return GPUsAll
	}
	parts := make([]string, len(g))
	for i, n := range g {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// validate reports negative or repeated GPU numbers.
func (g GPUChoice) validate() error {
	for i, n := range g {
		if n < 0 {
			return errors.New("GPU numbers start at 0")
		}
		if slices.Contains(g[:i], n) {
			return fmt.Errorf("GPU %d is listed twice in GPUs to use", n)
		}
	}
	return nil
}

// ChosenGPUs is the GPU choice in force: the setting, else the older single
// "GPU index" when it named a GPU other than the first, else automatic (nil).
func (s Settings) ChosenGPUs() GPUChoice {
	if len(s.GPUs) > 0 {
		return s.GPUs
	}
	if s.GPUIndex > 0 {
		return GPUChoice{s.GPUIndex}
	}
	return nil
}
