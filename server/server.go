package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

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

// Server is an HTTP/1.1 server on an event loop (Nim's AsyncHttpServer).
// Its methods must be called on its loop (before the loop runs, or from
// handlers and callbacks), except Close, which may be called from
// anywhere.
type Server struct {
	cfg     config
	loop    *Loop
	ln      *poller.Listener
	group   *conn.Group
	cb      Callback
	serving *Future // Serve's future: completes once closed
	closing bool
	closed  bool
	maxFDs  int  // RLIMIT_NOFILE
	lastFD  int  // the last accepted descriptor (0 after a close freed one)
	paused  bool // accepting paused by ShouldAcceptRequest
	slab    requestSlab

	closingFut *Future                 // completed when Close begins
	gone       chan struct{}           // closed once Close has finished
	ctx        context.Context         // the requests' contexts derive from it
	cancel     context.CancelCauseFunc // cancelled when Close begins
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
	s := &Server{cfg: cfg, loop: l, closingFut: l.NewFuture(), gone: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	return s
}

// Listen binds and listens on address:port without accepting yet (Nim
// devel's listen). address "" means every interface, IPv4 and IPv6; port 0
// picks a free port (see Port).
func (s *Server) Listen(port int, address string) error {
	if s.closing {
		return ErrServerClosed
	}
	if s.ln != nil {
		return errors.New("server: already listening")
	}
	ln, err := s.loop.l.Listen(address, port, poller.ListenConfig{
		ReuseAddr: s.cfg.reuseAddr, ReusePort: s.cfg.reusePort, Backlog: s.cfg.backlog,
	})
	if err != nil {
		return fmt.Errorf("server: listen on %q port %s: %w", address, portString(port), err)
	}
	ln.OnError = func(err error) { s.group.Config().Logger.Warn("asynchttpserver: accept", "err", err) }
	s.ln = ln
	s.maxFDs = maxDescriptors()
	s.group = conn.NewGroup(s.loop.l, s.cfg.conn, &dispatcher{s: s})
	s.group.OnClose = s.connClosed
	s.group.Owner = s
	return nil
}

// Serve listens on address:port and serves every connection with cb (Nim's
// serve). The future completes once the server is closed and every
// descriptor released, or fails if listening fails.
func (s *Server) Serve(port int, cb Callback, address string) *Future {
	if s.ln == nil {
		if err := s.Listen(port, address); err != nil {
			return s.loop.l.Failed(err)
		}
	}
	s.cb = cb
	s.serving = s.loop.l.NewFuture()
	s.ln.Serve(s.accept)
	return s.serving
}

// AcceptRequest accepts one connection and serves its requests with cb in
// the background (Nim's acceptRequest, after Listen). The future completes
// once the connection is accepted.
func (s *Server) AcceptRequest(cb Callback) *Future {
	if s.ln == nil || s.closing {
		return s.loop.l.Failed(ErrServerClosed)
	}
	s.cb = cb
	f := s.loop.l.NewFuture()
	s.ln.Serve(func(fd int, peer netip.AddrPort) {
		s.ln.Serve(nil) // one connection only
		s.accept(fd, peer)
		f.Complete()
	})
	return f
}

// Closing returns a future that completes when Close begins, before
// anything is closed: the signal for handlers that hold connections of
// their own (upgraded ones: WebSocket, say) to say goodbye to their
// clients (a close frame) and close, within ShutdownGrace, after which
// the server closes them. Requests' contexts are cancelled at the same
// time. Safe from any goroutine; add callbacks on the loop.
func (s *Server) Closing() *Future { return s.closingFut }

// Loop returns the loop the server runs on.
func (s *Server) Loop() *Loop { return s.loop }

// logger returns where the server logs handler failures.
func (s *Server) logger() *slog.Logger { return s.group.Config().Logger }

// Port returns the port the server listens on (Nim's getPort), or 0.
func (s *Server) Port() int {
	if s.ln == nil {
		return 0
	}
	return s.ln.Port()
}

// ShouldAcceptRequest reports whether the server can take another
// connection (Nim devel's shouldAcceptRequest): it is under
// MaxConnections and, unless AssumedDescriptorsPerRequest is negative,
// more than that many descriptors remain below RLIMIT_NOFILE. Serve
// applies it by itself: accepting pauses while it is false and resumes
// when a connection closes, without polling.
//
// The kernel hands out the lowest free descriptor number, so the number of
// the last accepted connection tells how full the process's descriptor
// table is, counting every descriptor the process holds (Nim counts only
// its selector's, which nim-lang/Nim#16603 shows is not enough).
func (s *Server) ShouldAcceptRequest() bool {
	if s.cfg.maxConns > 0 && s.group != nil && s.group.Len() >= s.cfg.maxConns {
		return false
	}
	return s.cfg.assumedPerRequest < 0 || s.lastFD+s.cfg.assumedPerRequest < s.maxFDs
}

func (s *Server) accept(fd int, peer netip.AddrPort) {
	s.lastFD = fd
	if err := s.group.Accept(fd, peer); err != nil {
		return
	}
	if !s.ShouldAcceptRequest() && !s.paused {
		s.paused = true
		s.ln.Pause()
	}
}

// connClosed resumes accepting once a connection has closed: it freed a
// descriptor, so the next accept is safe; its number tells whether to
// pause again.
func (s *Server) connClosed() {
	s.lastFD = 0
	if s.paused && !s.closing && s.ShouldAcceptRequest() {
		s.paused = false
		s.ln.Resume()
	}
}

// Close shuts the server down (Nim's close, done fully): it stops accepting
// at once, lets responses in flight finish for up to ShutdownGrace, closes
// the connections and releases every descriptor; then Serve's future
// completes. It may be called from any goroutine; the loop carries it out,
// so the loop must be running (as it is under WaitFor(srv.Serve(...))).
func (s *Server) Close() error {
	s.loop.l.Post(s.shutdown)
	return nil
}

func (s *Server) shutdown() {
	if s.closing {
		return
	}
	s.closing = true
	s.cancel(ErrServerClosed)
	s.closingFut.Complete()
	if s.ln != nil {
		s.ln.Close()
	}
	if s.group == nil {
		s.finish()
		return
	}
	s.group.Shutdown(s.cfg.shutdownGrace, s.finish)
}

func (s *Server) finish() {
	s.closed = true
	close(s.gone)
	if s.serving != nil && !s.serving.Finished() {
		s.serving.Complete()
	}
}

// maxDescriptors returns RLIMIT_NOFILE's soft limit (Nim's maxDescriptors).
func maxDescriptors() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<30 {
		return 16000 // Nim's nimMaxDescriptorsFallback
	}
	return int(lim.Cur)
}
