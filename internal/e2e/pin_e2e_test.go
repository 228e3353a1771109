//go:build e2e

package e2e

// e2eBuild: built with -tags e2e, the installer takes its pin from
// LTX_E2E_COMFYUI_COMMIT, and the chain test relies on that.
const e2eBuild = true
