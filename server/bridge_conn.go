package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"asynchttpserver.dev/internal/poller"
)

// Hijack implements http.Hijacker: the connection becomes the handler's,
// as a net.Conn whose reads and writes the loop carries out (the handler's
// goroutine blocks while they wait), with working deadlines. A status the
// handler set with WriteHeader (a 101 Switching Protocols, say) goes out
// first, with its header, as net/http flushes it. The bufio.ReadWriter
// wraps the same net.Conn; bytes the client sent past the request are its
// first reads.
//
// It fails once the response has started going out, and when other
// requests of the connection are in flight (ErrHijackPipelined: a client
// that pipelines behind a request to be hijacked). Like an upgraded
// connection, a hijacked one stays counted by MaxConnections and is closed
// when the server shuts down, after ShutdownGrace.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch {
	case w.handlerDone:
		return nil, nil, errAfterHandler
	case w.hijacked:
		return nil, nil, http.ErrHijacked
	case w.committed:
		return nil, nil, errors.New("server: Hijack after the response started")
	}
	var head []byte
	if w.wroteHeader {
		head = appendRawHead(nil, w.status, sanitize(w.head)) // no check by the connection after this
	}
	r := w.req
	c := &hijackedConn{r: r, gone: r.srv().gone}
	var hijackErr error
	w.wait(func() *Future {
		l := r.x.Loop()
		if err := r.Hijack(); err != nil {
			hijackErr = err
			return l.Done()
		}
		r.x.ForgoContinue(r.gen)
		c.local = net.TCPAddrFromAddrPort(r.x.LocalAddr())
		if len(head) > 0 {
			r.x.WriteBody(r.gen, head)
		}
		return l.Done()
	})
	if hijackErr != nil {
		return nil, nil, hijackErr
	}
	w.hijacked = true
	c.remote = net.TCPAddrFromAddrPort(w.peer)
	return c, bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)), nil
}

// appendRawHead appends a response head the handler set before hijacking.
func appendRawHead(b []byte, code int, h Headers) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(append(append(b, ' '), http.StatusText(code)...), "\r\n"...)
	if code != http.StatusSwitchingProtocols && !h.Has("Date") {
		b = append(append(append(b, "Date: "...), time.Now().UTC().Format(http.TimeFormat)...), "\r\n"...)
	}
	for _, f := range h {
		b = append(append(append(append(b, f.Name...), ": "...), f.Value...), "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// hijackedConn is a hijacked connection as a net.Conn. Its goroutine side
// hands each operation to the loop and waits for the outcome; the loop
// side (the fields under "loop") is touched only on the loop. Reads and
// writes may run at once, from two goroutines (a WebSocket reader and
// writer); two reads, or two writes, wait for each other, as on a
// net.TCPConn.
type hijackedConn struct {
	r             *Request
	gone          chan struct{} // the server has closed: the loop may run nothing more
	local, remote net.Addr

	rmu, wmu sync.Mutex
	rres     chan ioResult
	wres     chan ioResult

	// loop
	closed       bool
	rdl, wdl     time.Time
	reading      *connOp // the read in progress
	writing      *connOp // the write in progress
	closeStarted bool
}

// ioResult is the outcome of one operation.
type ioResult struct {
	n   int
	err error
}

// connOp is one read or write in progress on the loop: it reports once,
// when its future finishes or its deadline passes, whichever comes first.
type connOp struct {
	res      chan ioResult
	n        int
	timer    *Timer
	reported bool
}

// report sends the operation's outcome, once.
func (op *connOp) report(n int, err error) {
	if op.reported {
		return
	}
	op.reported = true
	if op.timer != nil {
		op.timer.Stop()
	}
	op.res <- ioResult{n, err}
}

// errOnLoop is the error of a read on the loop that would have to wait.
var errOnLoop = errors.New("server: hijacked connection read on the loop, where it cannot wait for data: read it from a goroutine")

// Read implements net.Conn.
func (c *hijackedConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	l := c.r.x.Loop()
	if l.Driving() {
		return c.readOnLoop(p)
	}
	if c.rres == nil {
		c.rres = make(chan ioResult, 1)
	}
	l.Post(func() { c.startRead(p, c.rres) })
	select {
	case out := <-c.rres:
		return out.n, out.err
	case <-c.gone:
		return 0, c.opError("read", net.ErrClosed)
	}
}

// readOnLoop is a read by an inline handler: what has arrived, if
// anything; it cannot wait for more.
func (c *hijackedConn) readOnLoop(p []byte) (int, error) {
	if c.closed {
		return 0, c.opError("read", net.ErrClosed)
	}
	f := c.r.Client.Recv(p)
	if !f.Finished() {
		if s, err := c.r.x.Socket(c.r.gen); err == nil {
			s.CancelRecv(errOnLoop)
		}
		return 0, c.opError("read", errOnLoop)
	}
	switch n, err := f.Read(); {
	case err != nil:
		return 0, c.readError(err)
	case n == 0:
		return 0, io.EOF
	default:
		return n, nil
	}
}

// startRead starts a read into p on the loop, under the read deadline.
func (c *hijackedConn) startRead(p []byte, res chan ioResult) {
	op := &connOp{res: res}
	r := c.r
	switch {
	case c.closed:
		op.report(0, c.opError("read", net.ErrClosed))
		return
	case !c.rdl.IsZero() && !time.Now().Before(c.rdl):
		op.report(0, c.opError("read", os.ErrDeadlineExceeded))
		return
	}
	f := r.Client.Recv(p)
	if !f.Finished() {
		c.reading = op
		if !c.rdl.IsZero() {
			op.timer = r.Loop().AddTimer(time.Until(c.rdl), c.readTimedOut)
		}
	}
	f.AddCallback(func() {
		if c.reading == op {
			c.reading = nil
		}
		n, err := f.Read()
		switch {
		case err != nil:
			op.report(0, c.readError(err))
		case n == 0:
			op.report(0, io.EOF)
		default:
			op.report(n, nil)
		}
	})
}

// readTimedOut cancels the read in progress at its deadline. On the loop.
func (c *hijackedConn) readTimedOut() {
	if op := c.reading; op != nil {
		op.timer = nil
		c.cancelRead()
	}
}

// cancelRead stops the read in progress: its future fails, and the buffer
// it was given is no longer written. On the loop.
func (c *hijackedConn) cancelRead() {
	if c.reading == nil {
		return
	}
	if s, err := c.r.x.Socket(c.r.gen); err == nil {
		s.CancelRecv(errReadTimeout)
	}
}

// errReadTimeout is what a read cancelled at its deadline fails with.
var errReadTimeout = errors.New("read deadline")

// readError turns a failed read's cause into net.Conn's errors.
func (c *hijackedConn) readError(err error) error {
	switch {
	case err == errReadTimeout && c.closed:
		return c.opError("read", net.ErrClosed)
	case err == errReadTimeout:
		return c.opError("read", os.ErrDeadlineExceeded)
	case errors.Is(err, poller.ErrClosed), errors.Is(err, ErrClosed), errors.Is(err, ErrResponded):
		return c.opError("read", net.ErrClosed)
	}
	return c.opError("read", err)
}

// Write implements net.Conn: it returns once the bytes are queued and the
// connection's unsent output is under its low-water mark, so that a writer
// faster than its client waits for it.
func (c *hijackedConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	l := c.r.x.Loop()
	if l.Driving() { // an inline handler: queue it, and do not wait
		if c.closed {
			return 0, c.opError("write", net.ErrClosed)
		}
		if _, err := c.r.x.WriteBody(c.r.gen, p); err != nil {
			return 0, c.opError("write", net.ErrClosed)
		}
		return len(p), nil
	}
	if c.wres == nil {
		c.wres = make(chan ioResult, 1)
	}
	l.Post(func() { c.startWrite(p, c.wres) })
	select {
	case out := <-c.wres:
		return out.n, out.err
	case <-c.gone:
		return 0, c.opError("write", net.ErrClosed)
	}
}

// startWrite queues p on the loop and waits, under the write deadline, for
// the output to be back under the low-water mark.
func (c *hijackedConn) startWrite(p []byte, res chan ioResult) {
	op := &connOp{res: res, n: len(p)}
	r := c.r
	switch {
	case c.closed:
		op.report(0, c.opError("write", net.ErrClosed))
		return
	case !c.wdl.IsZero() && !time.Now().Before(c.wdl):
		op.report(0, c.opError("write", os.ErrDeadlineExceeded))
		return
	}
	f, err := r.x.WriteBody(r.gen, p) // p is copied or written by now
	if err != nil {
		op.report(0, c.opError("write", net.ErrClosed))
		return
	}
	if !f.Finished() {
		c.writing = op
		if !c.wdl.IsZero() {
			op.timer = r.Loop().AddTimer(time.Until(c.wdl), func() {
				op.timer = nil
				// The bytes are queued; the writer stops waiting for them.
				op.report(op.n, c.opError("write", os.ErrDeadlineExceeded))
			})
		}
	}
	f.AddCallback(func() {
		if c.writing == op {
			c.writing = nil
		}
		if err := f.Err(); err != nil {
			op.report(0, c.opError("write", net.ErrClosed))
			return
		}
		op.report(op.n, nil)
	})
}

// Close implements net.Conn. Reads and writes in progress fail at once;
// what was written goes out first (for up to ShutdownGrace's default, 5
// s, if the client does not read it), then the connection closes.
func (c *hijackedConn) Close() error {
	done := make(chan error, 1)
	l := c.r.x.Loop()
	close := func() {
		if c.closed {
			done <- c.opError("close", net.ErrClosed)
			return
		}
		c.closed = true
		c.cancelRead()
		if op := c.writing; op != nil {
			op.report(op.n, c.opError("write", net.ErrClosed))
		}
		c.closeWhenDrained()
		done <- nil
	}
	if l.Driving() {
		close()
		return <-done
	}
	l.Post(close)
	select {
	case err := <-done:
		return err
	case <-c.gone:
		return nil
	}
}

// drainTimeout bounds how long a closed hijacked connection waits for its
// client to take what was written to it.
const drainTimeout = 5 * time.Second

// closeWhenDrained closes the connection once its output is out, or after
// drainTimeout. On the loop.
func (c *hijackedConn) closeWhenDrained() {
	r := c.r
	f := r.x.Drained(r.gen)
	if f.Finished() {
		r.x.Abort(r.gen)
		return
	}
	t := r.Loop().AddTimer(drainTimeout, func() { r.x.Abort(r.gen) })
	f.AddCallback(func() {
		t.Stop()
		r.x.Abort(r.gen)
	})
}

// LocalAddr implements net.Conn.
func (c *hijackedConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr implements net.Conn.
func (c *hijackedConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline implements net.Conn.
func (c *hijackedConn) SetDeadline(t time.Time) error {
	c.setDeadline(t, true, true)
	return nil
}

// SetReadDeadline implements net.Conn: it applies to the read in progress
// too (a past time ends it at once: the usual way to wake a reader).
func (c *hijackedConn) SetReadDeadline(t time.Time) error {
	c.setDeadline(t, true, false)
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *hijackedConn) SetWriteDeadline(t time.Time) error {
	c.setDeadline(t, false, true)
	return nil
}

// setDeadline hands new deadlines to the loop, where the operations in
// progress take them up. Operations started later see them, since the
// loop runs what is handed to it in order.
func (c *hijackedConn) setDeadline(t time.Time, read, write bool) {
	set := func() {
		if read {
			c.rdl = t
			if op := c.reading; op != nil {
				c.rearm(op, t, c.readTimedOut)
			}
		}
		if write {
			c.wdl = t
			if op := c.writing; op != nil {
				c.rearm(op, t, func() {
					op.timer = nil
					op.report(op.n, c.opError("write", os.ErrDeadlineExceeded))
				})
			}
		}
	}
	l := c.r.x.Loop()
	if l.OnLoop() {
		set()
		return
	}
	l.Post(set)
}

// rearm moves an operation's deadline timer to t. On the loop.
func (c *hijackedConn) rearm(op *connOp, t time.Time, fire func()) {
	if op.timer != nil {
		op.timer.Stop()
		op.timer = nil
	}
	if t.IsZero() {
		return
	}
	if d := time.Until(t); d > 0 {
		op.timer = c.r.Loop().AddTimer(d, fire)
		return
	}
	fire()
}

// opError wraps err as net's connections do.
func (c *hijackedConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.local, Addr: c.remote, Err: err}
}
