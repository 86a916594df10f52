package conn

import (
	"runtime"
	"testing"
)

// TestSweepReleasesMemoryAfterABurst: a sweep that finds every connection
// idle after enough sheds has the runtime return memory, once; a sweep
// that finds a connection busy, or too few sheds, does not.
func TestSweepReleasesMemoryAfterABurst(t *testing.T) {
	for memoryRelease.running.Load() { // one an earlier test started
		runtime.Gosched()
	}
	memoryRelease.last.Store(0) // as if none had run in this process
	hs := newHarness(t, Config{}, hello)
	hs.send(get("/"))
	hs.response("GET")

	hs.g.sheds = releaseAfterSheds - 2                          // the sweep sheds one more: the connection
	hs.conn().lastActive = hs.l.Nanotime() - 2*int64(shedAfter) // idle for longer than a sweep period
	hs.g.sweep()
	if memoryRelease.last.Load() != 0 {
		t.Fatal("released memory after fewer sheds than releaseAfterSheds")
	}

	hs.g.sheds = releaseAfterSheds
	hs.conn().lastActive = hs.l.Nanotime() // active within the period
	hs.g.sweep()
	if memoryRelease.last.Load() != 0 {
		t.Fatal("released memory while a connection was active")
	}

	hs.conn().lastActive = hs.l.Nanotime() - 2*int64(shedAfter)
	hs.g.sweep()
	if memoryRelease.last.Load() == 0 || hs.g.sheds != 0 {
		t.Fatalf("no release after a burst gone quiet (sheds %d)", hs.g.sheds)
	}
	// A second burst within releaseEvery waits for the next sweep after it.
	hs.g.sheds = releaseAfterSheds
	if releaseMemory() {
		t.Fatal("released twice within releaseEvery")
	}
}

// TestStealTakesOnlyFromLongIdleConnections: a connection that needs work
// when none is free takes it from one idle for stealAfter, never from one
// merely between two requests (keep-alive clients under load would pass
// their work round, shedding it every request).
func TestStealTakesOnlyFromLongIdleConnections(t *testing.T) {
	hs := newHarness(t, Config{}, hello)
	hs.send(get("/"))
	hs.response("GET")
	c := hs.conn()
	hs.g.works = nil // none free
	hs.g.steal()
	if c.work == nil {
		t.Fatal("took the work of a connection idle for less than stealAfter")
	}
	c.lastActive = hs.l.Nanotime() - int64(stealAfter)
	hs.g.steal()
	if c.work != nil {
		t.Fatal("kept the work of a connection idle for stealAfter")
	}
}
