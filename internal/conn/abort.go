package conn

import "asynchttpserver.dev/internal/poller"

// Abort gives up on generation gen's response: a handler failed (it
// panicked) after its response had started, or asked for the connection
// to be dropped (net/http's ErrAbortHandler). What the response has
// written goes out, but nothing completes it: no last chunk, no missing
// Content-Length bytes. The connection closes after it, so that the
// client sees the response cut short instead of reading a truncated body
// as whole (Close, by contrast, ends a streamed body properly). A request
// not yet answered loses its connection at once, without a response; an
// upgraded or hijacked connection closes. On the loop.
func (x *Exchange) Abort(gen uint32) error {
	c := x.conn
	switch {
	case c.closed:
		return x.stale(gen)
	case x.is(gen, xDispatched), x.is(gen, xUpgraded):
		c.close()
	case x.is(gen, xStreaming):
		x.stream.ended = true // without its last chunk: advance moves on, and closes
		x.stream.closeAfter = true
		c.closeAfterOutput(closeNow)
		c.schedule()
	case x.is(gen, xResponded), x.is(gen, xWritten):
		x.stream.closeAfter = true
		c.closeAfterOutput(closeNow)
		c.schedule()
	default:
		return x.stale(gen)
	}
	return nil
}

// Drained returns a future that completes once everything queued on
// generation gen's connection so far has been handed to the kernel, file
// sections included, or fails if the connection's output fails first.
//
// WriteFile's future is a back-pressure signal: it may complete while
// the file's section is still queued (under the low-water mark), and a
// caller that closes the file then would leave the socket sending from a
// closed descriptor (or from whatever file reuses its number). A caller
// that must know when it may close the file waits for Drained too. On the
// loop.
func (x *Exchange) Drained(gen uint32) *poller.Future {
	c := x.conn
	if c.closed || x.Gen() != gen {
		return c.g.loop.Failed(x.stale(gen))
	}
	return c.s.WaitBelow(0)
}
