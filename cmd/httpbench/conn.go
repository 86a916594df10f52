package main

import (
	"errors"
	"io"

	"asynchttpserver.dev/internal/poller"
)

// Errors of a connection that are not the parser's or the poller's.
var (
	errClosedEarly    = errors.New("server closed the connection before answering")
	errNoResponse     = errors.New("no response within the timeout (-t)")
	errConnectTimeout = errors.New("connect did not finish within the timeout (-t)")
)

// connState is where a connection is in its life.
type connState uint8

const (
	connIdle    connState = iota // no socket; about to dial
	connDialing                  // a Dial is in progress
	connOpen                     // connected: requests go out, responses come in
	connDone                     // out of budget: the connection has stopped
)

// conn is one client connection slot: it dials, sends requests (in
// batches of -p in a closed loop, when the pacer says so in an open one),
// parses the responses and times each one, and replaces its socket when
// the server closes it, when it fails, and (with -k=false) after every
// response. It runs in the poller's owner mode: the socket calls
// Readable on readiness, and output is appended to the socket's
// buffer in place, so that a request costs no allocation, no future and
// no callback.
type conn struct {
	w     *worker
	sock  *poller.Socket
	state connState
	gen   uint32 // counts dials, so that a dial abandoned after -t is ignored when it ends
	since int64  // when the current dial started, on the loop's clock

	reserved int // closed loop: requests reserved for the connection being dialled

	// The requests in flight, oldest at first, in rings of -p entries
	// (no more are ever in flight). Responses come back in request order,
	// so the oldest entry belongs to the response being parsed. sent is
	// when each was meant to leave (the latency's start), actual when it
	// did (they differ in an open loop only), head whether it was HEAD.
	sent     []int64
	actual   []int64
	head     []bool
	first    int
	inflight int

	parser responseParser
	memo   headMemo // the parser's memory of the last head
	carry  []byte   // an incomplete head or line, left over from the last read

	// Open loop: the pacer's list of connections free to take a request.
	inFree             bool
	freePrev, freeNext *conn
}

// start reserves a batch of requests (closed loop) and dials a new
// connection, or stops the connection when the budget is spent.
func (c *conn) start() {
	w := c.w
	if w.stopping {
		return
	}
	if w.pace == nil {
		k := w.take(w.plan.pipeline)
		if k == 0 {
			c.setState(connDone)
			w.connDone()
			return
		}
		c.reserved = k
	}
	c.setState(connDialing)
	c.since = w.loop.Nanotime()
	c.gen++
	gen := c.gen
	f := w.loop.Dial(w.plan.addr, w.plan.port)
	f.AddCallback(func() { c.dialed(f, gen) })
}

// dialed takes over the socket of a finished dial.
func (c *conn) dialed(f *poller.FutureOf[*poller.Socket], gen uint32) {
	s, err := f.Read()
	if gen != c.gen || c.w.stopping {
		// Abandoned after a connect timeout, or the run is over.
		if err == nil {
			s.Close()
		}
		return
	}
	if err != nil {
		c.connectFailed(err)
		return
	}
	// Requests must not wait for the ACK of the previous write (Nagle).
	// Failure here means the socket is already broken, which the write
	// below reports.
	s.SetNoDelay(true)
	c.sock = s
	c.setState(connOpen)
	s.SetOwner(c)
	if c.w.raw != nil && c.w.raw.add(s.FD()) != nil {
		c.w.raw.close() // cannot watch this socket: block as usual from now on
		c.w.raw = nil
	}
	if c.w.pace != nil {
		c.w.pace.ready(c)
		return
	}
	c.send(c.reserved)
}

// connectFailed counts a failed connect and dials again. In a closed
// loop it uses up one request of the budget, so that a run against a
// dead server ends; in an open loop the schedule's own timeouts do that.
func (c *conn) connectFailed(err error) {
	c.w.fail(kindConnect, 1, err)
	c.w.giveBack(c.reserved - 1)
	c.reserved = 0
	c.setState(connIdle)
	c.start()
}

// setState moves the connection to s, keeping the worker's count of
// connects in progress.
func (c *conn) setState(s connState) {
	switch {
	case c.state == connDialing && s != connDialing:
		c.w.dialing--
	case c.state != connDialing && s == connDialing:
		c.w.dialing++
	}
	c.state = s
}

// flush writes what was appended to the socket's output; bytes left for
// write readiness keep the worker off its raw waits (drive).
func (c *conn) flush() {
	if err := c.sock.Flush(); err != nil {
		c.fail(kindRead, err)
		return
	}
	if c.sock.Pending() > 0 {
		c.w.outputPending = true
	}
}

// push notes a request about to be written.
func (c *conn) push(intended, actual int64, head bool) {
	i := c.first + c.inflight
	if i >= len(c.sent) {
		i -= len(c.sent)
	}
	c.sent[i], c.actual[i], c.head[i] = intended, actual, head
	c.inflight++
}

// send writes k requests (at most -p) in one write. The send time of
// each is the loop's clock for this iteration: the time the loop woke up,
// read once per event batch rather than once per request.
func (c *conn) send(k int) {
	w := c.w
	now := w.loop.Nanotime()
	out := c.sock.OutBuf()
	if batch := w.plan.reqs.batch; batch != nil {
		// Every request is the same: k copies, formatted before the run.
		head := w.plan.reqs.list[0].head
		for range k {
			c.push(now, now, head)
		}
		*out = append(*out, batch[:k*len(w.plan.reqs.list[0].static)]...)
	} else {
		for range k {
			c.push(now, now, w.appendRequest(out))
		}
	}
	c.flush()
}

// sendAt writes one request of the open loop's schedule, meant to leave
// at intended and leaving now.
func (c *conn) sendAt(intended, now int64) {
	c.push(intended, now, c.w.appendRequest(c.sock.OutBuf()))
	c.flush()
}

// Readable implements poller.Owner: the server sent something.
func (c *conn) Readable() {
	if c.w.stopping {
		return
	}
	c.read()
	c.w.publish()
}

// Drained implements poller.Owner; the load generator writes little and
// needs no notice.
func (c *conn) Drained() {}

// read reads once (the loop is level-triggered: more data means another
// event) and completes every response the bytes finish.
func (c *conn) read() {
	w := c.w
	held := copy(w.rbuf, c.carry)
	n, err := c.sock.Read(w.rbuf[held:])
	switch {
	case err == poller.ErrWouldBlock:
		return
	case err == io.EOF:
		c.eof()
		return
	case err != nil:
		c.fail(kindRead, err)
		return
	}
	data := w.rbuf[:held+n]
	now := w.loop.Nanotime()
	for len(data) > 0 {
		if c.inflight == 0 {
			c.fail(kindParse, errUnexpectedBytes)
			return
		}
		if c.parser.fresh() {
			c.parser.head = c.head[c.first]
		}
		used, done, err := c.parser.feed(data)
		data = data[used:]
		if err != nil {
			c.fail(kindParse, err)
			return
		}
		if !done {
			break
		}
		if !c.complete(now) {
			return
		}
	}
	if len(data) > maxCarry {
		c.fail(kindParse, errHeadTooLarge)
		return
	}
	c.carry = append(c.carry[:0], data...)
	switch {
	case w.pace != nil:
		// Only now, with this read's responses all parsed, may the
		// connection take another request: a send that fails replaces
		// the socket.
		if c.inflight < w.plan.pipeline {
			w.pace.ready(c)
		}
	case c.inflight == 0:
		c.next()
	}
}

// complete records the response just parsed. It reports whether the
// connection goes on; if not, it has been replaced already.
func (c *conn) complete(now int64) bool {
	w := c.w
	w.record(now, c.sent[c.first], c.actual[c.first], c.parser.status, c.parser.size)
	if c.first++; c.first == len(c.sent) {
		c.first = 0
	}
	c.inflight--
	closing := c.parser.close || !w.plan.keepAlive
	c.parser.reset()
	if closing {
		c.reopen()
	}
	w.settle(1)
	return !closing
}

// next sends the next batch once the last one is answered, or stops the
// connection when the budget is spent.
func (c *conn) next() {
	k := c.w.take(c.w.plan.pipeline)
	if k == 0 {
		c.closeSocket()
		c.setState(connDone)
		c.w.connDone()
		return
	}
	c.send(k)
}

// eof handles the server closing its side.
func (c *conn) eof() {
	done, err := c.parser.eof(len(c.carry))
	switch {
	case err != nil:
		c.fail(kindRead, err)
	case done: // a body delimited by the close: complete replaces the socket
		c.complete(c.w.loop.Nanotime())
	case c.inflight > 0:
		c.fail(kindRead, errClosedEarly)
	default:
		c.reopen()
	}
}

// reopen replaces a socket the server closed in good order (Connection:
// close, or a body ending at end of file). Requests still in flight were
// never answered and, by HTTP's rules, never processed: they are sent
// again on the new connection (closed loop: given back to the budget;
// open loop: back to the pacer, keeping their intended send times).
func (c *conn) reopen() {
	w := c.w
	if n := c.inflight; n > 0 {
		if w.pace != nil {
			times := make([]int64, 0, n)
			for i := range n {
				times = append(times, c.sent[(c.first+i)%len(c.sent)])
			}
			w.pace.giveBack(times)
			w.outstanding -= int64(n)
		} else {
			w.giveBack(n)
		}
	}
	c.closeSocket()
	c.start()
}

// fail counts every request in flight as failed with k (at least one for
// a parse error: the stray bytes), and replaces the socket.
func (c *conn) fail(k errKind, err error) {
	inflight := c.inflight
	n := inflight
	if n == 0 && k == kindParse {
		n = 1
	}
	c.w.fail(k, n, err)
	c.closeSocket()
	c.start()
	c.w.settle(inflight)
}

// timedOut fails the requests in flight, whose oldest has waited too long.
func (c *conn) timedOut() { c.fail(kindTimeout, errNoResponse) }

// dialTimedOut gives up on a connect that has taken longer than -t. The
// poller cannot cancel a Dial; bumping gen makes its eventual completion
// close the socket instead.
func (c *conn) dialTimedOut() {
	c.gen++
	c.connectFailed(errConnectTimeout)
}

// closeSocket closes the socket, if any, and forgets the state tied to it.
func (c *conn) closeSocket() {
	if c.sock != nil {
		c.sock.Close()
		c.sock = nil
	}
	if c.state != connDone {
		c.setState(connIdle)
	}
	if c.w.pace != nil {
		c.w.pace.free.remove(c)
	}
	c.first, c.inflight = 0, 0
	c.parser.reset()
	c.carry = c.carry[:0]
}
