package poller

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Socket errors.
var (
	// ErrClosed is the error of operations on a closed socket.
	ErrClosed = errors.New("poller: socket closed")
	// ErrRecvBusy is returned when Recv is called while another Recv is
	// still pending: the bytes could go to either, so the order would be
	// a guess.
	ErrRecvBusy = errors.New("poller: a Recv is already pending")
	// ErrWouldBlock is returned by Read when no data is ready.
	ErrWouldBlock = errors.New("poller: operation would block")
)

// Socket is a non-blocking stream socket on a loop: Nim's AsyncSocket.
//
// It has two modes, each with its own contract:
//
//   - Future mode, as in Nim (the default): Recv, Send, Writev, SendFile,
//     each returning a future that completes on the loop. Input is read
//     only while a Recv is pending.
//   - Owner mode, for code that wants no future per operation (the HTTP
//     server's connections, the load generator): SetOwner gives the
//     socket's input to an Owner, told when input is ready (Readable: it
//     reads with Read) and when output that had to wait for the peer has
//     drained (Drained: the moment to resume after back-pressure); output
//     is appended in place with OutBuf and sent with Flush.
//
// Both modes share one ordered output queue, so bytes from Send and from
// OutBuf leave in the order they were queued; a socket can go from one
// mode to the other (an upgraded connection goes back to future mode).
//
// Writes are attempted at once; only what the kernel does not take is
// kept, and write interest is armed only while something is kept (so an
// idle socket costs no wake-ups).
//
// A Socket's methods must be called on its loop.
type Socket struct {
	loop     *Loop
	fd       int
	interest Event
	closed   bool
	err      error // the first write error; later writes fail with it
	peer     netip.AddrPort

	owner     Owner // owner mode when set: takes readiness and drain notices
	noReading bool  // the owner paused reading

	out      []byte // pending output: out[sent:] is unsent
	sent     int
	outDone  uint64 // bytes of out written over the socket's life (file bytes not counted)
	fileLeft int64  // bytes of queued files (more.files) not yet written
	written  uint64 // bytes written over the socket's life
	writes   uint64 // write system calls that wrote something
	closeWr  bool   // shut down the write side once out drains
	exposed  bool   // Control lent the descriptor out: unregister it before closing

	// more holds what only some sockets use (futures, files), made on
	// first use: a server's idle keep-alive connection is mostly its
	// Socket, and this keeps it small.
	more *socketMore
}

// socketMore is the part of a Socket that only some sockets need.
type socketMore struct {
	recvBuf []byte
	recvFut *FutureOf[int]
	unread  []byte // bytes handed back by Unread, delivered before the socket's
	dialFut *FutureOf[*Socket]
	files   []fileSeg // file sections queued between bytes of out (sendfile.go)
	waiters []sendWaiter
}

// extra returns the socket's socketMore, making it if needed.
func (s *Socket) extra() *socketMore {
	if s.more == nil {
		s.more = &socketMore{}
	}
	return s.more
}

func (s *Socket) recvPending() bool { return s.more != nil && s.more.recvFut != nil }
func (s *Socket) dialPending() bool { return s.more != nil && s.more.dialFut != nil }
func (s *Socket) hasFiles() bool    { return s.more != nil && len(s.more.files) > 0 }
func (s *Socket) hasWaiters() bool  { return s.more != nil && len(s.more.waiters) > 0 }

// sendWaiter is a Send's future, completed once written reaches end.
type sendWaiter struct {
	end uint64
	f   *Future
}

// NewSocket wraps a connected, non-blocking descriptor.
func (l *Loop) NewSocket(fd int, peer netip.AddrPort) (*Socket, error) {
	s := &Socket{}
	if err := s.Init(l, fd, peer); err != nil {
		return nil, err
	}
	return s, nil
}

// Init wraps fd in s, which may be embedded in a longer-lived object. fd
// must be connected and non-blocking; s takes ownership of it.
func (s *Socket) Init(l *Loop, fd int, peer netip.AddrPort) error {
	*s = Socket{loop: l, fd: fd, peer: peer}
	if err := l.Register(fd, s, 0); err != nil {
		return err
	}
	return nil
}

// FD returns the socket's descriptor (-1 once closed).
func (s *Socket) FD() int {
	if s.closed {
		return -1
	}
	return s.fd
}

// Loop returns the loop the socket belongs to.
func (s *Socket) Loop() *Loop { return s.loop }

// RemoteAddr returns the peer's address as accept or dial saw it.
func (s *Socket) RemoteAddr() netip.AddrPort { return s.peer }

// LocalAddr returns the socket's own address.
func (s *Socket) LocalAddr() netip.AddrPort { return localAddr(s.fd) }

// Closed reports whether Close has been called.
func (s *Socket) Closed() bool { return s.closed }

// Err returns the error that ended the socket's output, if any.
func (s *Socket) Err() error { return s.err }

// SetNoDelay turns Nagle's algorithm off (true) or on. Servers want it
// off: a response must not wait for the ACK of the previous one.
func (s *Socket) SetNoDelay(on bool) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(s.fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, v); err != nil {
		return fmt.Errorf("poller: TCP_NODELAY: %w", err)
	}
	return nil
}

// Owner takes a socket's events in owner mode (SetOwner).
type Owner interface {
	// Readable: input is ready (data, end of file or an error): read it
	// with Read. The loop is level-triggered: input left unread is
	// reported again, so one Read per call is enough.
	Readable()
	// Drained: output that had to wait for the peer has all been written,
	// or the write failed (Err says): back-pressure may be lifted.
	Drained()
}

// SetOwner puts the socket in owner mode with o as its owner; nil returns
// it to future mode.
func (s *Socket) SetOwner(o Owner) {
	s.owner = o
	s.noReading = false
	s.updateInterest()
}

// Reading reports whether the owner takes read events (SetReading).
func (s *Socket) Reading() bool { return !s.noReading }

// SetReading pauses (false) or resumes (true) the owner's read events: the
// back-pressure valve for a peer that sends faster than it reads.
func (s *Socket) SetReading(on bool) {
	s.noReading = !on
	s.updateInterest()
}

// Read reads what is available into p, without blocking. It returns
// ErrWouldBlock when nothing is, and io.EOF when the peer has closed its
// side.
func (s *Socket) Read(p []byte) (int, error) {
	if s.closed {
		return 0, ErrClosed
	}
	if s.more != nil && len(s.more.unread) > 0 {
		n := copy(p, s.more.unread)
		s.more.unread = s.more.unread[n:]
		return n, nil
	}
	n, err := sysRead(s.fd, p)
	switch {
	case err == unix.EAGAIN:
		return 0, ErrWouldBlock
	case err != nil:
		return 0, fmt.Errorf("poller: read: %w", err)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	s.loop.stats.BytesRead += uint64(n)
	return n, nil
}

// OutBuf returns the socket's pending output, for appending in place:
//
//	b := s.OutBuf()
//	*b = append(*b, response...)
//	s.Flush()
//
// Only append to it; bytes already there may be in flight.
func (s *Socket) OutBuf() *[]byte {
	if s.out == nil {
		s.out = s.loop.GetBuffer()
	}
	return &s.out
}

// Pending returns how many queued bytes (queued file sections included)
// have not been written yet.
func (s *Socket) Pending() int { return len(s.out) - s.sent + int(s.fileLeft) }

// Queue writes bufs, like Writev without a future: with one gathered
// system call when nothing is queued before them, and what the kernel does
// not take is queued (copied). Large writes thus go out without a copy
// into the output buffer. A write error is kept for the next Flush or
// Send.
func (s *Socket) Queue(bufs ...[]byte) {
	if s.closed || s.err != nil {
		return
	}
	if s.Pending() == 0 {
		n, err := s.writev(bufs)
		if err != nil {
			s.fail(err)
			return
		}
		bufs = skipBytes(bufs, n)
	}
	if byteCount(bufs) == 0 {
		return
	}
	o := s.OutBuf()
	for _, b := range bufs {
		*o = append(*o, b...)
	}
	s.Flush()
}

// Flush writes as much pending output as the kernel takes now and arms
// write interest for the rest. It returns the error that ended the output,
// if any.
func (s *Socket) Flush() error {
	if s.err != nil {
		return s.err
	}
	for {
		end := len(s.out)
		if s.hasFiles() {
			// Bytes of out before the first file, then the file.
			if at := s.fileAt(); s.sent < at {
				end = at
			} else {
				done, err := s.sendFile(&s.more.files[0])
				if err != nil {
					s.fail(err)
					return s.err
				}
				if !done {
					break
				}
				s.popFile()
				continue
			}
		}
		if s.sent == end {
			break
		}
		n, err := sysWrite(s.fd, s.out[s.sent:end])
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			s.fail(fmt.Errorf("poller: write: %w", err))
			return s.err
		}
		s.sent += n
		s.outDone += uint64(n)
		s.written += uint64(n)
		s.loop.stats.BytesSent += uint64(n)
		s.writes++
	}
	if s.sent == len(s.out) {
		s.drained()
	}
	if s.hasWaiters() {
		s.completeWaiters()
	}
	// Interest changes only when output starts or stops waiting for the
	// peer; the common flush (everything written at once) skips the check.
	if (s.Pending() > 0) != (s.interest&EventWrite != 0) {
		s.updateInterest()
	}
	return nil
}

// drained resets the output buffer once it is all written and returns it
// to the loop, so that an idle connection holds no buffer; once nothing at
// all is pending, a requested shutdown of the write side happens.
func (s *Socket) drained() {
	if s.out != nil {
		s.loop.PutBuffer(s.out)
		s.out, s.sent = nil, 0
	}
	if s.closeWr && !s.hasFiles() {
		s.closeWr = false
		unix.Shutdown(s.fd, unix.SHUT_WR)
	}
}

// fail ends the output with err: queued bytes are dropped and every
// waiting Send fails.
func (s *Socket) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.out, s.sent = nil, 0
	s.dropFiles()
	if s.more == nil {
		return
	}
	w := s.more.waiters
	for i := range w {
		w[i].f.fail(s.err)
		w[i] = sendWaiter{}
	}
	s.more.waiters = w[:0]
}

// CloseWrite shuts down the write side (the peer reads end of file) once
// the pending output has been written; reading goes on.
func (s *Socket) CloseWrite() error {
	if s.closed {
		return ErrClosed
	}
	if s.Pending() > 0 {
		s.closeWr = true
		return nil
	}
	if err := unix.Shutdown(s.fd, unix.SHUT_WR); err != nil {
		return fmt.Errorf("poller: shutdown: %w", err)
	}
	return nil
}

// Close closes the socket at once; pending output is dropped and pending
// futures fail with ErrClosed. It is idempotent (Nim's close).
func (s *Socket) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.recvPending() {
		f := s.more.recvFut
		s.more.recvFut, s.more.recvBuf = nil, nil
		f.fail(ErrClosed)
	}
	if s.dialPending() {
		f := s.more.dialFut
		s.more.dialFut = nil
		f.fail(ErrClosed)
	}
	if s.out != nil {
		s.loop.PutBuffer(s.out)
	}
	s.fail(ErrClosed)
	s.dropFiles()
	s.owner = nil
	if s.exposed {
		// The loop closes descriptors without EPOLL_CTL_DEL, relying on
		// close(2) to drop them from the kernel's set; that holds only if
		// nobody else holds the open file (a dup made through Control
		// would keep its registration, and its events, alive).
		s.loop.Unregister(s.fd)
	}
	return s.loop.CloseFD(s.fd)
}

// Control runs fn with the socket's descriptor, for options the socket
// does not set itself. fn must not close the descriptor; if it duplicates
// it, the duplicate must not outlive the socket. The socket then removes
// itself from the loop's kernel set explicitly when it closes.
func (s *Socket) Control(fn func(fd uintptr)) error {
	if s.closed {
		return ErrClosed
	}
	s.exposed = true
	fn(uintptr(s.fd))
	return nil
}

// HandleEvent implements Handler.
func (s *Socket) HandleEvent(ev Event) {
	if ev&EventWrite != 0 {
		if s.dialPending() {
			s.finishDial()
			return
		}
		s.writable()
	}
	if ev&EventRead != 0 && !s.closed {
		switch {
		case s.owner != nil:
			s.owner.Readable()
		case s.recvPending():
			m := s.more
			f, p := m.recvFut, m.recvBuf
			m.recvFut, m.recvBuf = nil, nil
			if !s.tryRecv(f, p) {
				m.recvFut, m.recvBuf = f, p
			}
			s.updateInterest()
		}
	}
}

// writable continues a flush the kernel interrupted, and tells the owner
// when it is done (or has failed), so that it can resume reading.
func (s *Socket) writable() {
	wasPending := s.Pending() > 0
	s.Flush()
	if s.owner != nil && wasPending && (s.Pending() == 0 || s.err != nil) && !s.closed {
		s.owner.Drained()
	}
}

// updateInterest watches exactly what the socket is waiting for.
func (s *Socket) updateInterest() {
	if s.closed {
		return
	}
	var want Event
	if (s.owner != nil && !s.noReading) || s.recvPending() {
		want |= EventRead
	}
	if s.Pending() > 0 || s.dialPending() {
		want |= EventWrite
	}
	if want == s.interest {
		return
	}
	if err := s.loop.SetInterest(s.fd, want); err != nil {
		s.fail(err)
		return
	}
	s.interest = want
}

// Written returns how many bytes the socket has written over its life.
func (s *Socket) Written() uint64 { return s.written }

// Writes returns how many write system calls the socket has made that
// wrote something (a test of coalescing, and a statistic).
func (s *Socket) Writes() uint64 { return s.writes }
