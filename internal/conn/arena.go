package conn

import "asynchttpserver.dev/internal/poller"

// Input memory is write-once. A request's strings (its URL, headers and
// body, as the server hands them to handlers) share the bytes it arrived
// in, so that a request costs no copy; for those strings to be what Go
// promises a string is, immutable, bytes that a request has been parsed
// from are never written again. Concretely:
//
//   - a connection reads only into the free tail of its input buffer,
//     in[len(in):cap(in)], memory nobody has seen;
//   - consumed input, in[:start], is never moved or overwritten: when the
//     buffer is full, the unconsumed rest is copied into a new buffer and
//     the old one is left to the garbage collector, which frees it once no
//     string refers to it;
//   - a buffer never returns to a pool for reuse. Only its untouched tail
//     does: when a connection has consumed all its input (it is idle, or
//     waiting for its handlers) it gives the tail back to the group's
//     arena, and the next connection that reads continues there.
//
// So connections take turns filling one block after another, a block is
// garbage once the requests read into it are, and a string kept forever
// keeps at most its block (blockSize) alive. The cost is a fresh block
// every blockSize bytes of input: for small requests, a fraction of an
// allocation per request.

const (
	// blockSize is the size of the arena's blocks, and of a connection's
	// buffer while one request fits in it.
	blockSize = poller.BufferSize
	// minTail is the smallest tail worth reading into: below it the arena
	// starts a new block rather than hand out a sliver that would cut the
	// next request in two (and cost a copy to join it again).
	minTail = 2 << 10
)

// inputArena hands out unread memory for connections to read into. It
// belongs to one group, and so to one loop: no locking.
type inputArena struct {
	tail []byte // the unused end of the last block given back, len 0
}

// take returns a buffer of length 0 whose whole capacity is unread memory.
func (a *inputArena) take() []byte {
	b := a.tail
	a.tail = nil
	if cap(b) < minTail {
		b = make([]byte, 0, blockSize)
	}
	return b
}

// give takes back the unread tail of b, whose first len(b) bytes have been
// read into (and may be referred to by requests: they are not touched).
// The larger of b's tail and the arena's is kept; buffers grown beyond a
// block are not recycled, so that a small string cannot keep a large
// body's buffer alive.
func (a *inputArena) give(b []byte) {
	if cap(b) > blockSize {
		return
	}
	t := b[len(b):len(b)]
	if cap(t) >= minTail && cap(t) > cap(a.tail) {
		a.tail = t
	}
}
