package poller

import (
	"net/netip"
	"testing"
	"time"
)

// newTestLoop returns a loop that is closed when the test ends.
func newTestLoop(t testing.TB) *Loop {
	t.Helper()
	l, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// waitFor polls l until f finishes, failing the test if that takes longer
// than limit. The limit is a guard against hangs, not a synchronisation.
func waitFor(t testing.TB, f *Future, limit time.Duration) {
	t.Helper()
	ok, err := WaitForValue(WithTimeout(f, limit))
	if err != nil {
		t.Fatalf("future failed: %v", err)
	}
	if !ok {
		t.Fatalf("future did not finish within %v", limit)
	}
}

var netipZero netip.AddrPort
