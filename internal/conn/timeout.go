package conn

import (
	"math"
	"time"

	"asynchttpserver.dev/internal/parser"
)

// noDeadline marks a phase without a timeout.
const noDeadline = math.MaxInt64

var (
	errHeaderTimeout = &parser.Error{Status: 408, Reason: "request head not received in time"}
	errBodyTimeout   = &parser.Error{Status: 408, Reason: "request body not received in time"}
)

// updateTimer computes the deadline of what the connection is waiting for
// and makes sure its timer fires by then.
//
// One timer serves every timeout, and it is moved lazily: when the
// deadline only moves later (each keep-alive request pushes the idle
// deadline back) the timer is left where it is, and when it fires early it
// re-arms for the current deadline. So a request costs no heap operation;
// the timer moves only when a deadline comes earlier (a request's head
// arriving in pieces).
func (c *Conn) updateTimer() {
	if c.closed || c.handedOver {
		return
	}
	now := c.g.loop.Nanotime()
	c.lastActive = now // every batch of work restarts the idle clock
	if c.input < inStopped && c.isIdle() &&
		c.timer.Pending() && c.timer.Deadline() <= after(now, c.g.cfg.IdleTimeout) {
		// Idle, and the timer fires no later than the idle deadline: it
		// finds out that the deadline moved when it fires (see onTimer).
		return
	}
	d := c.currentDeadline(now)
	if d != noDeadline && (!c.timer.Pending() || c.timer.Deadline() > d) {
		c.timer.ResetAt(d)
	}
}

// currentDeadline returns the earliest deadline among what the connection
// waits for: input (head, body, idle, linger) and output (a peer not
// reading).
func (c *Conn) currentDeadline(now int64) int64 {
	cfg := &c.g.cfg
	if c.work == nil { // idle: nothing in flight, no output waiting
		if c.input >= inStopped {
			return noDeadline
		}
		return after(c.lastActive, cfg.IdleTimeout)
	}
	d := int64(noDeadline)
	switch {
	case c.input == inLinger:
		d = c.lingerEnd
	case c.input == inHead:
		d = after(c.firstByte, cfg.HeaderTimeout)
	case c.bodyWaiting():
		d = after(c.bodyProgress, cfg.BodyTimeout) // no progress for that long
	case c.queue.n > 0:
		// Only a request still waiting for its answer: a streamed response
		// has answered, and the write timeout governs it from then on.
		if x := c.queue.head; cfg.HandlerTimeout > 0 && !x.waiting && x.phase() == xDispatched {
			d = after(x.dispatchedAt, cfg.HandlerTimeout)
		}
	case c.input < inStopped:
		d = after(c.lastActive, cfg.IdleTimeout)
	}
	if c.s.Pending() > 0 {
		if w := c.s.Written(); c.writeSince == 0 || w != c.written {
			c.writeSince, c.written = now, w // progress restarts the clock
		}
		d = min(d, after(c.writeSince, cfg.WriteTimeout))
	} else {
		c.writeSince = 0
	}
	return d
}

// after returns t + timeout, or noDeadline when the timeout is off.
func after(t int64, timeout time.Duration) int64 {
	if timeout <= 0 {
		return noDeadline
	}
	return t + int64(timeout)
}

// onTimer runs when the timer fires: early (the deadline moved later) it
// re-arms; otherwise it acts on what timed out.
func (c *Conn) onTimer() {
	if c.closed || c.handedOver {
		return
	}
	now := c.g.loop.Nanotime()
	d := c.currentDeadline(now)
	if now < d {
		if d != noDeadline {
			c.timer.ResetAt(d)
		}
		return
	}
	cfg := &c.g.cfg
	if c.work == nil {
		c.close() // idle keep-alive connection
		return
	}
	switch {
	case c.input == inLinger:
		c.close()
	case c.s.Pending() > 0 && now >= after(c.writeSince, cfg.WriteTimeout):
		c.close() // the peer stopped reading
	case c.input == inHead:
		c.reject(errHeaderTimeout)
		c.endBatch()
	case c.bodyWaiting():
		if x := c.cur; c.input == inStream {
			c.bodyFailed(x, errBodyTimeout)
			c.advance()
		} else {
			c.reject(errBodyTimeout)
		}
		c.endBatch()
	case c.queue.n > 0:
		x := c.queue.head
		c.answer(x, 503, "handler did not respond in time")
		c.g.cfg.Logger.Warn("asynchttpserver: handler did not respond in time",
			"method", x.Head.Method.String(), "path", x.String(x.Head.Path), "peer", c.peerIP, "timeout", cfg.HandlerTimeout)
		c.advance()
		c.endBatch()
	default:
		c.close() // idle keep-alive connection
	}
}
