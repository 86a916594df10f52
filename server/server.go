package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/poller"
)

// Callback handles a request (Nim's callback). It runs on the loop and must
// not block. It answers with req.Respond, now or later, and returns a
// future that finishes when it is done: usually Respond's own. It may also
// return nil and respond later, from a timer or from another goroutine.
//
// A handler that panics costs its request a 500 (the panic is logged); a
// handler whose future fails, or finishes without a response, also gets
// a 500. A handler that returns nil and then loses the request (nothing
// refers to it any more, so nothing can answer it) is logged once, with
// the request's method and path, and its request gets a 500 when the
// garbage collector notices.
type Callback func(req *Request) *Future

// Errors of the response path (compare with errors.Is).
var (
	// ErrResponded: Respond or SendHeaders on a request already answered.
	ErrResponded = conn.ErrResponded
	// ErrClosed: the connection is gone (the client left, or Close).
	ErrClosed = conn.ErrClosed
	// ErrStatus: a status code outside 200-999, or 101 to a request that
	// did not ask to upgrade.
	ErrStatus = conn.ErrStatus
	// ErrHeader: a header name that is not a token, or a value with CR,
	// LF or another control character (it would split the response).
	ErrHeader = conn.ErrField
	// ErrContentLength: a Content-Length header that is not a number or
	// disagrees with the body (the content, or what a streamed response
	// wrote).
	ErrContentLength = conn.ErrContentLength
	// ErrChunked: a body the handler framed with Transfer-Encoding:
	// chunked that is not valid chunked coding, or stopped before its last
	// chunk; or Transfer-Encoding beside Content-Length.
	ErrChunked = conn.ErrChunked
	// ErrServerClosed: Listen or Serve after Close.
	ErrServerClosed = errors.New("server: closed")
)

// Server is an HTTP/1.1 server on one event loop (Nim's AsyncHttpServer),
// or on several (Loops): each loop then serves its own connections, on its
// own OS thread, sharing nothing on the per-request path.
//
// Its methods must be called on its first loop (before the loop runs, or
// from handlers and callbacks), except Close, Closing, Stats and
// ShouldAcceptRequest, which may be called from anywhere.
type Server struct {
	cfg     config
	loop    *Loop    // the first loop: Serve's future and Loop() belong to it
	shards  []*shard // one per loop; shards[0] runs on loop
	cb      Callback
	serving *Future // Serve's future: completes once closed
	maxFDs  int     // RLIMIT_NOFILE
	handoff bool    // one listener, on the first loop, hands connections over

	closing  atomic.Bool
	closed   bool
	conns    atomic.Int64 // open connections, every loop (MaxConnections)
	paused   atomic.Int32 // loops whose accepting is paused
	done     int          // loops whose connections have all closed (first loop only)
	closing0 *Future      // the first loop's Closing, made with the server

	gone   chan struct{}           // closed once Close has finished
	ctx    context.Context         // the requests' contexts derive from it
	cancel context.CancelCauseFunc // cancelled when Close begins
}

// New returns a server on the default loop (Nim's newAsyncHttpServer).
// Like Nim's, it creates no socket: Serve or Listen does.
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	l := cfg.loop
	if l == nil {
		l = DefaultLoop()
	}
	if cfg.conn.Logger == nil {
		cfg.conn.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, loop: l, gone: make(chan struct{}), closing0: l.NewFuture()}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	return s
}

// Listen binds and listens on address:port without accepting yet (Nim
// devel's listen). address "" means every interface, IPv4 and IPv6; port 0
// picks a free port (see Port). With several loops (Loops) every loop
// gets a listener of its own on the port where the kernel balances
// connections among them (Linux, FreeBSD); elsewhere the first loop's
// listener hands connections to the loop with the fewest.
func (s *Server) Listen(port int, address string) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	if s.shards != nil {
		return errors.New("server: already listening")
	}
	loops, err := s.makeLoops()
	if err != nil {
		return err
	}
	many := len(loops) > 1
	s.handoff = many && (!poller.KernelBalances || s.cfg.forceHandoff)
	s.maxFDs = maxDescriptors()
	for i, l := range loops {
		sh := newShard(s, i, l)
		s.shards = append(s.shards, sh)
		if i > 0 && s.handoff {
			continue
		}
		cfg := poller.ListenConfig{ReuseAddr: s.cfg.reuseAddr, ReusePort: s.cfg.reusePort, Backlog: s.cfg.backlog}
		if many && !s.handoff {
			cfg.ReusePort, cfg.Balance = true, true
			if i > 0 {
				port = s.shards[0].ln.Port() // port 0: the first listener's choice
			}
		}
		ln, err := l.l.Listen(address, port, cfg)
		if err != nil {
			s.closeShards()
			return fmt.Errorf("server: listen on %q port %s: %w", address, portString(port), err)
		}
		ln.OnError = func(err error) { sh.group.Config().Logger.Warn("asynchttpserver: accept", "err", err) }
		sh.ln = ln
	}
	return nil
}

// makeLoops returns the loops to serve on: the server's own and, with
// Loops(n), n-1 more.
func (s *Server) makeLoops() ([]*Loop, error) {
	n := s.cfg.loops
	if n == 0 {
		n = runtime.NumCPU()
	}
	loops := []*Loop{s.loop}
	for len(loops) < max(n, 1) {
		l, err := NewLoop()
		if err != nil {
			for _, l := range loops[1:] {
				l.Close()
			}
			return nil, fmt.Errorf("server: a loop: %w", err)
		}
		loops = append(loops, l)
	}
	return loops, nil
}

// closeShards undoes a Listen that failed half way.
func (s *Server) closeShards() {
	for _, sh := range s.shards {
		if sh.ln != nil {
			sh.ln.Close()
		}
		if sh.i > 0 {
			sh.loop.Close()
		}
	}
	s.shards = nil
}

// Serve listens on address:port and serves every connection with cb (Nim's
// serve). The future completes once the server is closed and every
// descriptor released, or fails if listening fails. With several loops,
// cb runs on all of them at once: what it shares must be safe for
// concurrent use, and each request's futures, timers and callbacks belong
// to its own loop (req.Loop()).
func (s *Server) Serve(port int, cb Callback, address string) *Future {
	if s.shards == nil {
		if err := s.Listen(port, address); err != nil {
			return s.loop.l.Failed(err)
		}
	}
	s.cb = cb
	s.serving = s.loop.l.NewFuture()
	for _, sh := range s.shards {
		if sh.ln != nil {
			sh.ln.Serve(sh.accept)
		}
	}
	for _, sh := range s.shards[1:] {
		go sh.drive()
	}
	return s.serving
}

// AcceptRequest accepts one connection and serves its requests with cb in
// the background (Nim's acceptRequest, after Listen), on the first loop.
// The future completes once the connection is accepted.
func (s *Server) AcceptRequest(cb Callback) *Future {
	if s.shards == nil || s.closing.Load() {
		return s.loop.l.Failed(ErrServerClosed)
	}
	s.cb = cb
	sh := s.shards[0]
	f := s.loop.l.NewFuture()
	sh.ln.Serve(func(fd int, peer netip.AddrPort) {
		sh.ln.Serve(nil) // one connection only
		sh.accept(fd, peer)
		f.Complete()
	})
	return f
}

// Closing returns a future that completes when Close begins, before
// anything is closed: the signal for handlers that hold connections of
// their own (upgraded ones: WebSocket, say) to say goodbye to their
// clients (a close frame) and close, within ShutdownGrace, after which the
// server closes them. Requests' contexts are cancelled at the same time.
// Each loop has its own: called on one of the server's loops (in a
// handler), it returns that loop's, so that its callbacks run there.
// Safe from any goroutine; add callbacks on its loop.
func (s *Server) Closing() *Future {
	for _, sh := range s.shards {
		if sh.loop.l.Driving() {
			return sh.closing
		}
	}
	return s.closing0
}

// Loop returns the server's first loop (its only one, unless Loops).
func (s *Server) Loop() *Loop { return s.loop }

// Loops returns every loop the server runs on, first loop first (after
// Listen or Serve): to trace them or read their metrics.
func (s *Server) Loops() []*Loop {
	ls := make([]*Loop, len(s.shards))
	for i, sh := range s.shards {
		ls[i] = sh.loop
	}
	return ls
}

// logger returns where the server logs handler failures.
func (s *Server) logger() *slog.Logger { return s.cfg.conn.Logger }

// Port returns the port the server listens on (Nim's getPort), or 0.
func (s *Server) Port() int {
	if s.shards == nil || s.shards[0].ln == nil {
		return 0
	}
	return s.shards[0].ln.Port()
}

// ShouldAcceptRequest reports whether the server can take another
// connection (Nim devel's shouldAcceptRequest): it is under
// MaxConnections (counting every loop's) and, unless
// AssumedDescriptorsPerRequest is negative, more than that many
// descriptors remain below RLIMIT_NOFILE. Serve applies it by itself:
// accepting pauses while it is false and resumes when a connection
// closes, without polling. Safe from any goroutine.
//
// The kernel hands out the lowest free descriptor number, so the number of
// the last accepted connection tells how full the process's descriptor
// table is, counting every descriptor the process holds (Nim counts only
// its selector's, which nim-lang/Nim#16603 shows is not enough).
func (s *Server) ShouldAcceptRequest() bool {
	if s.cfg.maxConns > 0 && s.conns.Load() >= int64(s.cfg.maxConns) {
		return false
	}
	if s.cfg.assumedPerRequest < 0 {
		return true
	}
	for _, sh := range s.shards {
		if int(sh.lastFD.Load())+s.cfg.assumedPerRequest >= s.maxFDs {
			return false
		}
	}
	return true
}

// Close shuts the server down (Nim's close, done fully): it stops accepting
// at once, lets responses in flight finish for up to ShutdownGrace, closes
// the connections and releases every descriptor; then Serve's future
// completes. It may be called from any goroutine; the loops carry it out,
// so they must be running (as the first is under WaitFor(srv.Serve(...))).
func (s *Server) Close() error {
	s.loop.l.Post(s.shutdown)
	return nil
}

// shutdown begins the close on the first loop, and on every loop.
func (s *Server) shutdown() {
	if s.closing.Swap(true) {
		return
	}
	s.cancel(ErrServerClosed)
	if s.shards == nil {
		s.finish()
		return
	}
	for _, sh := range s.shards {
		sh.loop.l.Post(sh.shutdown)
	}
}

// loopDone runs on the first loop each time a loop's connections have all
// closed; after the last one, the server is closed.
func (s *Server) loopDone() {
	if s.done++; s.done == len(s.shards) {
		s.finish()
	}
}

func (s *Server) finish() {
	s.closed = true
	close(s.gone)
	for _, sh := range s.shards[min(1, len(s.shards)):] {
		sh.loop.Stop() // its driver closes it
	}
	if s.serving != nil && !s.serving.Finished() {
		s.serving.Complete()
	}
}

// LoopStats are one loop's counters, for seeing how the load spreads.
type LoopStats struct {
	Connections int64  // open now
	Requests    uint64 // served since the start
}

// Stats returns each loop's counters, first loop first. Safe from any
// goroutine; the figures are read without stopping the loops.
func (s *Server) Stats() []LoopStats {
	st := make([]LoopStats, len(s.shards))
	for i, sh := range s.shards {
		st[i] = LoopStats{Connections: sh.conns.Load(), Requests: sh.requests.Load()}
	}
	return st
}

// maxDescriptors returns RLIMIT_NOFILE's soft limit (Nim's maxDescriptors).
func maxDescriptors() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<30 {
		return 16000 // Nim's nimMaxDescriptorsFallback
	}
	return int(lim.Cur)
}
