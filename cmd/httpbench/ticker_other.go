//go:build !linux

package main

import "asynchttpserver.dev/internal/poller"

// loopTicker wakes the pacer with one of the loop's own timers. They are
// only as fine as the backend's wait timeout (a millisecond): requests due
// within the same millisecond leave together, and the latency measured
// from their intended send times includes up to a millisecond of that.
// Linux uses a timerfd instead (ticker_linux.go).
type loopTicker struct {
	t poller.Timer
}

func newTicker(l *poller.Loop, period int64, fire func()) (ticker, error) {
	lt := &loopTicker{}
	l.InitTimer(&lt.t, fire)
	return lt, nil
}

// wakeAt implements ticker. The timer fires once; the pacer asks again
// after every wake-up.
func (lt *loopTicker) wakeAt(when int64) {
	if !lt.t.Pending() || lt.t.Deadline() > when {
		lt.t.ResetAt(when)
	}
}

func (lt *loopTicker) stop()   { lt.t.Stop() }
func (lt *loopTicker) close()  {}
func (lt *loopTicker) fd() int { return -1 }
