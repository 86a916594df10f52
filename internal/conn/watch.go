package conn

import (
	"io"

	"asynchttpserver.dev/internal/poller"
)

// Watch asks for fn to run, on the loop, once generation gen's request is
// over: with gone = true if its client went away first (end of input, a
// reset) or its connection closed (by the server too, after its shutdown
// grace), false when it ended normally (its response written and its
// handler done). A request has one watcher; a second Watch replaces the
// first. Watched requests keep a connection that reads no more requests
// reading anyway, to see the client go: what arrives then is discarded.
// A watcher registered after the client went away runs at once. On the
// loop.
//
// tag is kept with the watcher for its owner (WatchTag), so that the
// owner can find what it registered without a field of its own.
func (x *Exchange) Watch(gen uint32, fn func(gone bool), tag any) error {
	c := x.conn
	switch {
	case x.Gen() != gen:
		return x.stale(gen)
	case c.closed, c.eof: // gone before the watcher came
		fn(true)
		return nil
	}
	if x.watch == nil {
		c.watching++
	}
	x.watch, x.watchTag = fn, tag
	c.updateReading()
	return nil
}

// WatchTag returns the tag of generation gen's watcher, or nil. On the
// loop.
func (x *Exchange) WatchTag(gen uint32) any {
	if x.Gen() != gen || x.watch == nil {
		return nil
	}
	return x.watchTag
}

// notify runs x's watcher, if any, once.
func (c *Conn) notify(x *Exchange, gone bool) {
	fn := x.watch
	if fn == nil {
		return
	}
	x.watch, x.watchTag = nil, nil
	c.watching--
	fn(gone)
}

// clientGone tells every request in flight that its client went away.
func (c *Conn) clientGone() {
	if c.watching == 0 {
		return
	}
	for x := c.queue.head; x != nil; x = x.next {
		c.notify(x, true)
	}
}

// probe reads from a connection that reads no more requests but has
// watched requests in flight: the end of input or a reset means the
// client is gone; bytes are discarded (no further request is read).
func (c *Conn) probe() {
	_, err := c.s.Read(c.g.scratch())
	switch {
	case err == nil, err == poller.ErrWouldBlock:
	case err == io.EOF:
		c.peerEOF()
	default:
		c.close()
	}
}
