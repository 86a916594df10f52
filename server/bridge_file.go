package server

import (
	"io"
	"os"
)

// ReadFrom implements io.ReaderFrom: a regular file (or an
// io.LimitedReader of one, as http.ServeContent passes) goes out with
// sendfile(2), after its first 512 bytes went through Write for
// Content-Type sniffing; anything else is copied. Inline, files are
// copied too: sendfile's completion cannot be waited for on the loop.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	f, lr := sendableFile(src)
	if f == nil || w.inline || w.hijacked || w.req.Method == MethodHead {
		return io.Copy(writerOnly{w}, src)
	}
	var n int64
	if !w.committed {
		n0, err := io.Copy(writerOnly{w}, io.LimitReader(src, 512))
		n += n0
		if err != nil || n0 < 512 {
			return n, err
		}
	}
	if !bodyAllowed(w.status) {
		n0, err := io.Copy(writerOnly{w}, src)
		return n + n0, err
	}
	size, off, ok := fileSection(f, lr)
	if !ok || w.clen >= 0 && w.written+size > w.clen {
		n0, err := io.Copy(writerOnly{w}, src) // Write refuses what is too much
		return n + n0, err
	}
	if err := w.FlushError(); err != nil {
		return n, err
	}
	if size == 0 {
		return n, nil
	}
	r := w.req
	err := w.wait(func() *Future {
		if fut := w.st.SendFile(f, off, size); fut.Failed() {
			return fut
		}
		return r.x.Drained(r.gen) // f may be closed once ReadFrom returns
	})
	if err != nil {
		return n, err
	}
	w.written += size
	if lr != nil {
		lr.N -= size
	}
	_, err = f.Seek(size, io.SeekCurrent)
	return n + size, err
}

// sendableFile returns the regular file src reads, directly or through
// an io.LimitedReader.
func sendableFile(src io.Reader) (*os.File, *io.LimitedReader) {
	lr, _ := src.(*io.LimitedReader)
	if lr != nil {
		src = lr.R
	}
	f, _ := src.(*os.File)
	return f, lr
}

// fileSection returns how much of f is left to send from its current
// offset (bounded by lr), and that offset.
func fileSection(f *os.File, lr *io.LimitedReader) (size, off int64, ok bool) {
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

// writerOnly hides ReadFrom, so that io.Copy to it does not come back.
type writerOnly struct{ io.Writer }
