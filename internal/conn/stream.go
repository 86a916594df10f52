package conn

import (
	"strconv"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Framing says who frames the body of a streamed response.
type Framing uint8

const (
	// HandlerFramed is Nim's sendHeaders: the handler's bytes go out as
	// they are, checked against what the head declares (Content-Length,
	// the handler's own chunks, or nothing: the body ends with the
	// connection).
	HandlerFramed Framing = iota
	// ServerFramed: the server frames the body. Without a Content-Length it
	// is sent chunked to an HTTP/1.1 client (each write a chunk, trailers
	// at the end) and delimited by closing to an HTTP/1.0 one.
	ServerFramed
)

// bodyMode is how a streamed response's body is framed on the wire. It is
// decided once, from the status, the request and the head's fields, when
// the head is committed; every byte the handler writes is then checked
// against it, so that no sequence of writes can put a byte on the wire
// that the client would read as the start of the next response.
type bodyMode uint8

const (
	// bodyNone: HEAD, 204, 304. There is no body; writes are dropped
	// (RFC 9110 §9.3.2, §15.3.5, §15.4.5).
	bodyNone bodyMode = iota
	// bodyLength: Content-Length: exactly that many bytes. More is cut off
	// and reported; fewer, when the body ends, is reported and closes the
	// connection, the client's only way to see the truncation.
	bodyLength
	// bodyChunked: Transfer-Encoding: chunked, the chunks framed by the
	// handler; the framing is checked as it passes (parser.ChunkChecker).
	bodyChunked
	// bodyDechunk: the same to an HTTP/1.0 client, which must not be sent
	// Transfer-Encoding (RFC 9112 §6.1): the chunks' data goes out without
	// the framing, and the connection's close ends the body.
	bodyDechunk
	// bodyServerChunked: chunked coding applied by the server, a chunk per
	// write, the last chunk and trailers at the end.
	bodyServerChunked
	// bodyClose: no framing; the body ends when the connection closes
	// (RFC 9112 §6.3 rule 8).
	bodyClose
	// bodyUpgrade: 101 Switching Protocols. After the head the connection
	// belongs to the handler, and its bytes are not HTTP any more.
	bodyUpgrade
)

// stream is the state of a response whose body is written in pieces.
type stream struct {
	mode       bodyMode
	left       int64 // bodyLength: bytes still to come
	chunks     parser.ChunkChecker
	headOut    bool // the head has been written
	ended      bool // the body is complete, or was abandoned
	closeAfter bool // the connection closes once the body is out
	headFut    *poller.Future
	early      []part // body written before the head could go out
	earlyFut   *poller.Future
}

// part is a piece of body kept until the head goes out: bytes or a file
// section.
type part struct {
	data   []byte
	f      poller.File
	off, n int64
}

// CommitHead publishes a claimed response whose body will be written in
// pieces (Nim's sendHeaders, or a stream the server frames): the status
// line, Fields, Date and the empty line are written once every earlier
// response on the connection has been, and the returned future completes
// then. The body is then written with WriteBody and WriteFile, and ended
// with EndBody (or by its framing: the last byte of a Content-Length, the
// handler's last chunk). On the loop.
func (x *Exchange) CommitHead(gen uint32, code int, framing Framing) (*poller.Future, error) {
	if err := x.checkResponse(code, "", true); err != nil {
		x.Unclaim(gen)
		return nil, err
	}
	mode, length, err := x.bodyMode(code, framing)
	if err != nil {
		x.Unclaim(gen)
		return nil, err
	}
	switch mode {
	case bodyDechunk:
		x.dropField("transfer-encoding")
	case bodyServerChunked:
		x.dropField("transfer-encoding")
		x.Fields = append(x.Fields, Field{"Transfer-Encoding", "chunked"})
		x.userLen = true
	}
	c := x.conn
	x.code = code
	x.stream = stream{mode: mode, left: length, headFut: c.g.loop.NewFuture()}
	fut := x.stream.headFut
	if !x.move(gen, xClaimed, xStreaming) {
		return nil, x.stale(gen)
	}
	c.noticeResponse(x)
	return fut, nil
}

// bodyMode decides how the body of a streamed response is framed.
func (x *Exchange) bodyMode(code int, framing Framing) (bodyMode, int64, error) {
	switch {
	case code == 101:
		return bodyUpgrade, 0, nil
	case x.Head.Method == parser.MethodHead || bodyless(code):
		return bodyNone, 0, nil
	}
	for i := range x.Fields {
		if f := &x.Fields[i]; parser.EqualFold(f.Name, "content-length") {
			n, _ := parseLength(f.Value) // checked by checkResponse
			return bodyLength, n, nil
		}
	}
	coded := false
	for i := range x.Fields {
		coded = coded || parser.EqualFold(x.Fields[i].Name, "transfer-encoding")
	}
	switch {
	case framing == ServerFramed && coded && !x.onlyChunked():
		return 0, 0, ErrChunked // a coding of the handler's the server cannot frame around
	case framing == ServerFramed && x.Head.Minor == 0:
		x.dropField("transfer-encoding")
		return bodyClose, 0, nil
	case framing == ServerFramed:
		return bodyServerChunked, 0, nil
	case !coded:
		return bodyClose, 0, nil
	case !x.chunkedCoding():
		if x.Head.Minor == 0 {
			return 0, 0, ErrChunked // no coding of ours can reach an HTTP/1.0 client
		}
		return bodyClose, 0, nil // RFC 9112 §6.3 rule 8: then close-delimited
	case x.Head.Minor == 0:
		return bodyDechunk, 0, nil
	}
	return bodyChunked, 0, nil
}

// onlyChunked reports whether every Transfer-Encoding field says just
// "chunked": the one coding the server may apply in the handler's place.
func (x *Exchange) onlyChunked() bool {
	for i := range x.Fields {
		if f := &x.Fields[i]; parser.EqualFold(f.Name, "transfer-encoding") && !parser.EqualFold(trimSpace(f.Value), "chunked") {
			return false
		}
	}
	return true
}

// dropField removes the fields of that (lower-case) name from Fields.
func (x *Exchange) dropField(name string) {
	kept := x.Fields[:0]
	for _, f := range x.Fields {
		if !parser.EqualFold(f.Name, name) {
			kept = append(kept, f)
		}
	}
	x.Fields = kept
}

// WriteBody writes p as the next part of the body of generation gen's
// streamed response, or, once the request has been upgraded, to the
// connection as it is. p is copied.
//
// The future is the back-pressure signal: it completes once the
// connection's unsent output is back under its low-water mark (a quarter
// of MaxOutput), so a writer that waits for it before writing more never
// has much more than MaxOutput queued, however slowly the client reads.
// Bytes written before the head could go out wait for it.
//
// The framing decides what reaches the wire: nothing for a bodyless
// response; at most the declared Content-Length, with ErrContentLength for
// the rest (the connection then closes after the response); only valid
// chunked coding, with ErrChunked for the first invalid byte (the
// connection closes, since the body cannot be completed). On the loop.
func (x *Exchange) WriteBody(gen uint32, p []byte) (*poller.Future, error) {
	c := x.conn
	st := &x.stream
	switch {
	case x.is(gen, xUpgraded):
		if c.closed {
			return nil, ErrClosed
		}
		c.s.Queue(p)
		return c.s.WaitBelow(c.lowWater()), nil
	case x.is(gen, xResponded) && x.code == 101:
		x.keepEarly(part{data: p}) // the 101 is not out yet
		return x.stream.earlyFut, nil
	}
	if err := x.bodyOpen(gen); err != nil {
		return nil, err
	}
	var err error
	switch st.mode {
	case bodyNone:
		return c.g.loop.Done(), nil
	case bodyUpgrade:
		x.keepEarly(part{data: p})
		return x.stream.earlyFut, nil
	case bodyLength:
		if int64(len(p)) > st.left {
			p, err = p[:st.left], ErrContentLength
			st.closeAfter = true
		}
		st.left -= int64(len(p))
		st.ended = st.left == 0
	case bodyChunked, bodyDechunk:
		p, err = x.checkChunks(p)
	case bodyServerChunked:
		if len(p) == 0 {
			return c.g.loop.Done(), nil // an empty chunk would end the body
		}
		x.queueChunk(part{data: p}, int64(len(p)))
		return x.queued(), nil
	}
	x.queuePart(part{data: p})
	return x.queued(), err
}

// bodyOpen reports why generation gen's streamed body takes no more
// parts, or nil when it does.
func (x *Exchange) bodyOpen(gen uint32) error {
	st := &x.stream
	switch {
	case x.is(gen, xStreaming) && !st.ended:
		return nil
	case (x.is(gen, xStreaming) || x.is(gen, xWritten)) && st.headFut != nil:
		return st.afterEnd()
	case x.is(gen, xDispatched):
		return ErrNotStreaming
	}
	return x.stale(gen)
}

// WriteFile writes n bytes of f from offset as the next part of the body,
// with sendfile(2) where the OS has it: the bytes go from the page cache
// to the socket without passing through the process. The framing is
// checked as for WriteBody; a body the handler frames with its own chunks
// cannot take a file (ErrChunked), since its chunks could not be checked.
// The future completes, as WriteBody's, when the connection's unsent
// output is back under the low-water mark, the section perhaps still
// among it; f may be closed then (the socket sends from its own
// duplicate of the descriptor). On the loop.
func (x *Exchange) WriteFile(gen uint32, f poller.File, offset, n int64) (*poller.Future, error) {
	c := x.conn
	st := &x.stream
	if err := x.bodyOpen(gen); err != nil {
		return nil, err
	}
	if n <= 0 {
		return c.g.loop.Done(), nil
	}
	var err error
	switch st.mode {
	case bodyNone:
		return c.g.loop.Done(), nil
	case bodyChunked, bodyDechunk, bodyUpgrade:
		return nil, ErrChunked
	case bodyLength:
		if n > st.left {
			n, err = st.left, ErrContentLength
			st.closeAfter = true
		}
		st.left -= n
		st.ended = st.left == 0
	case bodyServerChunked:
		x.queueChunk(part{f: f, off: offset, n: n}, n)
		return x.queued(), nil
	}
	x.queuePart(part{f: f, off: offset, n: n})
	return x.queued(), err
}

// queueChunk queues one chunk of a server-framed body: its size line, the
// part, and the CRLF that ends it (bytes in one gathered write).
func (x *Exchange) queueChunk(p part, n int64) {
	var size [20]byte
	line := append(strconv.AppendInt(size[:0], n, 16), '\r', '\n')
	if p.f == nil && x.stream.headOut {
		x.conn.s.Queue(line, p.data, crlf)
		return
	}
	x.queuePart(part{data: line})
	x.queuePart(p)
	x.queuePart(part{data: crlf})
}

var crlf = []byte("\r\n")

// checkChunks returns the part of p to send for a chunked body framed by
// the handler: its valid chunked coding, or for an HTTP/1.0 client only
// the chunks' data.
func (x *Exchange) checkChunks(p []byte) ([]byte, error) {
	st := &x.stream
	n, data, err := st.chunks.Check(p, nil)
	switch {
	case err != nil:
		err = ErrChunked
		st.ended, st.closeAfter = true, true
	case st.chunks.Done():
		st.ended = true
		if n < len(p) {
			err = ErrChunked // bytes after the last chunk
			st.closeAfter = true
		}
	}
	if st.mode == bodyChunked {
		return p[:n], err
	}
	var q []byte
	for _, d := range data {
		q = append(q, d...)
	}
	return q, err
}

// afterEnd is the outcome of a write after the body ended.
func (st *stream) afterEnd() error {
	switch st.mode {
	case bodyNone:
		return nil // HEAD: the body a GET would get is dropped, as it goes
	case bodyLength:
		return ErrContentLength
	case bodyChunked, bodyDechunk:
		return ErrChunked
	}
	return ErrResponded
}

// queuePart queues a part of the body: on the socket once the head is
// out, until then with the head.
func (x *Exchange) queuePart(p part) {
	if !x.stream.headOut {
		x.keepEarly(p)
		return
	}
	x.conn.sendPart(p)
}

// queued returns the future of what was just queued: it completes when
// the output is back under the low-water mark.
func (x *Exchange) queued() *poller.Future {
	c := x.conn
	if !x.stream.headOut {
		if x.stream.earlyFut == nil {
			return c.g.loop.Done() // nothing was kept
		}
		return x.stream.earlyFut
	}
	if x.stream.ended || c.s.Pending() > 0 {
		c.schedule() // let later responses out; watch the write timeout
	}
	return c.s.WaitBelow(c.lowWater())
}

// sendPart queues bytes or a file section on the socket.
func (c *Conn) sendPart(p part) {
	if p.f != nil {
		c.s.SendFile(p.f, p.off, p.n)
		return
	}
	c.s.Queue(p.data)
}

// lowWater is the unsent output under which a streamed write's future
// completes: a quarter of MaxOutput.
func (c *Conn) lowWater() int { return c.g.cfg.MaxOutput / 4 }

// keepEarly keeps a part written before the head (or the 101 of an
// upgrade) went out; it follows the head, and the shared future earlyFut
// completes once the output is back under the low-water mark after it.
func (x *Exchange) keepEarly(p part) {
	st := &x.stream
	if st.earlyFut == nil {
		st.earlyFut = x.conn.g.loop.NewFuture()
	}
	if p.f == nil {
		if len(p.data) == 0 {
			return
		}
		p.data = append([]byte(nil), p.data...)
	}
	st.early = append(st.early, p)
}

// flushEarly sends what was written before the head, right after it.
func (c *Conn) flushEarly(x *Exchange) {
	st := &x.stream
	if st.earlyFut == nil {
		return
	}
	for _, p := range st.early {
		c.sendPart(p)
	}
	f, below := st.earlyFut, c.s.WaitBelow(c.lowWater())
	st.early, st.earlyFut = nil, nil
	below.AddCallback(func() {
		if err := below.Err(); err != nil {
			f.Fail(err)
		} else {
			f.Complete()
		}
	})
}

// EndBody ends the body of generation gen's streamed response: a
// server-chunked body with its last chunk and the trailer fields given
// (ignored for other framings, which cannot carry them); a
// close-delimited body by closing the connection once it is out. A body
// that is short of its Content-Length, or stops before its last chunk,
// cannot be completed: the connection closes after what was written, and
// EndBody reports ErrContentLength or ErrChunked. On the loop.
func (x *Exchange) EndBody(gen uint32, trailers []Field) error {
	if !x.is(gen, xStreaming) {
		if x.is(gen, xWritten) {
			return nil
		}
		return x.stale(gen)
	}
	st := &x.stream
	if st.ended {
		return nil
	}
	var err error
	switch st.mode {
	case bodyLength:
		if st.left > 0 {
			err = ErrContentLength
		}
	case bodyChunked:
		if !st.chunks.Done() {
			err = ErrChunked
		}
	case bodyServerChunked:
		for _, t := range trailers {
			if !parser.ValidToken(t.Name) || !parser.ValidFieldValue(t.Value) {
				return ErrField
			}
		}
		b := append([]byte(nil), "0\r\n"...)
		for _, t := range trailers {
			b = append(append(append(append(b, t.Name...), ": "...), t.Value...), "\r\n"...)
		}
		x.queuePart(part{data: append(b, "\r\n"...)})
	}
	st.ended = true
	if err != nil {
		st.closeAfter = true
	}
	x.conn.schedule()
	return err
}

// writeStreamHead writes the head of a streamed response, then what the
// handler wrote before it, and tells the handler to go on.
func (c *Conn) writeStreamHead(x *Exchange) {
	st := &x.stream
	if st.mode == bodyClose || st.mode == bodyDechunk || c.lastResponse(x) {
		st.closeAfter = st.mode != bodyUpgrade
	}
	if st.closeAfter {
		c.stop()
	}
	o := c.s.OutBuf()
	*o = c.appendHead(*o, x, st.closeAfter, -1)
	st.headOut = true
	switch st.mode {
	case bodyNone:
		st.ended = true
	case bodyLength:
		st.ended = st.ended || st.left == 0
	}
	c.flushEarly(x)
	c.s.Flush()
	if f := st.headFut; !f.Finished() {
		f.Complete()
	}
	if st.mode == bodyUpgrade {
		c.handOver(x)
	}
}
