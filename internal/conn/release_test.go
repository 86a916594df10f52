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
