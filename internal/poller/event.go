package poller

// Event is a set of readiness conditions: what a descriptor is watched for,
// and what the kernel reported.
type Event uint8

const (
	// EventRead means the descriptor can be read without blocking, or that
	// reading will report end of file or an error.
	EventRead Event = 1 << iota
	// EventWrite means the descriptor can be written without blocking, or
	// that writing will report an error.
	EventWrite
)

// A Handler receives the readiness events of a registered descriptor. It
// runs on the loop, so it must not block: do the non-blocking system call
// the event announces and return.
type Handler interface {
	HandleEvent(ev Event)
}

// backend is what the loop needs from the kernel's readiness API: epoll on
// Linux (poller_epoll.go), kqueue on the BSDs and macOS (poller_kqueue.go).
// The loop never names either; it holds the backend of its platform as the
// concrete type osBackend, so these calls are direct, not dynamic.
//
// Both backends are level-triggered (see the package documentation for why).
type backend interface {
	// control moves fd's interest from old to new: 0 → non-zero registers
	// it, non-zero → 0 removes it.
	control(fd int, old, new Event) error
	// wait blocks for up to msec milliseconds (-1: no limit, 0: do not
	// block) and returns how many events are ready. It must not allocate.
	wait(msec int) (int, error)
	// event reports the i-th ready event of the last wait. fd is -1 for the
	// loop's own wake-up, which the backend has already acknowledged.
	event(i int) (fd int, ev Event)
	// wake interrupts a wait in progress, or makes the next one return at
	// once. It is the only method safe to call from any goroutine.
	wake() error
	// close releases the backend's descriptors.
	close() error
}

// Compile-time check that the platform's backend implements the interface.
var _ backend = (*osBackend)(nil)
