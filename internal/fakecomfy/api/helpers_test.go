package api

import (
	"context"
	"testing"
	"time"
)

func context2(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), 2*time.Second)
}
