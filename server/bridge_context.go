package server

import (
	"context"
	"sync"
	"time"
)

// requestContext is a bridged request's context.Context, kept in its
// responseWriter. It is cancelled when the client goes away, when the
// server begins to close, or when the handler has returned, as net/http's
// request contexts are; but it costs nothing until used: a handler that
// never asks for Done or Err (most answer at once) makes no channel and no
// registration with the connection or the server. The first Done or Err
// registers, on the loop, for the request's end.
//
// Its Err is context.Canceled for all three (context.Cause too: the
// context is not one of the context package's own).
type requestContext struct {
	w *responseWriter

	mu        sync.Mutex
	started   bool
	done      chan struct{}
	err       error
	over      bool          // the handler has returned
	gone      bool          // the client went away (CloseNotify)
	stopClose func() bool   // the registration with the server's closing
	after     []*afterEntry // AfterFunc's functions
}

// afterEntry is one AfterFunc registration.
type afterEntry struct{ f func() }

// Deadline implements context.Context: a request has none.
func (c *requestContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context.
func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	start := c.prepareLocked()
	d := c.done
	c.mu.Unlock()
	if start {
		c.start()
	}
	return d
}

// Err implements context.Context.
func (c *requestContext) Err() error {
	c.mu.Lock()
	start := c.prepareLocked()
	err := c.err
	c.mu.Unlock()
	if start {
		c.start()
	}
	return err
}

// Value implements context.Context: a request's context holds no values.
func (c *requestContext) Value(key any) any { return nil }

// String implements fmt.Stringer, as the context package's contexts do.
func (c *requestContext) String() string { return "asynchttpserver.requestContext" }

// AfterFunc arranges for f to run once the context is cancelled (at once
// if it is), and returns a function that stops that. The context package
// finds it: contexts derived with WithCancel, WithTimeout or AfterFunc
// then register here instead of starting a goroutine to wait on Done.
func (c *requestContext) AfterFunc(f func()) (stop func() bool) {
	e := &afterEntry{f: f}
	c.mu.Lock()
	start := c.prepareLocked()
	cancelled := c.err != nil
	if !cancelled {
		c.after = append(c.after, e)
	}
	c.mu.Unlock()
	if start {
		c.start()
	}
	if cancelled {
		f()
		return func() bool { return false }
	}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, a := range c.after {
			if a == e {
				c.after = append(c.after[:i], c.after[i+1:]...)
				return true
			}
		}
		return false
	}
}

// prepareLocked makes the channel on first use, and reports whether the
// caller must then register for the request's end (start), without c.mu:
// registering may cancel at once, which takes c.mu. A context asked for
// after the handler returned is cancelled already. With c.mu held.
func (c *requestContext) prepareLocked() bool {
	if c.started {
		return false
	}
	c.started = true
	c.done = make(chan struct{})
	if c.over {
		c.cancelLocked() // nothing registered with it yet: nothing to run
		return false
	}
	return true
}

// start registers for the server's closing and, on the loop, for the
// request's end. Without c.mu.
func (c *requestContext) start() {
	r := c.w.req
	stop := context.AfterFunc(r.srv().ctx, c.cancel)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		stop()
	} else {
		c.stopClose = stop
		c.mu.Unlock()
	}
	l := r.x.Loop()
	if l.OnLoop() {
		c.watch()
		return
	}
	l.Post(c.watch)
}

// watch registers with the connection for the request's end: the client
// going away, or the request being over. On the loop.
func (c *requestContext) watch() {
	r := c.w.req
	err := r.x.Watch(r.gen, func(gone bool) {
		if gone {
			c.mu.Lock()
			c.gone = true
			c.mu.Unlock()
		}
		c.cancel()
	}, nil)
	if err != nil || r.x.PeerGone(r.gen) {
		// The request is over already, or its client left before the
		// watcher was there to see it.
		c.mu.Lock()
		c.gone = err == nil
		c.mu.Unlock()
		c.cancel()
	}
}

// cancel cancels the context, once.
func (c *requestContext) cancel() {
	c.mu.Lock()
	after := c.cancelLocked()
	c.mu.Unlock()
	for _, e := range after {
		e.f()
	}
}

// cancelLocked cancels with c.mu held and returns the AfterFunc functions
// to run (without it).
func (c *requestContext) cancelLocked() []*afterEntry {
	if c.err != nil {
		return nil
	}
	c.err = context.Canceled
	if c.done != nil {
		close(c.done)
	}
	if c.stopClose != nil {
		c.stopClose()
	}
	after := c.after
	c.after = nil
	return after
}

// clientGone reports whether the context was cancelled because the
// client went away.
func (c *requestContext) clientGone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

// end marks the handler as returned: the context is cancelled, now if it
// is in use, else as soon as it is asked for.
func (c *requestContext) end() {
	c.mu.Lock()
	c.over = true
	var after []*afterEntry
	if c.started {
		after = c.cancelLocked()
	}
	c.mu.Unlock()
	for _, e := range after {
		e.f()
	}
}
