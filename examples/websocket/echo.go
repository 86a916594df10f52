// Package websocket is a WebSocket echo server on the native API, as a
// user writes one: the handler answers the upgrade with 101, then talks
// over req.Client (Recv and Send on the loop), framing messages itself
// (RFC 6455, unfragmented text and binary messages, pings and closes).
// When the server begins to close (Server.Closing) it says goodbye with a
// close frame, so that clients see a clean close (1001, going away)
// instead of a dropped connection.
package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"

	"asynchttpserver.dev/server"
)

// Handler returns the echo handler for srv.
func Handler(srv *server.Server) server.Callback {
	return func(req *server.Request) *server.Future {
		key := req.Headers.Get("Sec-WebSocket-Key")
		if !strings.EqualFold(req.Headers.Get("Upgrade"), "websocket") || key == "" {
			return req.Respond(http.StatusBadRequest, "WebSocket only", nil)
		}
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		req.Respond(http.StatusSwitchingProtocols, "", server.NewHeaders(
			"Upgrade", "websocket", "Connection", "Upgrade",
			"Sec-WebSocket-Accept", base64.StdEncoding.EncodeToString(sum[:])))
		c := &echo{req: req}
		srv.Closing().AddCallback(func() { c.close(1001, "server closing") })
		c.read()
		return nil
	}
}

// echo is one connection's state.
type echo struct {
	req    *server.Request
	in     []byte // received, not yet a whole frame
	buf    [16 << 10]byte
	msgOp  byte   // the opcode of a fragmented message being received
	msg    []byte // its fragments so far
	closed bool
}

// read receives until a whole frame is in, handles it, and goes on.
func (c *echo) read() {
	f := c.req.Client.Recv(c.buf[:])
	f.AddCallback(func() {
		n, err := f.Read()
		if err != nil || n == 0 {
			c.req.Client.Close()
			return
		}
		c.in = append(c.in, c.buf[:n]...)
		for !c.closed {
			fin, op, payload, size, err := parseFrame(c.in)
			if err != nil {
				c.close(1002, err.Error())
				return
			}
			if size == 0 {
				break // incomplete
			}
			c.in = c.in[size:]
			if op == 0x0 { // a continuation of a fragmented message
				c.msg = append(c.msg, payload...)
				if !fin {
					continue
				}
				op, payload, c.msg = c.msgOp, c.msg, nil
			} else if !fin && op < 0x8 { // the first fragment
				c.msgOp, c.msg = op, append(c.msg[:0], payload...)
				continue
			}
			switch op {
			case 0x1, 0x2: // text, binary: echo
				c.req.Client.Send(frame(op, payload))
			case 0x9: // ping
				c.req.Client.Send(frame(0xA, payload))
			case 0x8: // close: answer it, then hang up
				c.req.Client.Send(frame(0x8, payload))
				c.closed = true
				c.req.Client.Close()
			}
		}
		if !c.closed {
			c.read()
		}
	})
}

// close sends a close frame with code and reason, then closes.
func (c *echo) close(code uint16, reason string) {
	if c.closed {
		return
	}
	c.closed = true
	p := binary.BigEndian.AppendUint16(nil, code)
	c.req.Client.Send(frame(0x8, append(p, reason...))).AddCallback(func() { c.req.Client.Close() })
}

// parseFrame parses a masked client frame at the start of b: whether it
// ends its message, its opcode, unmasked payload and size, or size 0 if b
// holds less than a frame.
func parseFrame(b []byte) (fin bool, op byte, payload []byte, size int, err error) {
	if len(b) < 2 {
		return false, 0, nil, 0, nil
	}
	if b[0]&0x70 != 0 {
		return false, 0, nil, 0, errors.New("no extension was negotiated")
	}
	if b[1]&0x80 == 0 {
		return false, 0, nil, 0, errors.New("client frames must be masked")
	}
	fin, op = b[0]&0x80 != 0, b[0]&0x0F
	n, h := int(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return false, 0, nil, 0, nil
		}
		n, h = int(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return false, 0, nil, 0, nil
		}
		n, h = int(binary.BigEndian.Uint64(b[2:])), 10
	}
	if n > 1<<24 {
		return false, 0, nil, 0, errors.New("frame too large")
	}
	if len(b) < h+4+n {
		return false, 0, nil, 0, nil
	}
	mask := b[h : h+4]
	payload = make([]byte, n)
	for i := range payload {
		payload[i] = b[h+4+i] ^ mask[i%4]
	}
	return fin, op, payload, h + 4 + n, nil
}

// frame builds an unmasked server frame.
func frame(op byte, payload []byte) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
	return append(b, payload...)
}
