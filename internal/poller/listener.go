package poller

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// ListenConfig holds the options of Listen (Nim's newAsyncHttpServer and
// listen parameters).
type ListenConfig struct {
	// ReuseAddr sets SO_REUSEADDR, so that a restarted server can bind its
	// port while old connections linger in TIME_WAIT. Nim's default is true.
	ReuseAddr bool
	// ReusePort sets SO_REUSEPORT, so that several listeners (one per loop,
	// say) share a port and the kernel spreads connections among them.
	ReusePort bool
	// Balance asks, with ReusePort, for the kernel to balance connections
	// among the listeners sharing the port: SO_REUSEPORT on Linux (which
	// hashes), SO_REUSEPORT_LB on FreeBSD. Where the kernel cannot
	// (KernelBalances is false: macOS and the other BSDs, whose
	// SO_REUSEPORT hands every connection to one listener), it is ignored.
	Balance bool
	// Backlog is listen(2)'s queue length; 0 means SOMAXCONN (Nim's
	// choice). The kernel caps it at net.core.somaxconn.
	Backlog int
}

// Accept back-off bounds: after EMFILE and its kin the listener stops
// watching its descriptor for this long, doubling up to the maximum (the
// same schedule as Go's net/http).
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
	// acceptBatch bounds the connections taken per readiness event, so a
	// flood of connections cannot starve established ones.
	acceptBatch = 64
)

// Listener is a listening socket on a loop.
//
// When the process runs out of descriptors (EMFILE, ENFILE) or kernel
// memory (ENOBUFS, ENOMEM), accept fails and, level-triggered, the
// listener stays readable: a naive loop would spin at 100 % CPU. Instead
// the listener stops watching its descriptor and retries after a back-off
// on the loop's timer, while established connections are served as usual.
type Listener struct {
	loop     *Loop
	fd       int
	addr     netip.AddrPort
	closed   bool
	watching bool

	onAccept  func(fd int, peer netip.AddrPort)
	acceptFut *FutureOf[*Socket]

	paused  bool // by the owner (Pause)
	backoff time.Duration
	retry   Timer

	// OnError, if set, is told about accept errors the listener recovers
	// from by backing off (EMFILE and the like), e.g. to log them.
	OnError func(error)
}

// Listen opens a listening TCP socket on address and port. address ""
// means every interface, IPv4 and IPv6 (a dual-stack socket when the
// system has IPv6); port 0 picks a free port (see Port).
func (l *Loop) Listen(address string, port int, cfg ListenConfig) (*Listener, error) {
	ip, err := resolve(address)
	if err != nil {
		return nil, err
	}
	fd, bound, err := listenFD(ip, port, cfg)
	if err != nil {
		return nil, fmt.Errorf("poller: listen on %s: %w", netip.AddrPortFrom(ip, uint16(port)), err)
	}
	ln := &Listener{loop: l, fd: fd, addr: bound}
	l.InitTimer(&ln.retry, ln.endBackoff)
	if err := l.Register(fd, ln, 0); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return ln, nil
}

// Addr returns the address the listener is bound to.
func (ln *Listener) Addr() netip.AddrPort { return ln.addr }

// Port returns the bound port (Nim's getPort), useful after Listen with
// port 0.
func (ln *Listener) Port() int { return int(ln.addr.Port()) }

// FD returns the listening descriptor.
func (ln *Listener) FD() int { return ln.fd }

// Serve accepts connections continuously, handing each new descriptor
// (non-blocking, close-on-exec) to onAccept, which owns it from then on.
func (ln *Listener) Serve(onAccept func(fd int, peer netip.AddrPort)) {
	ln.onAccept = onAccept
	ln.update()
}

// Accept returns a future for the next connection (Nim's accept). It is
// for callers that accept one at a time; Serve is the continuous form.
func (ln *Listener) Accept() *FutureOf[*Socket] {
	f := NewFutureOf[*Socket](ln.loop)
	switch {
	case ln.closed:
		f.fail(ErrClosed)
	case ln.acceptFut != nil || ln.onAccept != nil:
		f.fail(errors.New("poller: the listener is already accepting"))
	default:
		ln.acceptFut = f
		ln.update()
	}
	return f
}

// Pause stops accepting until Resume; connections wait in the kernel's
// backlog meanwhile. A server uses it to stay under its connection and
// descriptor limits.
func (ln *Listener) Pause() {
	ln.paused = true
	ln.update()
}

// Resume undoes Pause.
func (ln *Listener) Resume() {
	ln.paused = false
	ln.update()
}

// Close stops listening. A pending Accept fails with ErrClosed.
func (ln *Listener) Close() error {
	if ln.closed {
		return nil
	}
	ln.closed = true
	ln.retry.Stop()
	if f := ln.acceptFut; f != nil {
		ln.acceptFut = nil
		f.fail(ErrClosed)
	}
	return ln.loop.CloseFD(ln.fd)
}

// update watches the descriptor exactly when someone wants connections and
// nothing holds accepting back.
func (ln *Listener) update() {
	if ln.closed {
		return
	}
	want := (ln.onAccept != nil || ln.acceptFut != nil) && !ln.paused && !ln.retry.Pending()
	if want == ln.watching {
		return
	}
	ev := Event(0)
	if want {
		ev = EventRead
	}
	if err := ln.loop.SetInterest(ln.fd, ev); err != nil {
		ln.report(err)
		return
	}
	ln.watching = want
}

// HandleEvent implements Handler: it accepts up to acceptBatch connections.
func (ln *Listener) HandleEvent(Event) {
	for i := 0; i < acceptBatch && !ln.closed && !ln.paused; i++ {
		if ln.onAccept == nil && ln.acceptFut == nil {
			break
		}
		fd, peer, err := sysAccept(ln.fd)
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			ln.acceptFailed(err)
			return
		}
		ln.backoff = 0
		ln.deliver(fd, peer)
	}
	ln.update()
}

func (ln *Listener) deliver(fd int, peer netip.AddrPort) {
	if ln.onAccept != nil {
		ln.onAccept(fd, peer)
		return
	}
	f := ln.acceptFut
	ln.acceptFut = nil
	s, err := ln.loop.NewSocket(fd, peer)
	if err != nil {
		unix.Close(fd)
		f.fail(err)
		return
	}
	f.complete(s)
}

// acceptFailed backs off on resource exhaustion and reports other errors
// to a pending Accept (or OnError), without ever ending the loop.
func (ln *Listener) acceptFailed(err error) {
	err = fmt.Errorf("poller: accept: %w", err)
	switch {
	case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE),
		errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
		ln.backoff = min(max(2*ln.backoff, minAcceptBackoff), maxAcceptBackoff)
		ln.retry.Reset(ln.backoff)
		ln.report(err)
	case ln.acceptFut != nil:
		f := ln.acceptFut
		ln.acceptFut = nil
		f.fail(err)
	default:
		ln.report(err)
	}
	ln.update()
}

func (ln *Listener) endBackoff() { ln.update() }

func (ln *Listener) report(err error) {
	if ln.OnError != nil {
		ln.OnError(err)
	}
}
