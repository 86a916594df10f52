package server

import (
	"io"
	"os"

	"asynchttpserver.dev/internal/poller"
)

// sendable is a file the server can send with sendfile(2): an *os.File,
// or a value that wraps one and keeps its methods. io.Copy(w, f) from an
// *os.File reaches w's ReadFrom only through such a wrapper: it tries
// f.WriteTo first, which, unable to splice into w, copies to w through a
// value that hides WriteTo and embeds f.
type sendable interface {
	poller.File
	Stat() (os.FileInfo, error)
	Seek(offset int64, whence int) (int64, error)
}

// sendableFile returns the file src reads, directly or through an
// io.LimitedReader (as http.ServeContent and io.CopyN pass it), or nil.
func sendableFile(src io.Reader) (sendable, *io.LimitedReader) {
	lr, _ := src.(*io.LimitedReader)
	if lr != nil {
		src = lr.R
	}
	f, _ := src.(sendable)
	return f, lr
}

// fileSection returns how much of f is left to send from its current
// offset (bounded by lr), and that offset; ok is false unless f is a
// regular file whose offset can be read.
func fileSection(f sendable, lr *io.LimitedReader) (size, off int64, ok bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return 0, 0, false
	}
	off, err = f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0, false
	}
	size = max(st.Size()-off, 0)
	if lr != nil {
		size = min(size, max(lr.N, 0))
	}
	return size, off, true
}
