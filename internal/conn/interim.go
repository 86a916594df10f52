package conn

import (
	"errors"

	"asynchttpserver.dev/internal/parser"
)

// ErrInterimNotSent: an interim response that could not go out now, and
// is dropped. Interim responses are hints (103 Early Hints) or
// invitations (100 Continue) that a client must do without, so dropping
// one is safe: the request has not been answered yet.
var ErrInterimNotSent = errors.New("interim response not sent")

// WriteInterim sends an interim (1xx) response ahead of generation gen's
// final one: the status line, the fields given (invalid ones left out,
// as net/http leaves them out) and the empty line (RFC 9110 §15.2).
//
// It goes out at once, or not at all (ErrInterimNotSent): only while the
// request is unanswered and its connection's turn to answer has come
// (every earlier pipelined response is out), since nothing may come
// between a response and the one before it; and never to an HTTP/1.0
// client, which cannot tell an interim response from the final one
// (RFC 9110 §15.2). 101 is a final response here, not an interim one
// (ErrStatus). A 100 Continue goes out only to a client that asked for
// it and has not had it; it then counts as sent, so that the body's
// first read does not send another. On the loop.
func (x *Exchange) WriteInterim(gen uint32, code int, fields []Field) error {
	c := x.conn
	switch {
	case code < 100 || code > 199 || code == 101:
		return ErrStatus
	case c.closed:
		return x.stale(gen)
	case !x.is(gen, xDispatched):
		return x.stale(gen)
	case c.handedOver || x.Head.Minor == 0 || c.queue.head != x:
		return ErrInterimNotSent
	}
	if code == 100 {
		if !x.Head.Expect100 || x.sent100 {
			return ErrInterimNotSent
		}
		x.sent100 = true
	}
	o := c.s.OutBuf()
	b := appendStatusLine(*o, code)
	for i := range fields {
		f := &fields[i]
		if !parser.ValidToken(f.Name) || !parser.ValidFieldValue(f.Value) {
			continue
		}
		b = append(append(append(append(b, f.Name...), ": "...), f.Value...), "\r\n"...)
	}
	*o = append(b, "\r\n"...)
	if err := c.s.Flush(); err != nil {
		c.close()
		return ErrClosed
	}
	return nil
}

// ForgoContinue records that generation gen's final response is on its
// way: a 100 Continue must not follow it (it would land inside the
// response). A client that asked for one either sends its body anyway or
// gives up on it (RFC 9110 §10.1.1), as net/http's server lets it when
// the handler answers before reading the body. On the loop.
func (x *Exchange) ForgoContinue(gen uint32) {
	if x.Gen() == gen {
		x.sent100 = true
	}
}
