package server

import (
	"io"

	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/poller"
)

// Errors of a request body read in pieces (BodyReader).
var (
	// ErrBodyTooLarge: the body is larger than its limit (MaxBody, or
	// BodyReader.SetLimit); the client was answered 413.
	ErrBodyTooLarge = conn.ErrBodyTooLarge
	// ErrBodyTimeout: the client sent nothing for BodyTimeout while the
	// handler waited for the body; the client was answered 408.
	ErrBodyTimeout = conn.ErrBodyTimeout
	// ErrBodyMalformed: invalid chunked coding; the client was answered
	// 400.
	ErrBodyMalformed = conn.ErrBodyMalformed
	// ErrBodyAbandoned: the response went out before the body was read;
	// the rest is not read, and the connection closes.
	ErrBodyAbandoned = conn.ErrBodyAbandoned
)

// StreamBodies lets handlers read request bodies in pieces, as they
// arrive, instead of whole before the handler runs (Nim's way, and the
// default). want is asked on the loop, for every request with a body, as
// soon as its head has arrived: it sees the method, URL and headers (Body
// is empty). When it returns true the handler runs at once, and reads the
// body through req.BodyReader(): the connection reads from the client
// only as fast as the handler reads (a window of 16 KiB ahead), a client
// that sent "Expect: 100-continue" is told to go on only when the handler
// first reads, and the handler may set a limit of its own for the body in
// place of MaxBody. A request the handler answers without reading its
// whole body has its connection closed after the response.
func StreamBodies(want func(req *Request) bool) Option {
	return func(c *config) {
		c.streamWant = want
		c.conn.StreamBodies = want != nil
	}
}

// BodyReader reads a request's body. For a body streamed to its handler
// (StreamBodies) it reads from the connection as the body arrives; for any
// other request it reads Body.
//
// Two ways to read: Recv, on the loop, with a future per read (Nim's
// recv); or Read, from a goroutine, which blocks (an io.Reader: io.Copy,
// json.Decoder, a hash). Read panics on the loop, where blocking would
// stop every connection.
type BodyReader struct {
	r    *Request
	rest string // a body read whole: what is still to read
	done chan readResult
}

type readResult struct {
	n   int
	err error
}

// BodyReader returns a reader of the request's body. Call it once: each
// call returns a new reader (readers of a streamed body would share the
// connection's bytes between them).
func (r *Request) BodyReader() *BodyReader { return &BodyReader{r: r, rest: r.Body} }

// streamed reports whether the body comes from the connection.
func (b *BodyReader) streamed() bool { return b.r.x.BodyStreamed(b.r.gen) }

// Recv reads the next part of the body into p: the future completes with
// the number of bytes read (at least one), or 0 at the end of the body. It
// fails with ErrBodyTooLarge, ErrBodyTimeout or ErrBodyMalformed when the
// body cannot be read (the server has answered the client),
// io.ErrUnexpectedEOF when the client stopped sending, and
// ErrBodyAbandoned once the response has gone out. On the loop.
func (b *BodyReader) Recv(p []byte) *FutureOf[int] {
	l := b.r.x.Loop()
	l.MustBeOnLoop("BodyReader.Recv")
	if !b.streamed() {
		f := poller.NewFutureOf[int](l)
		n := copy(p, b.rest)
		b.rest = b.rest[n:]
		f.Complete(n)
		return f
	}
	return b.r.x.ReadBody(b.r.gen, p)
}

// Read reads the next part of the body into p, blocking until some has
// arrived: an io.Reader for code running in a goroutine. It returns io.EOF
// at the end of the body. It panics when called on the loop.
func (b *BodyReader) Read(p []byte) (int, error) {
	if !b.streamed() {
		if b.rest == "" {
			return 0, io.EOF
		}
		n := copy(p, b.rest)
		b.rest = b.rest[n:]
		return n, nil
	}
	l := b.r.x.Loop()
	if l.Driving() {
		panic("BodyReader.Read called on the loop, where it would block every connection: use Recv")
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.done == nil {
		b.done = make(chan readResult, 1)
	}
	l.Post(func() {
		f := b.r.x.ReadBody(b.r.gen, p)
		f.AddCallback(func() {
			n, err := f.Read()
			b.done <- readResult{n, err}
		})
	})
	var res readResult
	select {
	case res = <-b.done:
	case <-b.r.srv().gone:
		return 0, ErrServerClosed
	}
	if res.err == nil && res.n == 0 {
		return 0, io.EOF
	}
	return res.n, res.err
}

// SetLimit sets the largest body this request may have, in place of
// MaxBody: a larger one fails the reads with ErrBodyTooLarge and is
// answered 413. Call it before reading. Safe from any goroutine.
func (b *BodyReader) SetLimit(n int64) error {
	if !b.streamed() {
		if int64(len(b.r.Body)) > n {
			return ErrBodyTooLarge
		}
		return nil
	}
	return b.r.onLoop(func() error { return b.r.x.SetBodyLimit(b.r.gen, n) })
}

// Close stops reading the body: what the client still sends is discarded
// and, since no request after it can be read, the connection closes after
// the response. Safe from any goroutine.
func (b *BodyReader) Close() error {
	b.rest = ""
	return nil
}

// onLoop runs fn on the request's loop and returns its error: at once on
// the loop, else posted there and waited for.
func (r *Request) onLoop(fn func() error) error {
	l := r.x.Loop()
	if l.OnLoop() {
		return fn()
	}
	done := make(chan error, 1)
	l.Post(func() { done <- fn() })
	select {
	case err := <-done:
		return err
	case <-r.srv().gone:
		return ErrServerClosed
	}
}
