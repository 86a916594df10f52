//go:build darwin || freebsd

package poller

import (
	"errors"

	"golang.org/x/sys/unix"
)

// errWouldBlock is what sysSendFile returns when the socket is full.
var errWouldBlock = errors.New("would block")

const maxSendFile = 4 << 20

// sysSendFile sends the next piece of seg with sendfile(2). On macOS and
// FreeBSD a non-blocking sendfile may write part of the piece and then
// report EAGAIN: the part written counts.
func sysSendFile(fd int, seg *fileSeg) (int, error) {
	for {
		off := seg.off
		n, err := unix.Sendfile(fd, seg.fd, &off, int(min(seg.left, maxSendFile)))
		if n > 0 {
			seg.advance(n)
		}
		switch err {
		case unix.EINTR:
			if n > 0 {
				return n, nil
			}
			continue
		case unix.EAGAIN:
			return n, errWouldBlock
		}
		return n, err
	}
}
