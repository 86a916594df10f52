//go:build linux || darwin || freebsd

package poller

import "golang.org/x/sys/unix"

// maxSendFile bounds one sendfile(2): the kernel would stop near 2 GiB
// anyway, and smaller calls return to the loop sooner.
const maxSendFile = 4 << 20

// sysSendFile sends the next piece of seg with sendfile(2), which copies
// from the page cache to the socket inside the kernel. On macOS and FreeBSD
// a non-blocking sendfile may write part of the piece and then report
// EAGAIN: the part written counts.
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
