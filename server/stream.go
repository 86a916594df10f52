package server

import (
	"errors"
	"io"
	"os"
	"strconv"

	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/poller"
)

// Stream is a response whose body is written in pieces, without knowing
// its length in advance: a large download, a generated CSV, server-sent
// events. The server frames it: with the Content-Length the headers give,
// exactly that many bytes; without one, chunked coding to an HTTP/1.1
// client (trailers possible at the end) and a body delimited by closing
// the connection to an HTTP/1.0 one. HEAD, 204 and 304 responses carry no
// body: what is written is dropped.
//
// Two ways to write it:
//
//   - On the loop, with futures (Send, SendString, SendFile, End). Each
//     write's future completes once the connection's unsent output is back
//     under a low-water mark (a quarter of MaxOutput): a handler that
//     waits for it before writing more never buffers much more than
//     MaxOutput, however slowly the client reads.
//   - From a goroutine, as an io.Writer (Write, WriteString, ReadFrom,
//     Flush, Close): writes are buffered (16 KiB) and handed to the loop,
//     and block while the client is behind, so that json.Encoder, io.Copy
//     or text/template stream at the client's pace in bounded memory.
//     These methods panic on the loop, where blocking would stop every
//     connection.
//
// WriteTimeout governs a stream as any response: a client that reads
// nothing for that long loses its connection, and the writes fail with
// ErrClosed.
type Stream struct {
	r *Request
	// The io.Writer side fills buf, hands it to the loop, and goes on
	// filling spare while the loop writes buf out (double buffering): a
	// goroutine and the loop meet once per streamBuffer bytes, not once
	// per write.
	buf, spare []byte
	inFlight   bool // a handed-over buffer's write has not reported yet
	done       chan error
	err        error // the first error of the io.Writer side
}

// Stream starts a response with code and headers whose body follows in
// pieces (see Stream). It fails as SendHeaders does: ErrResponded,
// ErrClosed, ErrStatus, ErrHeader, ErrContentLength, and ErrChunked for a
// Transfer-Encoding other than chunked (a coding the server cannot frame
// around). Safe from any goroutine: the head goes out once every earlier
// response on the connection has.
func (r *Request) Stream(code int, headers Headers) (*Stream, error) {
	x, gen := r.x, r.gen
	if err := x.Claim(gen); err != nil {
		return nil, err
	}
	x.Fields = appendFields(x.Fields[:0], headers)
	err := r.onLoop(func() error {
		_, err := x.CommitHead(gen, code, conn.ServerFramed)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.dropBody = r.Method == MethodHead || code == 204 || code == 304
	return &Stream{r: r}, nil
}

// Send writes p as the next part of the body (p is copied). The future
// completes when the connection's unsent output is back under the
// low-water mark: write the next part then. It fails with ErrClosed when
// the client is gone, ErrContentLength past a declared length, and
// ErrResponded after End. On the loop.
func (s *Stream) Send(p []byte) *Future {
	x := s.r.x
	x.Loop().MustBeOnLoop("Stream.Send")
	if s.r.dropBody {
		return x.Loop().Done()
	}
	f, err := x.WriteBody(s.r.gen, p)
	if err != nil {
		return x.Loop().Failed(err)
	}
	return f
}

// SendString is Send for a string.
func (s *Stream) SendString(p string) *Future { return s.Send([]byte(p)) }

// SendFile writes n bytes of f from offset as the next part of the body,
// with sendfile(2) where the OS has it (Linux, macOS, FreeBSD: the bytes
// go from the page cache to the socket without a copy through the
// process) and a read/write loop elsewhere. The future completes, as
// Send's, when the connection's unsent output is back under a quarter of
// MaxOutput; f may be closed then, the section perhaps still being sent:
// the connection sends from its own duplicate of f's descriptor. f's
// offset is neither used nor moved. On the loop.
func (s *Stream) SendFile(f *os.File, offset, n int64) *Future {
	return s.sendFile(f, offset, n)
}

// sendFile is SendFile for an *os.File or a wrapper of one (sendable).
func (s *Stream) sendFile(f poller.File, offset, n int64) *Future {
	x := s.r.x
	x.Loop().MustBeOnLoop("Stream.SendFile")
	if s.r.dropBody {
		return x.Loop().Done()
	}
	fut, err := x.WriteFile(s.r.gen, f, offset, n)
	if err != nil {
		return x.Loop().Failed(err)
	}
	return fut
}

// End ends the body, with trailer fields if it is chunked (otherwise they
// are dropped: nothing can carry them). A body short of its declared
// Content-Length fails with ErrContentLength, and the connection closes so
// that the client sees the truncation. On the loop.
func (s *Stream) End(trailers Headers) *Future {
	x := s.r.x
	x.Loop().MustBeOnLoop("Stream.End")
	if err := x.EndBody(s.r.gen, appendFields(nil, trailers)); err != nil {
		return x.Loop().Failed(err)
	}
	return x.Loop().Done()
}

// streamBuffer is how much the io.Writer side gathers before handing it
// to the loop. The buffer grows to it as needed, so a stream of small
// flushed writes (server-sent events) keeps a small one.
const streamBuffer = 256 << 10

// errWriterOnLoop is the panic of the io.Writer side called on the loop.
const errWriterOnLoop = "called on the loop, where it would block every connection: use Send"

// Write buffers p, handing the buffer to the loop when it fills, and
// blocks while the client is behind. For a goroutine; it panics on the
// loop.
func (s *Stream) Write(p []byte) (int, error) {
	s.mustBeOffLoop("Stream.Write")
	n := len(p)
	for len(p) > 0 {
		if s.err != nil {
			return n - len(p), s.err
		}
		k := min(len(p), streamBuffer-len(s.buf))
		s.buf = append(s.buf, p[:k]...)
		p = p[k:]
		if len(s.buf) == streamBuffer {
			s.handOver()
		}
	}
	return n, s.err
}

// WriteString is Write for a string.
func (s *Stream) WriteString(p string) (int, error) { return s.Write([]byte(p)) }

// Flush hands what is buffered to the loop and waits until the
// connection's unsent output is under the low-water mark: after it, the
// client has (or is about to have) what was written, as server-sent events
// need. For a goroutine.
func (s *Stream) Flush() error {
	s.mustBeOffLoop("Stream.Flush")
	if len(s.buf) > 0 {
		s.handOver()
	}
	s.settle()
	return s.err
}

// handOver gives buf to the loop to write, without waiting for it, and
// takes the spare buffer to go on with, once the loop is done with it
// (the previous hand-over has reported).
func (s *Stream) handOver() {
	s.settle()
	if s.err != nil {
		return
	}
	p := s.buf
	s.post(func() *Future { return s.Send(p) })
	s.inFlight = true
	s.buf, s.spare = s.spare[:0], p
}

// settle waits for the write in flight, if any, to report.
func (s *Stream) settle() {
	if !s.inFlight {
		return
	}
	s.inFlight = false
	var err error
	select {
	case err = <-s.done:
	case <-s.r.srv().gone: // nothing will run the write any more
		err = ErrServerClosed
	}
	if err != nil && s.err == nil {
		s.err = err
	}
}

// post runs start on the loop; its future's outcome comes on done.
func (s *Stream) post(start func() *Future) {
	if s.done == nil {
		s.done = make(chan error, 1)
	}
	s.r.x.Loop().Post(func() {
		f := start()
		f.AddCallback(func() { s.done <- f.Err() })
	})
}

// wait runs start on the loop and waits for the future it returns.
func (s *Stream) wait(start func() *Future) error {
	s.settle()
	if s.err != nil {
		return s.err
	}
	s.post(start)
	s.inFlight = true
	s.settle()
	return s.err
}

// ReadFrom copies r to the body until r's end, at the client's pace. A
// regular file (io.Copy from an *os.File, or from an io.LimitedReader of
// one) goes with sendfile(2) from its current offset, which it then moves
// past what was sent. For a goroutine: io.Copy uses it.
func (s *Stream) ReadFrom(r io.Reader) (int64, error) {
	s.mustBeOffLoop("Stream.ReadFrom")
	if f, lr := sendableFile(r); f != nil {
		if n, done, err := s.readFile(f, lr); done {
			return n, err
		}
	}
	var total int64
	for {
		if s.err != nil {
			return total, s.err
		}
		if cap(s.buf) < streamBuffer {
			s.buf = append(make([]byte, 0, streamBuffer), s.buf...)
		}
		n, rerr := r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		total += int64(n)
		if len(s.buf) == cap(s.buf) {
			s.handOver()
		}
		if rerr == io.EOF {
			return total, s.err
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// readFile sends the rest of a regular file (up to lr's limit) with
// sendfile; done is false when f is not a regular file (the caller copies
// it instead).
func (s *Stream) readFile(f sendable, lr *io.LimitedReader) (n int64, done bool, err error) {
	n, off, ok := fileSection(f, lr)
	if !ok {
		return 0, false, nil
	}
	if err := s.Flush(); err != nil {
		return 0, true, err
	}
	if err := s.wait(func() *Future { return s.sendFile(f, off, n) }); err != nil {
		return 0, true, err
	}
	if lr != nil {
		lr.N -= n
	}
	_, err = f.Seek(n, io.SeekCurrent)
	return n, true, err
}

// Close flushes what is buffered and ends the body (End without
// trailers). For a goroutine.
func (s *Stream) Close() error {
	if err := s.Flush(); err != nil {
		return err
	}
	return s.wait(func() *Future { return s.End(nil) })
}

// mustBeOffLoop refuses the io.Writer side on the loop's goroutine.
func (s *Stream) mustBeOffLoop(what string) {
	if s.r.x.Loop().Driving() {
		panic(what + " " + errWriterOnLoop)
	}
}

// RespondFile answers with the whole of f, a regular file: its size as
// Content-Length, its bytes sent with sendfile(2) (see Stream.SendFile).
// The future completes as SendFile's; f may be closed then. On the loop.
func (r *Request) RespondFile(code int, headers Headers, f *os.File) *Future {
	l := r.x.Loop()
	l.MustBeOnLoop("Request.RespondFile")
	st, err := f.Stat()
	if err != nil {
		return l.Failed(err)
	}
	if !st.Mode().IsRegular() {
		return l.Failed(errors.New("server: RespondFile: not a regular file: " + f.Name()))
	}
	h := append(headers[:len(headers):len(headers)], Header{Name: "Content-Length", Value: strconv.FormatInt(st.Size(), 10)})
	s, err := r.Stream(code, h)
	if err != nil {
		return l.Failed(err)
	}
	fut := s.SendFile(f, 0, st.Size())
	s.End(nil)
	return fut
}
