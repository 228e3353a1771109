//go:build e2e

package install

import "os"

// E2ECommitEnv names the commit an end-to-end test binary installs instead
// of ComfyUICommit: the head of the local stand-in ComfyUI repository
// (internal/e2e). Only binaries built with -tags e2e read it.
const E2ECommitEnv = "LTX_E2E_COMFYUI_COMMIT"

// pinnedCommit is ComfyUICommit unless LTX_E2E_COMFYUI_COMMIT is set.
func pinnedCommit() string {
	if v := os.Getenv(E2ECommitEnv); v != "" {
		return v
	}
	return ComfyUICommit
}
