//go:build netbsd || openbsd

package poller

import "golang.org/x/sys/unix"

// copyChunk is the read-ahead of the copying fallback.
const copyChunk = 64 << 10

// sysSendFile copies the next piece of seg through a buffer: NetBSD and
// OpenBSD have no sendfile(2). What the socket does not take stays in the
// buffer for the next call.
func sysSendFile(fd int, seg *fileSeg) (int, error) {
	if seg.bufN == 0 {
		if seg.buf == nil {
			seg.buf = make([]byte, copyChunk)
		}
		n, err := unix.Pread(seg.fd, seg.buf[:min(int64(len(seg.buf)), seg.left)], seg.off)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, nil // the file ended early: sendFile reports it
		}
		copy(seg.buf[len(seg.buf)-n:], seg.buf[:n])
		seg.bufN = n
		seg.off += int64(n)
	}
	n, err := sysWrite(fd, seg.buf[len(seg.buf)-seg.bufN:])
	if err == unix.EAGAIN {
		return 0, errWouldBlock
	}
	if err != nil {
		return 0, err
	}
	seg.bufN -= n
	seg.left -= int64(n)
	return n, nil
}
