package modeform

import "errors"

var errNoProber = errors.New("file checking is not available in this build")
