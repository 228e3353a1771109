//go:build !windows

package winconsole

// AttachParent does nothing outside Windows: programs there always keep the
// streams they were started with.
func AttachParent() error { return nil }
