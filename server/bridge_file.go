package server

import (
	"io"
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
		if fut := w.st.sendFile(f, off, size); fut.Failed() {
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

// writerOnly hides ReadFrom, so that io.Copy to it does not come back.
type writerOnly struct{ io.Writer }
