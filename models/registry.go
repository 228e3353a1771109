// Package models owns the weights: which files the workflows can name and
// where they come from (the registry), where they are (the Hugging Face
// cache), fetching the missing ones (download) and making ComfyUI see them
// (link). The Store ties these together behind Plan and Ensure.
package models

import (
	"fmt"
	"path"
)

// Ref names a model file as a graph uses it. It mirrors workflows.ModelRef
// (kept separate so models does not import workflows).
type Ref struct {
	Folder string // ComfyUI models sub-folder: "checkpoints", "loras", …
	Name   string // file name in that folder
}

func (r Ref) String() string { return r.Folder + "/" + r.Name }

// File is a registry entry: where one graph-visible file comes from.
type File struct {
	Repo       string // Hugging Face repo id, org/name
	Revision   string // branch followed until pinned by the lock file ("main")
	PathInRepo string
	Folder     string
	Name       string
	// Size and SHA256 only where truly known (none are yet: the hub is not
	// reachable from where this was written, so the lock file records them on
	// the first successful resolve instead).
	Size   int64
	SHA256 string
	Gated  bool // needs a token and an accepted licence
}

// Ref is the graph-side name of f.
func (f File) Ref() Ref { return Ref{Folder: f.Folder, Name: f.Name} }

// Key identifies f in the lock file.
func (f File) Key() string { return f.Repo + "@" + f.Revision + ":" + f.PathInRepo }

// Registry is one model generation's file list.
type Registry struct {
	Version string
	Files   []File
}

// Lookup finds the file a graph calls folder/name.
func (r Registry) Lookup(folder, name string) (File, bool) {
	for _, f := range r.Files {
		if f.Folder == folder && f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Refs lists every file of the registry as graph refs.
func (r Registry) Refs() []Ref {
	out := make([]Ref, len(r.Files))
	for i, f := range r.Files {
		out[i] = f.Ref()
	}
	return out
}

// Lookup finds folder/name in the current registry (LTX23).
func Lookup(folder, name string) (File, bool) { return LTX23().Lookup(folder, name) }

func hf(repo, p, folder string) File {
	return File{Repo: repo, Revision: "main", PathInRepo: p, Folder: folder, Name: path.Base(p)}
}

// LTX23 is the LTX-2.3 registry: every file the six workflows can name, each
// with the official URL recorded in official_urls.json (repository, path and
// commit of the page that lists it; official_test.go keeps the two in step).
// Both releases of the distilled files are kept (1.0 and Lightricks' 1.1): the
// settings choose, so an install holding the 1.0 files is never sent a silent
// re-download. A new generation (LTX-2.5) gets its own function.
func LTX23() Registry {
	const (
		ltx    = "Lightricks/LTX-2.3"
		ltxFP8 = "Lightricks/LTX-2.3-fp8"
		comfy  = "Comfy-Org/ltx-2"
	)
	files := []File{
		hf(ltx, "ltx-2.3-22b-dev.safetensors", "checkpoints"),
		hf(ltx, "ltx-2.3-22b-distilled.safetensors", "checkpoints"),
		hf(ltx, "ltx-2.3-22b-distilled-1.1.safetensors", "checkpoints"),
		hf(ltxFP8, "ltx-2.3-22b-dev-fp8.safetensors", "checkpoints"),
		hf(ltxFP8, "ltx-2.3-22b-distilled-fp8.safetensors", "checkpoints"),
		hf(ltx, "ltx-2.3-22b-distilled-lora-384.safetensors", "loras"),
		hf(ltx, "ltx-2.3-22b-distilled-lora-384-1.1.safetensors", "loras"),
		hf("Lightricks/LTX-2.3-22b-IC-LoRA-Union-Control", "ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors", "loras"),
		hf(ltx, "ltx-2.3-spatial-upscaler-x2-1.0.safetensors", "latent_upscale_models"),
		hf(ltx, "ltx-2.3-spatial-upscaler-x2-1.1.safetensors", "latent_upscale_models"),
		hf(comfy, "split_files/text_encoders/gemma_3_12B_it.safetensors", "text_encoders"),
		hf(comfy, "split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors", "text_encoders"),
		// Comfy-Org's video_ltx2_3_ic_lora template fetches MoGe from this folder.
		hf("Comfy-Org/MoGe", "geometry_estimation/moge_2_vitl_normal_fp16.safetensors", "geometry_estimation"),
	}
	// Camera LoRAs: one repo per movement, as ComfyUI-LTXVideo's README lists
	// them. LTX-2 (19B) files: no graph loads them (camera is prompt wording).
	for _, mv := range []struct{ file, repo string }{
		{"dolly-in", "Dolly-In"}, {"dolly-out", "Dolly-Out"}, {"dolly-left", "Dolly-Left"},
		{"dolly-right", "Dolly-Right"}, {"jib-up", "Jib-Up"}, {"jib-down", "Jib-Down"}, {"static", "Static"},
	} {
		files = append(files, hf("Lightricks/LTX-2-19b-LoRA-Camera-Control-"+mv.repo,
			fmt.Sprintf("ltx-2-19b-lora-camera-control-%s.safetensors", mv.file), "loras"))
	}
	return Registry{Version: "ltx-2.3", Files: files}
}

// URL is the file's download address on the hub (the form official_urls.json
// records).
func (f File) URL() string {
	return "https://huggingface.co/" + f.Repo + "/resolve/" + f.Revision + "/" + f.PathInRepo
}
