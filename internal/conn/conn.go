package conn

import (
	"io"
	"sync/atomic"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Handler serves requests. Serve runs on the loop once per request, in
// request order, when the request's head and body have arrived; it must
// not block. It answers through the exchange (Claim, Commit), now or
// later, from any goroutine, and calls HandlerDone on the loop once the
// handler has finished.
//
// When Config.StreamBodies is set, StreamBody is asked, for every request
// with a body, as soon as its head is complete: true dispatches the
// request at once (Serve runs then), and its handler reads the body in
// pieces (ReadBody); false reads the body whole first, as usual.
type Handler interface {
	Serve(x *Exchange)
	StreamBody(x *Exchange) bool
}

// Conn is one client connection: a state machine driven by its socket's
// readiness, its timer and responses committed from anywhere.
//
// Input lands in a buffer from the group's arena; requests are parsed in
// place and dispatched in order; responses are written in request order
// into the socket's output buffer and flushed once per batch, so the
// responses to a pipelined burst leave in one write.
//
// What a connection keeps for life is small: its socket, its timer, its
// place in the group. Everything it needs only while it has work (input
// being read or parsed, requests in flight, output waiting for the
// client, a lingering close) is its work, borrowed from the group when
// work arrives and given back when the connection is idle again, so that
// an idle keep-alive connection costs a few hundred bytes.
type Conn struct {
	g      *Group
	s      poller.Socket
	peerIP string
	prev   *Conn // the group's list
	next   *Conn
	*work            // nil while idle (see work)
	free   *Exchange // released exchanges, for the connection's next requests

	input      input       // where reading requests is (see input)
	closing    closeMode   // what happens once the output is out
	eof        bool        // the peer has shut its write side
	closed     bool        // closed: nothing more happens
	handedOver bool        // an upgrade handler owns the socket now
	posted     atomic.Bool // a Run is queued on the loop
	watching   int32       // exchanges in flight with a Watch: a stopped connection still reads, to see the client go

	timer      poller.Timer
	lastActive int64 // the end of the last batch of work: the idle clock's start
}

// work is the state of a connection that has something to do. The group
// keeps released ones for reuse, their parser and decoder initialised.
type work struct {
	in    []byte // input: in[start:] is not yet consumed; in[:start] is never written again
	start int

	p       parser.Parser
	chunked parser.ChunkedDecoder
	cur     *Exchange // the request being read (input inHead, inBody, inStream)
	backlog bool      // process stopped at the back-pressure mark

	queue      exchangeQueue // dispatched, response not yet written; head first
	pendingErr *parser.Error // to answer once the queue is written, then close

	firstByte    int64  // when cur's first byte arrived, if its head is incomplete (else 0)
	bodyProgress int64  // when cur's body last made progress, while it is incomplete (else 0)
	writeSince   int64  // when output started waiting for the peer
	written      uint64 // the socket's byte count at writeSince
	lingerEnd    int64
}

// busy gives the connection its work, borrowed from the group, if it has
// none: work has arrived.
func (c *Conn) busy() {
	if c.work == nil {
		c.work = c.g.getWork()
	}
}

// isIdle reports whether the connection has nothing to do: no input, nothing
// in flight, no output waiting, no close under way.
func (c *Conn) isIdle() bool {
	w := c.work
	return w == nil || w.start == len(w.in) && w.cur == nil && w.queue.n == 0 && w.pendingErr == nil &&
		c.closing == closeNone && c.s.Pending() == 0
}

// shed gives the work of an idle connection back to the group. The group
// sheds connections idle for a while (Group.shed), not at once: a
// keep-alive connection between two requests would give its work back and
// borrow it again for every request.
func (c *Conn) shed() {
	w := c.work
	c.g.arena.give(w.in)
	w.in, w.start = nil, 0
	c.work = nil
	c.g.putWork(w)
	c.g.sheds++
	c.free = nil // (each kept its generation: stale handles of theirs are refused either way)
}

// exchangeQueue is a FIFO of exchanges linked through Exchange.next.
type exchangeQueue struct {
	head, tail *Exchange
	n          int
}

func (q *exchangeQueue) push(x *Exchange) {
	x.next = nil
	if q.tail == nil {
		q.head = x
	} else {
		q.tail.next = x
	}
	q.tail = x
	q.n++
}

func (q *exchangeQueue) pop() *Exchange {
	x := q.head
	q.head = x.next
	if q.head == nil {
		q.tail = nil
	}
	x.next = nil
	q.n--
	return x
}

// Readable implements poller.Owner: the client sent something (or left).
func (c *Conn) Readable() {
	if !c.closed {
		c.onReadable()
	}
}

// Drained implements poller.Owner: output that waited for the client is
// out (or failed).
func (c *Conn) Drained() { c.onDrained() }

// Run implements poller.Runner: a response committed off the loop, or
// outside a handler, is written from here.
func (c *Conn) Run() {
	c.posted.Store(false)
	if c.closed {
		return
	}
	if c.work == nil { // idle: what was scheduled is done, but a close asked for
		if c.closing != closeNone {
			c.close()
		}
		return
	}
	if c.input == inStream && c.cur.in.fut != nil {
		c.process() // a streamed body's handler asked for more
	}
	c.advance()
	c.endBatch()
}

// noticeResponse makes sure the loop writes x's response. During Serve the
// loop looks at x itself when Serve returns; at any other time, and from
// any goroutine, the connection is posted to the loop (once, however many
// responses arrive before it runs).
func (c *Conn) noticeResponse(x *Exchange) {
	if x.inHandler.Load() {
		return
	}
	c.schedule()
}

// schedule makes the loop run the connection (Run) soon: to write a
// response committed outside a batch of the connection's own, or to
// advance past a streamed body that ended. Safe from any goroutine; a
// connection is queued once however often it is scheduled.
func (c *Conn) schedule() {
	if c.posted.CompareAndSwap(false, true) {
		c.g.loop.PostRunner(c)
	}
}

func (c *Conn) onReadable() {
	if c.input >= inStopped || c.closing != closeNone {
		switch {
		case c.input == inLinger:
			c.discardInput()
		case c.watching > 0 && c.closing == closeNone:
			c.probe()
		default:
			c.updateReading()
		}
		return
	}
	c.busy()
	w := c.work
	if x := w.cur; c.input == inStream {
		if c.bodyWindowFull() {
			c.updateReading()
			return
		}
		if c.readBodyDirect(x) {
			return
		}
	}
	if c.overloaded() {
		c.updateReading()
		return
	}
	if !c.makeRoom() {
		return
	}
	n, err := c.s.Read(w.in[len(w.in):cap(w.in)])
	switch {
	case err == poller.ErrWouldBlock:
		return
	case err == io.EOF:
		c.peerEOF()
		return
	case err != nil:
		c.close()
		return
	}
	w.in = w.in[:len(w.in)+n]
	if c.input == inBody || c.input == inStream {
		w.bodyProgress = c.g.loop.Nanotime() // BodyTimeout measures progress
	}
	c.process()
	c.endBatch()
}

// process parses and dispatches every complete request in the buffer, or
// as many as back-pressure allows: it stops while the connection is
// overloaded (see overloaded), leaving the rest in the buffer for endBatch
// to resume once the output has drained. A body streamed to its handler
// is delivered as the handler reads it; the requests after it wait.
func (c *Conn) process() {
	for c.input < inStopped && !c.closed {
		if c.input == inStream {
			x := c.cur
			if !c.feedBody(x) {
				return
			}
			c.endStreamedBody(x)
			continue
		}
		if c.start >= len(c.in) {
			return
		}
		if c.overloaded() {
			c.backlog = true
			return
		}
		x := c.cur
		if c.input == inIdle {
			x = c.newExchange()
			c.cur, c.input = x, inHead
		}
		if c.input == inHead {
			n, err := c.p.Parse(c.in[c.start:], &x.Head)
			if err != nil {
				c.reject(err.(*parser.Error))
				return
			}
			if n == 0 {
				// The head is incomplete: its timeout starts now, in the
				// batch of its first byte. (Stamped only here, so that the
				// usual head, complete in one read, costs no clock read.)
				if c.firstByte == 0 {
					c.firstByte = c.g.loop.Nanotime()
				}
				return
			}
			c.input = inBody
			x.wireLen = n
			if c.g.cfg.StreamBodies && hasBody(x) && !isUpgrade(x) {
				end := c.start + n
				x.buf = c.in[c.start:end:end] // the head, for StreamBody to read
				if c.g.h.StreamBody(x) {
					c.startStreamedBody(x)
					continue
				}
			}
			if x.Head.ContentLength > c.g.cfg.Limits.MaxBody {
				c.reject(errBodyTooLarge) // (the parser checks this unless bodies may stream)
				return
			}
			c.beginBody(x)
		}
		if !c.readBody(x) {
			return
		}
		c.finishRequest(x)
	}
}

// finishRequest turns the complete request cur into a dispatched exchange.
func (c *Conn) finishRequest(x *Exchange) {
	c.cur, c.input = nil, inIdle
	c.firstByte, c.bodyProgress = 0, 0
	end := c.start + x.wireLen
	x.buf = c.in[c.start:end:end]
	c.start = end
	if x.Head.Close {
		c.stop()
	}
	c.queue.push(x)
	x.setPhase(xDispatched)
	if isUpgrade(x) {
		// Bytes after an upgrade request belong to the new protocol.
		c.stop()
		if c.queue.head != x {
			x.waiting = true // dispatched by advance once it is head-of-line
			return
		}
	}
	c.serve(x)
}

// serve hands x to the handler (or answers it directly), then writes
// whatever responses are ready.
func (c *Conn) serve(x *Exchange) {
	// Every method reaches the handler, extension methods too (QUERY,
	// PROPFIND...): the handler, not the server, knows which it
	// implements, and answers 405 or 501 (RFC 9110 §9.1, §15.5.6, §15.6.2).
	switch {
	case isUpgrade(x):
		c.prepareUpgrade(x)
		fallthrough
	default:
		if c.g.cfg.HandlerTimeout > 0 {
			x.dispatchedAt = c.g.loop.Nanotime()
		}
		x.inHandler.Store(true)
		c.g.h.Serve(x)
		x.inHandler.Store(false)
	}
	c.advance()
}

// answer responds to x from the connection itself, unless it has been
// answered meanwhile.
func (c *Conn) answer(x *Exchange, code int, content string) {
	gen := x.Gen()
	if x.Claim(gen) == nil {
		x.Fields = x.Fields[:0]
		x.Commit(gen, code, content)
	}
}

func isUpgrade(x *Exchange) bool {
	if !x.Head.Upgrade {
		return false
	}
	_, ok := x.Head.Lookup(x.buf, "Upgrade")
	return ok
}

// newExchange returns one of the connection's released exchanges, or a new
// one. An exchange stays with its connection for life, so that what a
// handler may read of it from any goroutine (its connection's address, its
// loop) never changes under it; a connection that sheds its work drops its
// released exchanges too.
func (c *Conn) newExchange() *Exchange {
	x := c.free
	if x == nil {
		return &Exchange{conn: c, g: c.g}
	}
	c.free = x.next
	x.next = nil
	return x
}

// release recycles x once its response is written and its handler done.
func (c *Conn) release(x *Exchange) {
	if x.watch != nil {
		c.notify(x, false)
	}
	x.reset()
	x.next = c.free
	c.free = x
}

// handlerFinished is HandlerDone's half on the connection.
func (c *Conn) handlerFinished(x *Exchange) {
	if c.closed {
		return
	}
	if x.phase() == xWritten { // written earlier and left the queue: only the handler held it
		c.release(x)
	}
}

// makeRoom makes sure the input buffer has unread space to read into.
// Consumed input is never moved or overwritten (see arena.go): a full
// buffer is replaced, not compacted.
func (c *Conn) makeRoom() bool {
	if c.in == nil {
		c.in, c.start = c.g.arena.take(), 0
		return true
	}
	if len(c.in) < cap(c.in) {
		return true
	}
	if c.start > 0 {
		c.moveInput(blockSize)
		return true
	}
	if c.input == inStream {
		c.moveInput(blockSize) // a streamed body never needs more than a block
		return true
	}
	// One request fills the whole buffer: grow it. The parser bounds heads
	// and bodies, so growth stops at the configured limits.
	limit := c.inputLimit()
	if cap(c.in) >= limit {
		c.reject(errTooLarge)
		return false
	}
	c.moveInput(min(2*cap(c.in), limit))
	return true
}

// inputLimit is the largest buffer the current request may need: its head
// and, for a chunked body, twice the body limit (chunk framing included).
func (c *Conn) inputLimit() int {
	l := c.g.cfg.Limits
	limit := l.MaxHeadBytes + 1
	if c.input == inBody {
		limit = c.cur.wireLen + int(2*l.MaxBody) + 64<<10
	}
	return limit
}

// moveInput moves the unconsumed input into a new buffer with room for at
// least size bytes. The old buffer's unread tail goes back to the arena;
// the rest of it is left to the requests that refer to it (and then to the
// collector).
func (c *Conn) moveInput(size int) {
	nb := c.g.arena.take()
	if cap(nb) < size {
		c.g.arena.give(nb)
		nb = make([]byte, 0, max(size, blockSize))
	}
	nb = append(nb, c.in[c.start:]...)
	c.g.arena.give(c.in)
	c.in, c.start = nb, 0
}

// reserve makes room for the current request to reach n bytes.
func (c *Conn) reserve(n int) {
	if cap(c.in)-c.start < n {
		c.moveInput(n)
	}
}

// releaseInput gives the input buffer's unread tail back to the arena
// once everything read has been consumed: an idle connection holds no
// buffer.
func (c *Conn) releaseInput() {
	if c.in != nil && c.start == len(c.in) && c.cur == nil {
		c.g.arena.give(c.in)
		c.in, c.start = nil, 0
	}
}

var errTooLarge = &parser.Error{Status: 431, Reason: "request too large"}
