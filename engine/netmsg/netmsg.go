// Package netmsg words network failures for people: why a host could not be
// reached, never Go's "dial tcp …: lookup …" text. The CLI, the setup and
// the job engine all say it the same way.
package netmsg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// Unreachable words a network error for a person: why host could not be
// reached, never Go's "dial tcp …: lookup …" text. wait is the deadline that
// ran out, when known (0: not known).
func Unreachable(err error, host string, wait time.Duration) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Sprintf("the name %s was not found (is it spelled right, and is this machine online?)", host)
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %s could not be looked up (no network connection, or no DNS server answers)", host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing is listening on that port (is the server running, on that port?)"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		within := "in time"
		if wait > 0 {
			within = "within " + wait.String()
		}
		return "no answer " + within + " (is the machine on, and does its firewall let the port through?)"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return "there is no network route to it (no network connection?)"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "the connection was closed by the other side"
	}
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Err != nil {
		return ne.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
