package conn

import (
	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
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
	// bodyClose: no framing; the body ends when the connection closes
	// (RFC 9112 §6.3 rule 8).
	bodyClose
	// bodyUpgrade: 101 Switching Protocols. After the head the connection
	// belongs to the handler, and its bytes are not HTTP any more.
	bodyUpgrade
)

// stream is the state of a response whose body the handler writes in
// pieces: Nim's sendHeaders followed by raw sends.
type stream struct {
	mode       bodyMode
	left       int64 // bodyLength: bytes still to come
	chunks     parser.ChunkChecker
	headOut    bool // the head has been written
	ended      bool // the body is complete, or was abandoned
	closeAfter bool // the connection closes once the body is out
	headFut    *poller.Future
	early      []byte // body bytes written before the head could go out
	earlyFut   *poller.Future
}

// CommitHead publishes a claimed response whose body the handler will
// write itself (Nim's sendHeaders): the status line, Fields, Date and the
// empty line are written once every earlier response on the connection
// has been, and the returned future completes then. The body is then
// written with WriteBody and ended with EndBody (or by its framing: the
// last byte of a Content-Length, the last chunk). On the loop.
func (x *Exchange) CommitHead(gen uint32, code int) (*poller.Future, error) {
	if err := x.checkResponse(code, "", true); err != nil {
		x.Unclaim(gen)
		return nil, err
	}
	mode, length, err := x.bodyMode(code)
	if err != nil {
		x.Unclaim(gen)
		return nil, err
	}
	if mode == bodyDechunk {
		x.dropField("transfer-encoding")
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
func (x *Exchange) bodyMode(code int) (bodyMode, int64, error) {
	switch {
	case code == 101:
		return bodyUpgrade, 0, nil
	case x.Head.Method == parser.MethodHead || bodyless(code):
		return bodyNone, 0, nil
	}
	for i := range x.Fields {
		if f := &x.Fields[i]; equalFold(f.Name, "content-length") {
			n, _ := parseLength(f.Value) // checked by checkResponse
			return bodyLength, n, nil
		}
	}
	for i := range x.Fields {
		if !equalFold(x.Fields[i].Name, "transfer-encoding") {
			continue
		}
		switch {
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
	return bodyClose, 0, nil
}

// dropField removes the fields of that (lower-case) name from Fields.
func (x *Exchange) dropField(name string) {
	kept := x.Fields[:0]
	for _, f := range x.Fields {
		if !equalFold(f.Name, name) {
			kept = append(kept, f)
		}
	}
	x.Fields = kept
}

// WriteBody writes p as the next part of the body of generation gen's
// streamed response, or, once the request has been upgraded, to the
// connection as it is. The future completes when the bytes have been handed
// to the kernel. Bytes written before the head could go out wait for it.
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
		return c.s.Send(p), nil
	case x.is(gen, xResponded) && x.code == 101:
		return x.writeEarly(p), nil // the 101 is not out yet
	case x.is(gen, xStreaming) && !st.ended:
	case (x.is(gen, xStreaming) || x.is(gen, xWritten)) && st.headFut != nil:
		return nil, st.afterEnd()
	case x.is(gen, xDispatched):
		return nil, ErrNotStreaming
	default:
		return nil, x.stale(gen)
	}
	var err error
	switch st.mode {
	case bodyNone:
		return c.g.loop.Done(), nil
	case bodyUpgrade:
		return x.writeEarly(p), nil
	case bodyLength:
		if int64(len(p)) > st.left {
			p, err = p[:st.left], ErrContentLength
			st.closeAfter = true
		}
		st.left -= int64(len(p))
		st.ended = st.left == 0
	case bodyChunked, bodyDechunk:
		p, err = x.checkChunks(p)
	}
	f := x.writeStream(p)
	if st.ended || c.s.Pending() > 0 {
		c.schedule() // let later responses out; watch the write timeout
	}
	return f, err
}

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

// writeStream sends body bytes, or keeps them until the head is out.
func (x *Exchange) writeStream(p []byte) *poller.Future {
	if !x.stream.headOut {
		return x.writeEarly(p)
	}
	if len(p) == 0 {
		return x.conn.g.loop.Done()
	}
	return x.conn.s.Send(p)
}

// writeEarly keeps bytes written before the head (or the 101 of an
// upgrade) went out; they follow it, and their shared future completes
// once they have been handed to the kernel.
func (x *Exchange) writeEarly(p []byte) *poller.Future {
	st := &x.stream
	if st.earlyFut == nil {
		st.earlyFut = x.conn.g.loop.NewFuture()
	}
	st.early = append(st.early, p...)
	return st.earlyFut
}

// flushEarly sends what was written before the head, right after it.
func (c *Conn) flushEarly(x *Exchange) {
	st := &x.stream
	if st.earlyFut == nil {
		return
	}
	f := st.earlyFut
	st.earlyFut = nil
	c.s.SendNotify(st.early, f)
	st.early = nil
}

// EndBody ends the body of generation gen's streamed response: a
// close-delimited body by closing the connection once it is out. A body
// that is short of its Content-Length, or stops before its last chunk,
// cannot be completed: the connection closes after what was written, and
// EndBody reports ErrContentLength or ErrChunked. On the loop.
func (x *Exchange) EndBody(gen uint32) error {
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
	st.ended = true
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
	}
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
	if st.mode == bodyClose || st.mode == bodyDechunk || x.Head.Close || x.userClose || c.eof || c.g.shuttingDown {
		st.closeAfter = st.mode != bodyUpgrade
	}
	if st.closeAfter {
		c.stopped = true
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
