package poller

import "fmt"

// The loop's owner: the thread (or, where the OS gives no cheap thread
// identity, the goroutine) that drives it. Operations that touch the loop's
// unlocked state check it, so that a call from another goroutine refuses
// loudly instead of corrupting the loop; Post is the way in from outside.
//
// The driving goroutine is locked to its OS thread while it runs the loop
// (enter), and a locked thread runs no other goroutine, so "the caller runs
// on the owner thread" means "the caller is the loop's goroutine".

// OnLoop reports whether the caller may use the loop's unlocked state: it
// is the goroutine driving the loop, or no goroutine drives the loop at all
// (setting up before Run, as a program's main does).
func (l *Loop) OnLoop() bool {
	o := l.owner.Load()
	return o == 0 || o == callerID()
}

// Driving reports whether the caller is the goroutine driving the loop
// right now (unlike OnLoop, false while nobody drives it): code that is
// about to block waiting for the loop asks this first.
func (l *Loop) Driving() bool {
	o := l.owner.Load()
	return o != 0 && o == callerID()
}

// completer says how a completion from the caller reaches the loop's
// state: directly (the caller drives the loop), directly while holding
// l.between (nobody drives it: a goroutine finishing its work after
// WaitFor returned, or main before Run), or through Post (another
// goroutine drives it). Holding l.between, which enter and exit take too,
// orders such a completion before the next driver's first look at the
// queue and after the last driver's last: without it, a goroutine's
// completion between two drivers raced with the next one.
type completer uint8

const (
	completeDirect completer = iota
	completeHeld             // l.between is held: the caller unlocks it
	completePost
)

func (l *Loop) completer() completer {
	switch o := l.owner.Load(); {
	case o == 0:
		l.between.Lock()
		if l.owner.Load() == 0 {
			return completeHeld
		}
		l.between.Unlock()
		return completePost // a driver came in meanwhile
	case o == callerID():
		return completeDirect
	}
	return completePost
}

// MustBeOnLoop panics, naming what was called, when the caller may not use
// the loop's unlocked state (see OnLoop).
func (l *Loop) MustBeOnLoop(what string) {
	if !l.OnLoop() {
		panic(fmt.Sprintf("%s called from a goroutine other than its loop's: "+
			"call it in a handler or callback, or hand it to the loop with Post", what))
	}
}
