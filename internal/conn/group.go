package conn

import (
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Group is the set of connections a server accepted on one loop, with
// their shared configuration, handler and Date cache.
type Group struct {
	loop  *poller.Loop
	cfg   Config
	h     Handler
	date  dateCache
	heads headCache
	arena inputArena
	drop  []byte    // where lingering connections read what they discard
	works []*work   // released connection work, for reuse
	freeX *Exchange // released exchanges, linked through next, for reuse
	shedT *poller.Timer
	hand  *Conn // where steal looks next
	sheds int   // connections shed since the last memory release (release.go)

	head         *Conn // live connections, linked through Conn.prev/next
	n            int
	shuttingDown bool
	drained      func() // called once, when a shutdown has closed everything
	graceTimer   *poller.Timer

	lastIP    netip.Addr // the last peer address turned into a string,
	lastIPStr string     // reused while peers repeat (as on loopback)

	// OnClose, if set, runs after each connection closes (the server uses
	// it to resume accepting below its limits).
	OnClose func()
	// Owner is the group's owner (the server), for its exchanges' users.
	Owner any
}

// NewGroup returns an empty group serving with h on l.
func NewGroup(l *poller.Loop, cfg Config, h Handler) *Group {
	return &Group{loop: l, cfg: cfg.withDefaults(), h: h}
}

// Config returns the group's configuration, with defaults filled in.
func (g *Group) Config() Config { return g.cfg }

// Len returns the number of open connections.
func (g *Group) Len() int { return g.n }

// Accept starts serving the accepted descriptor fd. The group owns fd from
// then on, including on error.
func (g *Group) Accept(fd int, peer netip.AddrPort) error {
	if g.shuttingDown {
		unix.Close(fd)
		return ErrClosed
	}
	c := &Conn{g: g, peerIP: g.ipString(peer.Addr())}
	if err := c.s.Init(g.loop, fd, peer); err != nil {
		unix.Close(fd)
		return err
	}
	// No Nagle: a response must not wait for the ACK of the previous one
	// (Nim's server lacks this and stalls ~40 ms per pipelined batch).
	c.s.SetNoDelay(true)
	g.loop.InitTimer(&c.timer, c.onTimer)
	g.add(c)
	g.startShedding()
	c.s.SetOwner(c)
	c.updateTimer()
	return nil
}

// parserLimits are the limits the parser enforces: the configured ones,
// but for the body when bodies may stream (a streamed body may have a
// limit of its own, checked by the connection).
func (g *Group) parserLimits() parser.Limits {
	l := g.cfg.Limits
	if g.cfg.StreamBodies {
		l.MaxBody = 1<<63 - 1
	}
	return l
}

// shedAfter is how long a connection must have been idle before the group
// takes its work back (see Conn.shed).
const shedAfter = time.Second

// startShedding makes sure the shedding sweep runs while the group has
// connections.
func (g *Group) startShedding() {
	if g.shedT == nil {
		g.shedT = g.loop.AddTimer(shedAfter, g.sweep)
	} else if !g.shedT.Pending() {
		g.shedT.Reset(shedAfter)
	}
}

// sweep sheds the work of the connections idle for shedAfter, once a
// second: a walk over the connections (a few nanoseconds each) instead of
// work on every request. When a burst has gone quiet, it has the runtime
// return the burst's memory (release.go).
func (g *Group) sweep() {
	if busy := g.Shed(g.loop.Nanotime() - int64(shedAfter)); busy == 0 && g.sheds >= releaseAfterSheds {
		if releaseMemory() {
			g.sheds = 0
		}
	}
	if g.n > 0 {
		g.shedT.Reset(shedAfter)
	}
}

// Shed takes the work back from every connection idle since before
// idleSince (on the loop's clock), and returns how many connections were
// active since then or are busy now: exported for tests and measurements
// that want idle connections at their idle size now.
func (g *Group) Shed(idleSince int64) (busy int) {
	for c := g.head; c != nil; c = c.next {
		if c.closed || c.handedOver {
			continue
		}
		if c.lastActive > idleSince || !c.isIdle() {
			busy++
		} else if c.work != nil {
			c.shed()
		}
	}
	return busy
}

// getWork lends a connection its work.
func (g *Group) getWork() *work {
	if len(g.works) == 0 {
		g.steal()
	}
	if n := len(g.works); n > 0 {
		w := g.works[n-1]
		g.works[n-1] = nil
		g.works = g.works[:n-1]
		return w
	}
	w := &work{}
	w.p.Init(g.parserLimits())
	w.chunked.Init(g.cfg.Limits.MaxBody)
	return w
}

// stealLook bounds how many connections steal looks at.
const stealLook = 32

// stealAfter is how long a connection must have been idle before steal
// takes its work: far longer than a keep-alive client's pause between
// requests under load, so that busy connections never pass their work
// round (each would shed it only to take it back for its next request),
// and far shorter than shedAfter, so that a burst of connections served
// once reuses the work of the first ones.
const stealAfter = 100 * time.Millisecond

// steal sheds the work of a connection idle for stealAfter that has not
// been swept yet, for a connection that needs work when none is free: the
// work in use then stays about as large as the number of busy
// connections, even when many connections go idle between sweeps (each
// served once, say). A clock hand walks the connections, a few at a time,
// so that finding one costs little whatever their number.
func (g *Group) steal() {
	idleSince := g.loop.Nanotime() - int64(stealAfter)
	for i := 0; i < stealLook && g.n > 0; i++ {
		c := g.hand
		if c == nil {
			c = g.head
		}
		g.hand = c.next
		if c.work != nil && !c.closed && !c.handedOver && c.lastActive <= idleSince && c.isIdle() {
			c.shed()
			return
		}
	}
}

// maxFreeWork bounds the work the group keeps for reuse: what a burst of
// busy connections leaves behind beyond it is the collector's.
const maxFreeWork = 128

// putWork takes back the work of a connection gone idle or closed.
func (g *Group) putWork(w *work) {
	if len(g.works) >= maxFreeWork {
		return
	}
	w.cur, w.backlog, w.pendingErr = nil, false, nil
	w.queue = exchangeQueue{}
	w.firstByte, w.bodyProgress, w.writeSince, w.written, w.lingerEnd = 0, 0, 0, 0, 0
	w.p.Reset()
	g.works = append(g.works, w)
}

// scratch returns a buffer for input that is read only to be dropped.
func (g *Group) scratch() []byte {
	if g.drop == nil {
		g.drop = make([]byte, blockSize)
	}
	return g.drop
}

// ipString returns ip as a string, reusing the last one when the peer is
// the same (benchmarks and local tests connect from one address).
func (g *Group) ipString(ip netip.Addr) string {
	if ip != g.lastIP || g.lastIPStr == "" {
		g.lastIP, g.lastIPStr = ip, ip.String()
	}
	return g.lastIPStr
}

func (g *Group) add(c *Conn) {
	c.next = g.head
	if g.head != nil {
		g.head.prev = c
	}
	g.head = c
	g.n++
}

func (g *Group) remove(c *Conn) {
	if g.hand == c {
		g.hand = c.next
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else if g.head == c {
		g.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	g.n--
	if g.OnClose != nil {
		g.OnClose()
	}
	if g.shuttingDown && g.n == 0 {
		g.finishShutdown()
	}
}

// Shutdown closes the group gracefully: idle connections close at once,
// busy ones stop reading and close once their responses are written, and
// whatever is left after grace is closed. done runs once everything is
// closed. On the loop.
func (g *Group) Shutdown(grace time.Duration, done func()) {
	if g.shuttingDown {
		return
	}
	g.shuttingDown = true
	g.drained = done
	for c := g.head; c != nil; {
		next := c.next
		if c.handedOver {
			c = next // upgraded: its handler has until the grace period ends
			continue
		}
		if c.work == nil || c.queue.n == 0 && c.s.Pending() == 0 {
			c.close()
		} else {
			c.closeAfterOutput(closeNow)
			c.updateReading()
		}
		c = next
	}
	if g.n == 0 {
		g.finishShutdown()
		return
	}
	g.graceTimer = g.loop.AddTimer(grace, g.CloseAll)
}

// CloseAll closes every connection at once.
func (g *Group) CloseAll() {
	for g.head != nil {
		g.head.close()
	}
}

func (g *Group) finishShutdown() {
	if g.graceTimer != nil {
		g.graceTimer.Stop()
	}
	if g.shedT != nil {
		g.shedT.Stop()
	}
	if done := g.drained; done != nil {
		g.drained = nil
		done()
	}
}
