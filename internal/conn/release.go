package conn

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Returning a burst's memory.
//
// Every request leaves garbage behind: its Request, headers and strings
// are fresh memory, so that nothing a handler keeps ever changes. The
// collector lets the heap grow to twice what is live (GOGC=100) before it
// collects, so a burst of connections that then sit idle, the usual shape
// of keep-alive clients, leaves the process at that peak: resident
// memory about twice its idle connections' state. The runtime collects
// an idle process after two minutes, but keeps the freed pages for reuse
// and returns them to the system slowly.
//
// So a loop that has shed the work of many connections and then sees a
// whole sweep period without activity asks the runtime to collect and
// return its free pages now: on a goroutine of its own (a collection takes
// milliseconds, which the loop would otherwise spend not serving), at
// most once per releaseEvery in the process, however many loops ask.
const (
	// releaseAfterSheds is how many connections must have gone idle since
	// the last release: below it the garbage is too little to matter.
	releaseAfterSheds = 1024
	// releaseEvery bounds how often the process collects on its loops'
	// behalf.
	releaseEvery = 10 * time.Second
)

// memoryRelease is process-wide: the heap is.
var memoryRelease struct {
	running atomic.Bool
	last    atomic.Int64 // when the last release began, in time.Since(processStart)
}

var processStart = time.Now()

// releaseMemory starts a release unless one is running or one began less
// than releaseEvery ago. It reports whether it started one.
func releaseMemory() bool {
	now := int64(time.Since(processStart))
	last := memoryRelease.last.Load()
	if last != 0 && now-last < int64(releaseEvery) {
		return false
	}
	if !memoryRelease.running.CompareAndSwap(false, true) {
		return false
	}
	memoryRelease.last.Store(now)
	go func() { // ends when the runtime has returned the pages
		defer memoryRelease.running.Store(false)
		debug.FreeOSMemory()
	}()
	return true
}
