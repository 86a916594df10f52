package conn

import (
	"errors"
	"io"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Errors of a request body read in pieces (ReadBody).
var (
	// ErrBodyTooLarge: the body is larger than its limit (the client got
	// 413 unless the handler had answered already).
	ErrBodyTooLarge = errors.New("request body larger than its limit")
	// ErrBodyTimeout: the client sent no body bytes for BodyTimeout while
	// the handler waited for them (the client got 408).
	ErrBodyTimeout = errors.New("request body stalled")
	// ErrBodyMalformed: the chunked coding of the body is invalid (the
	// client got 400).
	ErrBodyMalformed = errors.New("malformed request body")
	// ErrBodyAbandoned: the response went out before the body was read;
	// the rest of the body is discarded and the connection closes.
	ErrBodyAbandoned = errors.New("response sent before the request body was read")
	// ErrNotStreamed: the body was read whole before the handler ran.
	ErrNotStreamed = errors.New("the request body is not streamed: it is in the request")
	// ErrReadBusy: a read of the body is already pending.
	ErrReadBusy = errors.New("a read of the request body is already pending")
)

// bodyWindow is how much of a streamed body the connection reads ahead of
// its handler: past it, reading from the socket pauses until the handler
// reads, the kernel's buffers fill, and TCP slows the client down.
const bodyWindow = blockSize

// bodyIn is the state of a request body that its handler reads in pieces,
// as it arrives, instead of whole before the handler runs.
type bodyIn struct {
	streamed bool
	asked    bool // the handler asked for the body: 100-continue may go out
	done     bool // every byte has been delivered
	err      error
	left     int64 // Content-Length bodies: bytes not yet delivered
	limit    int64
	read     int64 // bytes delivered so far
	off      int   // chunked: decoded bytes of the current window already delivered
	p        []byte
	fut      *poller.FutureOf[int]
}

// hasBody reports whether a request head announces a body.
func hasBody(x *Exchange) bool { return x.Head.ContentLength > 0 || x.Head.Chunked }

// startStreamedBody dispatches x as soon as its head is complete; its
// body is then delivered to the handler as it reads (ReadBody). The head's
// bytes are consumed now (the request's strings refer to them).
func (c *Conn) startStreamedBody(x *Exchange) {
	end := c.start + x.wireLen
	x.buf = c.in[c.start:end:end]
	c.start = end
	x.in = bodyIn{streamed: true, left: x.Head.ContentLength, limit: c.g.cfg.Limits.MaxBody}
	c.input = inStream
	if x.Head.Chunked {
		c.chunked.Reset()
		c.chunked.SetLimit(x.in.limit)
	}
	c.bodyProgress = c.g.loop.Nanotime()
	c.queue.push(x)
	x.setPhase(xDispatched)
	c.serve(x)
}

// feedBody delivers what has arrived of cur's streamed body to a pending
// read. It reports whether the whole body has been delivered, so that the
// connection can go on to the next request.
func (c *Conn) feedBody(x *Exchange) bool {
	in := &x.in
	if in.done {
		return true
	}
	if in.err != nil || in.fut == nil {
		return false // nobody is reading: the rest waits (reading pauses at bodyWindow)
	}
	n, end, perr := c.takeBody(x, in.p)
	if perr != nil {
		c.bodyFailed(x, perr)
		return false
	}
	if n == 0 && !end {
		return false
	}
	in.read += int64(n)
	in.done = end
	f := in.fut
	in.p, in.fut = nil, nil
	f.Complete(n)
	return end
}

// takeBody copies body bytes from the input into p: what has arrived, up
// to len(p) and the body's end.
func (c *Conn) takeBody(x *Exchange, p []byte) (n int, end bool, err *parser.Error) {
	in := &x.in
	if !x.Head.Chunked {
		n = int(min(int64(len(c.in)-c.start), in.left, int64(len(p))))
		copy(p, c.in[c.start:c.start+n])
		c.start += n
		in.left -= int64(n)
		return n, in.left == 0, nil
	}
	consumed, done, derr := c.chunked.Decode(c.in[c.start:])
	if derr != nil {
		return 0, false, derr.(*parser.Error)
	}
	avail := c.chunked.Len() - in.off
	n = min(avail, len(p))
	copy(p, c.in[c.start+in.off:c.start+in.off+n])
	in.off += n
	if in.off < c.chunked.Len() {
		return n, false, nil
	}
	in.off = 0
	if done {
		c.start += consumed
		return n, true, nil
	}
	c.start += c.chunked.Discard() // the window's decoded bytes are delivered
	return n, false, nil
}

// endStreamedBody lets the connection go on past a body read to its end.
func (c *Conn) endStreamedBody(x *Exchange) {
	c.cur, c.input = nil, inIdle
	c.firstByte, c.bodyProgress = 0, 0
	if x.Head.Close {
		c.stop()
	}
}

// bodyFailed ends a streamed body that cannot be read: the pending read
// fails, the client gets e's status unless the request is answered
// already, and the connection closes after the response (draining what
// the client still sends, so that it reads the status).
func (c *Conn) bodyFailed(x *Exchange, e *parser.Error) {
	err := ErrBodyMalformed
	switch e.Status {
	case 413:
		err = ErrBodyTooLarge
	case 408:
		err = ErrBodyTimeout
	}
	c.dropBody(x, err)
	c.answer(x, e.Status, e.Reason)
	c.closeAfterOutput(closeLinger)
}

// dropBody gives up on x's streamed body with err: its reads fail from now
// on, and no further request is read from the connection (the rest of the
// body would have to be read first).
func (c *Conn) dropBody(x *Exchange, err error) {
	in := &x.in
	if in.err == nil && !in.done {
		in.err = err
	}
	if f := in.fut; f != nil {
		in.p, in.fut = nil, nil
		f.Fail(in.err)
	}
	if c.cur == x {
		c.cur, c.input = nil, inStopped // the rest of the body stands before any next request
	}
}

// ReadBody reads into p the next part of generation gen's request body,
// when its handler reads the body in pieces: the future completes with the
// number of bytes read (at least one), or 0 at the end of the body. It
// fails with ErrBodyTooLarge, ErrBodyTimeout or ErrBodyMalformed when the
// body cannot be read (the client has been answered), io.ErrUnexpectedEOF
// when the client stopped sending, ErrBodyAbandoned once the response has
// gone out, and ErrNotStreamed for a body that was read whole. The first
// read sends 100 Continue to a client waiting for it. On the loop.
func (x *Exchange) ReadBody(gen uint32, p []byte) *poller.FutureOf[int] {
	c := x.conn
	f := poller.NewFutureOf[int](c.g.loop)
	in := &x.in
	switch {
	case x.Gen() != gen:
		f.Fail(x.stale(gen))
	case !in.streamed:
		f.Fail(ErrNotStreamed)
	case in.err != nil:
		f.Fail(in.err)
	case in.done || len(p) == 0:
		f.Complete(0)
	case in.fut != nil:
		f.Fail(ErrReadBusy)
	case x.Head.ContentLength > in.limit:
		c.bodyFailed(x, errBodyTooLarge)
		f.Fail(in.err)
		c.schedule()
	default:
		in.p, in.fut = p, f
		if !in.asked {
			in.asked = true
			c.maybeContinue(x)
		}
		c.schedule() // Run delivers what has arrived, and resumes reading
	}
	return f
}

// SetBodyLimit sets the limit of generation gen's streamed request body,
// in place of MaxBody: a larger body fails with ErrBodyTooLarge and is
// answered 413. On the loop.
func (x *Exchange) SetBodyLimit(gen uint32, n int64) error {
	in := &x.in
	switch {
	case x.Gen() != gen:
		return x.stale(gen)
	case !in.streamed:
		return ErrNotStreamed
	}
	if n <= 0 {
		n = 1<<63 - 1
	}
	in.limit = n
	if x.Head.Chunked && x.conn.cur == x {
		x.conn.chunked.SetLimit(n)
	}
	return nil
}

// BodyStreamed reports whether generation gen's request body is read in
// pieces by its handler (Handler.StreamBody said so).
func (x *Exchange) BodyStreamed(gen uint32) bool { return x.Gen() == gen && x.in.streamed }

// readBodyDirect reads a Content-Length body straight into the pending
// read's buffer when nothing of it waits in the input buffer: one copy
// fewer for large uploads. It reports whether it handled the readiness.
func (c *Conn) readBodyDirect(x *Exchange) bool {
	in := &x.in
	if x.Head.Chunked || in.fut == nil || in.err != nil || c.start != len(c.in) {
		return false
	}
	p := in.p[:min(int64(len(in.p)), in.left)]
	n, err := c.s.Read(p)
	switch {
	case err == poller.ErrWouldBlock:
		return true
	case err == io.EOF:
		c.peerEOF()
		return true
	case err != nil:
		c.close()
		return true
	}
	c.bodyProgress = c.g.loop.Nanotime()
	in.left -= int64(n)
	in.read += int64(n)
	in.done = in.left == 0
	f := in.fut
	in.p, in.fut = nil, nil
	f.Complete(n)
	if in.done {
		c.endStreamedBody(x)
		c.process()
	}
	c.endBatch()
	return true
}

// bodyWaiting reports whether the connection waits for the client to send
// body bytes (which BodyTimeout bounds): a body read whole, or a streamed
// one whose handler is waiting for more.
func (c *Conn) bodyWaiting() bool {
	return c.input == inBody || c.input == inStream && c.cur.in.fut != nil
}

// bodyWindowFull reports whether the unread part of a streamed body has
// reached bodyWindow with no read pending: reading pauses.
func (c *Conn) bodyWindowFull() bool {
	return c.input == inStream && c.cur.in.fut == nil && len(c.in)-c.start >= bodyWindow
}

var errBodyTooLarge = &parser.Error{Status: 413, Reason: "request body too large"}
