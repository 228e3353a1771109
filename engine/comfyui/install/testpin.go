//go:build !e2e

package install

// pinnedCommit is the ComfyUI commit an install uses when the config names
// none. Release builds always get ComfyUICommit; only binaries built with
// -tags e2e may take another one (testpin_e2e.go).
func pinnedCommit() string { return ComfyUICommit }
