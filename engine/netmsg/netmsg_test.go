package netmsg

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUnreachableWords(t *testing.T) {
	op := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	for _, tt := range []struct {
		err  error
		wait time.Duration
		want string
	}{
		{op(&net.DNSError{Err: "no such host", Name: "gpu-box", IsNotFound: true}), 0, "the name gpu-box was not found"},
		{op(&net.DNSError{Err: "server misbehaving", Name: "gpu-box", IsTemporary: true}), 0, "could not be looked up"},
		{op(os.NewSyscallError("connect", syscall.ECONNREFUSED)), 0, "nothing is listening on that port"},
		{context.DeadlineExceeded, 5 * time.Second, "no answer within 5s"},
		{context.DeadlineExceeded, 0, "no answer in time"},
		{op(os.NewSyscallError("connect", syscall.ENETUNREACH)), 0, "no network route"},
		{op(errors.New("something odd")), 0, "something odd"},
	} {
		got := Unreachable(tt.err, "gpu-box", tt.wait)
		if !strings.Contains(got, tt.want) || strings.Contains(got, "dial tcp") {
			t.Errorf("%v: %q, want %q", tt.err, got, tt.want)
		}
	}
}
