package poller

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// The Socket's future mode (Nim's AsyncSocket operations): reads and
// writes that return futures, and the waiters that complete the writes'.
// The owner mode's side, and what both share (the output queue, Flush,
// Close), are in socket.go.

// Unread hands bytes back to the socket: the next reads return them first.
// A server passes the bytes it read beyond an upgrade request this way to
// the handler that takes the connection over. The socket keeps p.
func (s *Socket) Unread(p []byte) {
	if len(p) > 0 {
		m := s.extra()
		m.unread = append(p[:len(p):len(p)], m.unread...)
	}
}

// Recv reads at least one byte into p (Nim's recvInto). The future
// completes with the number of bytes read, 0 at end of file.
func (s *Socket) Recv(p []byte) *FutureOf[int] {
	f := NewFutureOf[int](s.loop)
	switch {
	case s.recvPending():
		f.fail(ErrRecvBusy)
	case len(p) == 0:
		f.complete(0)
	default:
		if !s.tryRecv(f, p) {
			m := s.extra()
			m.recvBuf, m.recvFut = p, f
			s.updateInterest()
		}
	}
	return f
}

// CancelRecv fails a pending Recv with err (a deadline passed, say): its
// future fails, and the buffer it was given is no longer written. It
// reports whether a Recv was pending.
func (s *Socket) CancelRecv(err error) bool {
	if !s.recvPending() {
		return false
	}
	f := s.more.recvFut
	s.more.recvFut, s.more.recvBuf = nil, nil
	s.updateInterest()
	f.fail(err)
	return true
}

// tryRecv finishes f if the read does not block, and reports whether it did.
func (s *Socket) tryRecv(f *FutureOf[int], p []byte) bool {
	n, err := s.Read(p)
	switch err {
	case nil:
		f.complete(n)
	case io.EOF:
		f.complete(0)
	case ErrWouldBlock:
		return false
	default:
		f.fail(err)
	}
	return true
}

// Send queues p and writes what it can at once (Nim's send). The future
// completes when all of p has been handed to the kernel, and fails if the
// socket closes or the write fails first. p is copied.
func (s *Socket) Send(p []byte) *Future {
	if f := s.queueCheck(); f != nil {
		return f
	}
	o := s.OutBuf()
	*o = append(*o, p...)
	return s.flushAndWait()
}

// SendNotify is Send with the caller's future: f completes once p has
// been handed to the kernel, or fails as Send's would. Several writes can
// share one future this way.
func (s *Socket) SendNotify(p []byte, f *Future) {
	if g := s.queueCheck(); g != nil {
		f.fail(g.err)
		return
	}
	o := s.OutBuf()
	*o = append(*o, p...)
	end := s.written + uint64(s.Pending())
	if err := s.Flush(); err != nil {
		f.fail(err)
		return
	}
	if s.written >= end {
		f.complete()
		return
	}
	m := s.extra()
	m.waiters = append(m.waiters, sendWaiter{end: end, f: f})
}

// SendString is Send for a string.
func (s *Socket) SendString(p string) *Future {
	if f := s.queueCheck(); f != nil {
		return f
	}
	o := s.OutBuf()
	*o = append(*o, p...)
	return s.flushAndWait()
}

// Writev writes several buffers with one gathered system call when
// nothing is queued before them, and queues (copies) what the kernel does
// not take. The future completes as for Send.
func (s *Socket) Writev(bufs ...[]byte) *Future {
	if f := s.queueCheck(); f != nil {
		return f
	}
	if s.Pending() == 0 {
		n, err := s.writev(bufs)
		if err != nil {
			s.fail(err)
			return s.loop.Failed(s.err)
		}
		bufs = skipBytes(bufs, n)
	}
	o := s.OutBuf()
	for _, b := range bufs {
		*o = append(*o, b...)
	}
	return s.flushAndWait()
}

// writev writes bufs in batches of at most maxIovecs, stopping at the
// first short write, and returns how many bytes went out.
func (s *Socket) writev(bufs [][]byte) (int, error) {
	total := 0
	for len(bufs) > 0 {
		batch := bufs
		if len(batch) > maxIovecs {
			batch = batch[:maxIovecs]
		}
		n, err := sysWritev(s.fd, batch)
		if err == unix.EAGAIN {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("poller: writev: %w", err)
		}
		total += n
		s.written += uint64(n)
		s.loop.stats.BytesSent += uint64(n)
		s.outDone += uint64(n)
		s.writes++
		if n < byteCount(batch) {
			return total, nil
		}
		bufs = bufs[len(batch):]
	}
	return total, nil
}

func byteCount(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

// skipBytes drops the first n bytes of bufs.
func skipBytes(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 && n > 0 {
		bufs = append([][]byte{bufs[0][n:]}, bufs[1:]...)
	}
	return bufs
}

// queueCheck returns a failed future if nothing more may be queued.
func (s *Socket) queueCheck() *Future {
	switch {
	case s.closed:
		return s.loop.Failed(ErrClosed)
	case s.err != nil:
		return s.loop.Failed(s.err)
	}
	return nil
}

// flushAndWait flushes and returns a future for everything queued so far.
func (s *Socket) flushAndWait() *Future {
	end := s.written + uint64(s.Pending())
	if err := s.Flush(); err != nil {
		return s.loop.Failed(err)
	}
	if s.written >= end {
		return s.loop.Done()
	}
	f := s.loop.NewFuture()
	m := s.extra()
	m.waiters = append(m.waiters, sendWaiter{end: end, f: f})
	return f
}

// WaitBelow returns a future that completes once at most low bytes are
// pending: the back-pressure signal of a writer that should not queue
// much more than low ahead of the peer. It fails if the output fails
// first.
func (s *Socket) WaitBelow(low int) *Future {
	if f := s.queueCheck(); f != nil {
		return f
	}
	if s.Pending() <= low {
		return s.loop.Done()
	}
	f := s.loop.NewFuture()
	m := s.extra()
	m.waiters = append(m.waiters, sendWaiter{end: s.written + uint64(s.Pending()-low), f: f})
	return f
}

func (s *Socket) completeWaiters() {
	i := 0
	w := s.more.waiters
	for ; i < len(w) && w[i].end <= s.written; i++ {
		w[i].f.complete()
		w[i] = sendWaiter{}
	}
	if i > 0 {
		s.more.waiters = append(w[:0], w[i:]...)
	}
}
