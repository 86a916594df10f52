package server

import (
	"log/slog"
	"time"

	"asynchttpserver.dev/internal/conn"
)

// Option configures a Server (the parameters of Nim's
// newAsyncHttpServer, and the limits and timeouts Nim lacks).
type Option func(*config)

type config struct {
	loop                 *Loop // nil: the default loop
	reuseAddr, reusePort bool
	backlog              int
	conn                 conn.Config
	maxConns             int
	assumedPerRequest    int
	shutdownGrace        time.Duration
	streamWant           func(*Request) bool // StreamBodies
	loops                int                 // Loops; 1 when unset
	forceHandoff         bool                // tests: the one-acceptor design where the kernel balances
}

// handlerTimeout reports whether HandlerTimeout is on.
func (c *config) handlerTimeout() bool { return c.conn.HandlerTimeout > 0 }

func defaultConfig() config {
	return config{
		reuseAddr:         true, // Nim's default
		assumedPerRequest: 5,    // Nim devel's assumedDescriptorsPerRequest
		shutdownGrace:     5 * time.Second,
		loops:             1, // the seed's model
	}
}

// ReuseAddr sets SO_REUSEADDR on the listening socket (default true, as
// in Nim): a restarted server can bind while old connections linger.
func ReuseAddr(on bool) Option { return func(c *config) { c.reuseAddr = on } }

// ReusePort sets SO_REUSEPORT (default false, as in Nim), so that several
// servers can share a port.
func ReusePort(on bool) Option { return func(c *config) { c.reusePort = on } }

// MaxBody bounds request bodies, Content-Length or chunked (default
// 8388608, Nim's): larger ones get 413 and the connection is closed
// without the rest of the body being read into memory. A handler that
// streams a body (StreamBodies) may set a limit of its own for it
// (BodyReader.SetLimit).
func MaxBody(n int) Option { return func(c *config) { c.conn.Limits.MaxBody = int64(n) } }

// MaxHeadBytes bounds a request's head, request line included (default
// 64 KiB); larger heads get 431.
func MaxHeadBytes(n int) Option { return func(c *config) { c.conn.Limits.MaxHeadBytes = n } }

// MaxHeaders bounds the header fields of a request (default 100); more get
// 431.
func MaxHeaders(n int) Option { return func(c *config) { c.conn.Limits.MaxHeaders = n } }

// MaxTargetLen bounds the request-target (default 8 KiB); longer ones get
// 414.
func MaxTargetLen(n int) Option { return func(c *config) { c.conn.Limits.MaxTargetLen = n } }

// HeaderTimeout bounds the time from a request's first byte to the end of
// its head (default 10 s): slow clients (slowloris) get 408 and are closed.
// A negative value disables it.
func HeaderTimeout(d time.Duration) Option { return func(c *config) { c.conn.HeaderTimeout = d } }

// BodyTimeout bounds how long a request body may make no progress
// (default 30 s): a client that sends no body byte for that long, while the
// server waits for one, gets 408 and is closed. It measures progress, not
// the whole body, so a large upload at a steady pace is never cut off; a
// streamed body whose handler is not reading is not the client's delay. A
// negative value disables it.
func BodyTimeout(d time.Duration) Option { return func(c *config) { c.conn.BodyTimeout = d } }

// IdleTimeout bounds how long a keep-alive connection may wait for its
// next request (default 60 s). A negative value disables it.
func IdleTimeout(d time.Duration) Option { return func(c *config) { c.conn.IdleTimeout = d } }

// WriteTimeout bounds how long output may wait for a client that does not
// read it (default 30 s): a response, a stream or a file to a client that
// reads nothing for that long loses its connection (a stream's writes then
// fail with ErrClosed). A negative value disables it.
func WriteTimeout(d time.Duration) Option { return func(c *config) { c.conn.WriteTimeout = d } }

// HandlerTimeout answers 503 for a request whose handler has not
// responded after d. Off by default, as in Nim.
func HandlerTimeout(d time.Duration) Option { return func(c *config) { c.conn.HandlerTimeout = d } }

// MaxOutput is the per-connection back-pressure mark (default 1 MiB): a
// client that pipelines requests but does not read the responses is not
// read from while this much output waits for it, and a streamed response's
// writes complete (their futures, or a blocked io.Writer) only once the
// unsent output is back under a quarter of it.
func MaxOutput(n int) Option { return func(c *config) { c.conn.MaxOutput = n } }

// MaxConnections bounds the open connections (default: no bound but the
// descriptor limit); beyond it accepting pauses until one closes.
func MaxConnections(n int) Option { return func(c *config) { c.maxConns = n } }

// AssumedDescriptorsPerRequest is Nim devel's margin for
// ShouldAcceptRequest (default 5): accepting pauses while fewer than this
// many descriptors remain below RLIMIT_NOFILE, and resumes when
// connections close. A negative value turns the check off (accept until
// EMFILE, then back off).
func AssumedDescriptorsPerRequest(n int) Option {
	return func(c *config) { c.assumedPerRequest = n }
}

// ShutdownGrace bounds how long Close lets in-flight responses finish
// before closing their connections (default 5 s).
func ShutdownGrace(d time.Duration) Option { return func(c *config) { c.shutdownGrace = d } }

// Logger receives handler panics and errors (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(c *config) { c.conn.Logger = l } }

// Backlog sets the listen(2) backlog (default SOMAXCONN, as in Nim).
func Backlog(n int) Option { return func(c *config) { c.backlog = n } }

// Loops runs the server on n event loops, each on its own goroutine
// locked to its OS thread (default 1, the seed's model; 0 means one per
// CPU). The first loop is the server's own (the default loop, or OnLoop's);
// the server makes the others, drives them, and closes them when it has
// closed. On Linux and FreeBSD each loop listens on the port itself
// (SO_REUSEPORT, SO_REUSEPORT_LB) and the kernel balances connections;
// on macOS and the other BSDs, whose kernels give every connection to one
// socket, the first loop accepts and hands each connection to the loop
// with the fewest. A connection stays on its loop for life, and so do its
// requests: nothing on the per-request path is shared between loops. The
// callback then runs on several loops at once.
func Loops(n int) Option { return func(c *config) { c.loops = max(n, 0) } }

// OnLoop runs the server on l instead of the default loop: its
// connections, handlers and timers all run there.
func OnLoop(l *Loop) Option { return func(c *config) { c.loop = l } }

// LingerTimeout bounds how long a connection closed after an error keeps
// draining its input, so that the client reads the error instead of a
// reset (default 2 s).
func LingerTimeout(d time.Duration) Option { return func(c *config) { c.conn.LingerTimeout = d } }

// forceHandoff makes a multi-loop server accept on its first loop and hand
// connections over even where the kernel balances, so that tests on Linux
// cover the design macOS and the BSDs use.
func forceHandoff() Option { return func(c *config) { c.forceHandoff = true } }
