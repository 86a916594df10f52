package server

import (
	"net/netip"

	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/poller"
)

// Client is a request's connection as its handler may use it (Nim's
// req.client, narrowed to what cannot break the connection for other
// requests). It belongs to its request: once the request is done, its
// methods return ErrResponded (or ErrClosed) and never touch the
// connection's later requests.
//
// Two uses:
//
//   - After SendHeaders (or SendStatus), Send and SendString write the
//     response body, checked against the framing the head declared (see
//     Request.SendHeaders), and Close ends a body delimited by the
//     connection's close.
//   - After an upgrade (the handler of a "Connection: upgrade" request
//     answered 101), the connection is the handler's: Recv reads what the
//     client sends (starting with any bytes that came right after the
//     request), Send writes to it as it is, and Close closes it. The
//     server still counts it, and closes it when it shuts down (after
//     ShutdownGrace).
//
// RemoteAddr is safe from any goroutine. The other methods work on the
// request's loop only, and panic when called from another goroutine (they
// would race with the loop): from a goroutine, use Loop().Post, or
// Respond, which is safe anywhere.
type Client struct {
	r *Request
}

// Send writes p as the next part of the response body, or to an upgraded
// connection. The future completes when the bytes have been handed to the
// kernel; it fails with ErrContentLength or ErrChunked for bytes the
// declared framing does not allow (see Request.SendHeaders), with
// ErrNotStreaming if no head was sent, ErrResponded once the request is
// done and ErrClosed if the connection is gone. p is copied.
func (c *Client) Send(p []byte) *Future {
	r := c.r
	l := r.x.Loop()
	l.MustBeOnLoop("Client.Send")
	if r.dropBody {
		return l.Done() // HEAD, 204, 304: the body a GET would get is dropped
	}
	f, err := r.x.WriteBody(r.gen, p)
	if err != nil {
		return l.Failed(err)
	}
	return f
}

// SendString is Send for a string.
func (c *Client) SendString(s string) *Future { return c.Send([]byte(s)) }

// Recv reads at least one byte of what the client sent into p once the
// connection is upgraded (Nim's recvInto on req.client); the future
// completes with the number of bytes read, 0 at end of file. Before the
// 101 is written it may already read the bytes that came with the
// request. It fails with ErrNotUpgraded for a request that did not ask to
// upgrade (its body is Request.Body).
func (c *Client) Recv(p []byte) *FutureOf[int] {
	r := c.r
	l := r.x.Loop()
	l.MustBeOnLoop("Client.Recv")
	s, err := r.x.Socket(r.gen)
	if err != nil {
		f := poller.NewFutureOf[int](l)
		f.Fail(err)
		return f
	}
	return s.Recv(p)
}

// Close closes the connection. A response already committed goes out
// first, and a body delimited by the close ends there; a request not yet
// answered loses its connection at once. After an upgrade it closes the
// handler's connection. It returns ErrResponded (or ErrClosed) once the
// request is done, without touching the connection.
func (c *Client) Close() error {
	r := c.r
	r.x.Loop().MustBeOnLoop("Client.Close")
	return r.x.Close(r.gen)
}

// RemoteAddr returns the client's address. Safe from any goroutine.
func (c *Client) RemoteAddr() netip.AddrPort { return c.r.x.Peer() }

// LocalAddr returns the address the client connected to, or the zero
// address once the connection is closed. On the loop.
func (c *Client) LocalAddr() netip.AddrPort {
	r := c.r
	r.x.Loop().MustBeOnLoop("Client.LocalAddr")
	return r.x.LocalAddr()
}

// Control runs fn with the connection's descriptor, for socket options the
// server does not set (setsockopt). fn must not close, duplicate or keep
// the descriptor: the loop owns it. It returns ErrClosed once the
// connection is closed. On the loop.
func (c *Client) Control(fn func(fd uintptr)) error {
	r := c.r
	r.x.Loop().MustBeOnLoop("Client.Control")
	return r.x.Control(fn)
}

// ErrNotStreaming is the error of Client.Send on a request whose response
// was not started with SendHeaders or SendStatus (and that is not
// upgraded).
var ErrNotStreaming = conn.ErrNotStreaming

// ErrNotUpgraded is the error of Client.Recv on a request that did not ask
// to upgrade its connection.
var ErrNotUpgraded = conn.ErrNotUpgraded

// ErrHijackPipelined is Hijack's error when other requests of the
// connection are in flight.
var ErrHijackPipelined = conn.ErrHijackPipelined

// Hijack takes the request's connection over without a response from the
// server (net/http's Hijacker; a CONNECT tunnel, a protocol of one's own):
// from then on the server neither reads, parses, answers nor times it out,
// and the handler talks over req.Client (Recv, starting with any bytes the
// client sent past the request; Send; Close). Like an upgraded connection
// it stays counted (MaxConnections) and is closed when the server shuts
// down, after ShutdownGrace. It fails with ErrResponded if the request is
// answered, and ErrHijackPipelined if other requests of the connection are
// in flight. On the loop.
func (r *Request) Hijack() error {
	r.x.Loop().MustBeOnLoop("Request.Hijack")
	return r.x.Hijack(r.gen)
}
