package poller

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// errWouldBlock is what sysSendFile returns when the socket is full.
var errWouldBlock = errors.New("would block")

// File is what a socket sends a file section from: an *os.File, or a
// value that wraps one and keeps its methods (io.Copy from an *os.File
// hands the destination's ReadFrom such a wrapper).
type File interface {
	Name() string
	SyscallConn() (syscall.RawConn, error)
}

// fileSeg is a section of a file queued on a socket's output. It sits
// between bytes of the output buffer: at is the count of buffer bytes
// (Socket.outDone plus those still queued) that go before it.
type fileSeg struct {
	name string // the file's, for errors
	fd   int    // the section's own duplicate of the file's descriptor
	off  int64  // next byte of the file to send
	left int64  // bytes still to send
	at   uint64
	buf  []byte // the copying fallback's read-ahead (sendfile_other.go)
	bufN int    // bytes of buf still to write, at its end
}

// SendFile queues n bytes of f from offset, after what is already queued,
// and writes them without copying them through user space where the OS
// can (sendfile(2) on Linux, macOS and FreeBSD; a read/write loop
// elsewhere). The bytes count as pending output (Pending), so they are
// under the same back-pressure and write timeout as any other. The future
// completes once the last of them has been handed to the kernel.
//
// The socket sends from its own duplicate of f's descriptor, closed when
// the section is sent or dropped: the caller may close f as soon as
// SendFile returns, and a descriptor number the process reuses meanwhile
// can never put another file's bytes on the wire. f's offset is neither
// used nor moved.
func (s *Socket) SendFile(f File, offset, n int64) *Future {
	if g := s.queueCheck(); g != nil {
		return g
	}
	if n <= 0 {
		return s.loop.Done()
	}
	fd, err := dupFile(f)
	if err != nil {
		return s.loop.Failed(fmt.Errorf("poller: sendfile %s: %w", f.Name(), err))
	}
	m := s.extra()
	m.files = append(m.files, fileSeg{
		name: f.Name(), fd: fd, off: offset, left: n,
		at: s.outDone + uint64(len(s.out)-s.sent),
	})
	s.fileLeft += n
	return s.flushAndWait()
}

// fileAt returns the index in out where the first queued file goes.
func (s *Socket) fileAt() int { return int(s.more.files[0].at-s.outDone) + s.sent }

// sendFile writes what the kernel takes of the first queued file. It
// reports whether the section is done; false means the socket is full.
func (s *Socket) sendFile(seg *fileSeg) (bool, error) {
	for seg.left > 0 {
		n, err := sysSendFile(s.fd, seg)
		if n > 0 {
			s.written += uint64(n)
			s.loop.stats.BytesSent += uint64(n)
			s.fileLeft -= int64(n)
			s.writes++
		}
		if err != nil {
			if err == errWouldBlock {
				return false, nil
			}
			return false, fmt.Errorf("poller: sendfile: %w", err)
		}
		if n == 0 && seg.bufN == 0 {
			// The file is shorter than promised: nothing more will come,
			// and the peer would wait for bytes that never arrive.
			return false, fmt.Errorf("poller: sendfile: %s ended %d bytes early", seg.name, seg.left)
		}
	}
	return true, nil
}

// popFile drops the first queued file, which has been sent.
func (s *Socket) popFile() {
	m := s.more
	unix.Close(m.files[0].fd)
	m.files[0] = fileSeg{}
	m.files = m.files[1:]
	if len(m.files) == 0 {
		m.files = nil
	}
}

// dropFiles forgets every queued file (the output failed or closed).
func (s *Socket) dropFiles() {
	if s.more != nil {
		for _, seg := range s.more.files {
			unix.Close(seg.fd)
		}
		s.more.files = nil
	}
	s.fileLeft = 0
}

// advance counts n bytes of seg sent by sendfile(2).
func (seg *fileSeg) advance(n int) {
	seg.off += int64(n)
	seg.left -= int64(n)
}

// dupFile returns a close-on-exec duplicate of f's descriptor, taken
// through SyscallConn so that f's blocking mode is left as it is.
func dupFile(f File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	cerr := rc.Control(func(orig uintptr) {
		fd, err = unix.FcntlInt(orig, unix.F_DUPFD_CLOEXEC, 0)
	})
	if cerr != nil {
		return -1, cerr
	}
	return fd, err
}
