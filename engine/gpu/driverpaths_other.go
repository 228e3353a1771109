//go:build !windows

package gpu

// smiFallbacks: Linux drivers put nvidia-smi in /usr/bin, which is on PATH.
func smiFallbacks() []string { return nil }
