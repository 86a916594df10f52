package server

import (
	"net/netip"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/poller"
)

// shard is what one loop of a server holds: its listener (unless the
// first loop's hands connections over), its connections, and what their
// requests are made of. Everything in it is used on its loop alone, but
// the counters that Stats and MaxConnections read from elsewhere.
type shard struct {
	srv     *Server
	i       int
	loop    *Loop
	ln      *poller.Listener
	group   *conn.Group
	slab    requestSlab
	disp    dispatcher
	closing *Future // completed when Close begins (Server.Closing)
	paused  bool    // accepting paused by ShouldAcceptRequest
	parked  []parked

	lastFD   atomic.Int32  // the last accepted descriptor (0 after a close freed one)
	conns    atomic.Int64  // open connections
	requests atomic.Uint64 // requests dispatched (written by the loop alone)
}

func newShard(s *Server, i int, l *Loop) *shard {
	sh := &shard{srv: s, i: i, loop: l, closing: s.closing0}
	if i > 0 {
		sh.closing = l.NewFuture()
	}
	sh.disp = dispatcher{s: s, sh: sh}
	sh.group = conn.NewGroup(l.l, s.cfg.conn, &sh.disp)
	sh.group.OnClose = sh.connClosed
	sh.group.Owner = sh
	return sh
}

// drive runs the loop of a shard other than the first, on the goroutine
// the server started for it, until the server has closed; then it closes
// the loop.
func (sh *shard) drive() {
	sh.loop.Run()
	sh.loop.Close()
}

// parked is a connection accepted past MaxConnections by a loop that had
// not yet seen the others' last accepts: it waits, unread, for a place.
type parked struct {
	fd   int
	peer netip.AddrPort
}

// accept takes a connection from the shard's listener: it serves it, or,
// when one listener feeds every loop, hands it to the loop with the
// fewest connections. Loops accept at the same time, so a place under
// MaxConnections is reserved first (an atomic count of every loop's
// connections, touched once per connection); a connection that finds none
// is parked until one frees, as it would wait in the kernel's backlog.
func (sh *shard) accept(fd int, peer netip.AddrPort) {
	sh.lastFD.Store(int32(fd))
	s := sh.srv
	if !s.reserve() {
		sh.parked = append(sh.parked, parked{fd, peer})
		sh.admit()
		return
	}
	to := sh
	if s.handoff {
		to = s.leastLoaded()
	}
	to.conns.Add(1)
	if to == sh {
		sh.adopt(fd, peer)
	} else {
		to.loop.l.Post(func() { to.adopt(fd, peer) })
	}
	sh.admit()
}

// reserve takes a place under MaxConnections, if there is one.
func (s *Server) reserve() bool {
	if s.cfg.maxConns <= 0 {
		s.conns.Add(1)
		return true
	}
	for {
		n := s.conns.Load()
		if n >= int64(s.cfg.maxConns) {
			return false
		}
		if s.conns.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// adopt serves a connection on the shard's loop (counted already).
func (sh *shard) adopt(fd int, peer netip.AddrPort) {
	if err := sh.group.Accept(fd, peer); err != nil {
		sh.uncount()
	}
}

// admit pauses accepting when the server is at its limits.
func (sh *shard) admit() {
	if !sh.paused && sh.ln != nil && !sh.srv.ShouldAcceptRequest() {
		sh.paused = true
		sh.srv.paused.Add(1)
		sh.ln.Pause()
	}
}

// leastLoaded returns the shard with the fewest connections (the first of
// equals): connections go where there is least to do, which round robin
// does not ensure (gnet #26).
func (s *Server) leastLoaded() *shard {
	best := s.shards[0]
	for _, sh := range s.shards[1:] {
		if sh.conns.Load() < best.conns.Load() {
			best = sh
		}
	}
	return best
}

// connClosed runs after each of the shard's connections closes: it freed
// a descriptor and a place under MaxConnections, so every loop whose
// accepting is paused looks again.
func (sh *shard) connClosed() {
	sh.lastFD.Store(0)
	sh.uncount()
	s := sh.srv
	if s.paused.Load() == 0 {
		return
	}
	for _, o := range s.shards {
		if o == sh {
			o.resume()
			continue
		}
		o.loop.l.Post(o.resume)
	}
}

func (sh *shard) uncount() {
	sh.conns.Add(-1)
	sh.srv.conns.Add(-1)
}

// resume serves parked connections, then resumes a paused listener, once
// the server is under its limits.
func (sh *shard) resume() {
	s := sh.srv
	for len(sh.parked) > 0 && !s.closing.Load() && s.reserve() {
		p := sh.parked[0]
		sh.parked = sh.parked[1:]
		sh.conns.Add(1)
		sh.adopt(p.fd, p.peer)
	}
	if sh.paused && len(sh.parked) == 0 && !s.closing.Load() && s.ShouldAcceptRequest() {
		sh.paused = false
		s.paused.Add(-1)
		sh.ln.Resume()
	}
}

// shutdown closes the shard: its listener at once, its connections once
// their responses are out (or after ShutdownGrace); then it tells the
// first loop.
func (sh *shard) shutdown() {
	sh.closing.Complete()
	if sh.ln != nil {
		sh.ln.Close()
	}
	for _, p := range sh.parked { // never served: closed like the backlog's
		unix.Close(p.fd)
	}
	sh.parked = nil
	s := sh.srv
	sh.group.Shutdown(s.cfg.shutdownGrace, func() { s.loop.l.Post(s.loopDone) })
}
