package parser

import "encoding/binary"

// framingLens has bit n set when some field that field interprets has a
// name of n bytes: Host 4, Expect 6, Connection 10, Content-Length 14,
// Transfer-Encoding 17. Other fields skip the call.
const framingLens = 1<<4 | 1<<6 | 1<<10 | 1<<14 | 1<<17

// field applies one header field line to the framing state: Host,
// Content-Length, Transfer-Encoding, Connection and Expect are interpreted
// as they arrive, so no second pass over the headers is needed. Names and
// the usual values are compared a word at a time, letters folded (see
// foldEq for why OR 0x20 is exact here).
func (p *Parser) field(b []byte, req *Head, name, v Span) *Error {
	n := name.Bytes(b)
	switch len(n) {
	case 4:
		if lower32(n, 0) == nameHost {
			return p.host(b, req, v)
		}
	case 6:
		if lower32(n, 0) == wordExpe && lower32(n, 2) == wordPect {
			// RFC 9110 §10.1.1: 100-continue is the only expectation defined.
			// Others are left to the server (it may answer 417). v has no
			// OWS around it.
			if e := v.Bytes(b); len(e) == 12 && lower64(e, 0) == word100Cont && lower32(e, 8) == wordInue {
				req.Expect100 = true
			}
		}
	case 10:
		if lower64(n, 0) == nameConn && lower32(n, 6) == wordTion {
			p.connection(v.Bytes(b), req)
		}
	case 14:
		if lower64(n, 0) == nameCont && lower64(n, 6) == wordTLength {
			return p.contentLength(b, req, v)
		}
	case 17:
		if lower64(n, 0) == nameTran && lower64(n, 8) == wordEncodin && n[16]|0x20 == 'g' {
			return p.transferEncoding(v.Bytes(b))
		}
	}
	return nil
}

// Words for field, little-endian, lower case.
var (
	wordExpe    = uint32(lit64("expe"))
	wordPect    = uint32(lit64("pect"))
	word100Cont = lit64("100-cont")
	wordInue    = uint32(lit64("inue"))
	wordTion    = uint32(lit64("tion"))
	wordTLength = lit64("t-length")
	wordEncodin = lit64("-encodin")
	wordClos    = uint32(lit64("clos"))
	wordUpgr    = uint32(lit64("upgr"))
	wordRade    = uint32(lit64("rade"))
	wordKeepAli = lit64("keep-ali")
	wordVe      = uint16(lit64("ve"))
)

// lit64 returns up to eight bytes of s as a little-endian word.
func lit64(s string) uint64 {
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// lower64, lower32 and lower16 return the bytes of b from i as a little-
// endian word with bit 5 of each set: letters folded to lower case.
func lower64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) | fold }
func lower32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) | 0x20202020 }
func lower16(b []byte, i int) uint16 { return binary.LittleEndian.Uint16(b[i:]) | 0x2020 }

// host records the Host header: one, with a valid uri-host [ ":" port ]
// (RFC 9112 §3.2).
func (p *Parser) host(b []byte, req *Head, v Span) *Error {
	if req.HasHost {
		return errHostDup
	}
	p.count.examined(int(v.Len))
	if !validAuthority(v.Bytes(b), false, true) {
		return errHostInvalid
	}
	req.Host, req.HasHost = v, true
	return nil
}

// contentLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no
// inner whitespace, no list. A second Content-Length line must carry the same
// bytes as the first (as net/http demands); anything else is a framing
// conflict, answered 400 because the length cannot be trusted (RFC 9112
// §6.3 item 5).
func (p *Parser) contentLength(b []byte, req *Head, v Span) *Error {
	val := v.Bytes(b)
	p.count.examined(len(val))
	if req.ContentLength >= 0 {
		if string(val) != string(p.cl.Bytes(b)) {
			return errCLConflict
		}
		return nil
	}
	if len(val) == 0 {
		return errCLInvalid
	}
	const maxInt64 = 1<<63 - 1
	var n int64
	for _, c := range val {
		if !isDigit(c) {
			return errCLInvalid
		}
		d := int64(c - '0')
		if n > (maxInt64-d)/10 {
			return errCLInvalid // overflow
		}
		n = n*10 + d
	}
	req.ContentLength = n
	p.cl = v
	return nil
}

// transferEncoding accumulates the transfer codings of one Transfer-Encoding
// line (RFC 9112 §6.1); lines add up in order. Whether the list is acceptable
// is judged once the head is complete, in finish.
func (p *Parser) transferEncoding(v []byte) *Error {
	p.count.examined(len(v))
	p.teSeen = true
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		if len(elem) == 0 {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		// transfer-coding = token *( OWS ";" OWS transfer-parameter )
		name, params := elem, false
		for i, c := range elem {
			if c == ';' || c == ' ' || c == '\t' {
				if rest := trimOWS(elem[i:]); rest[0] != ';' {
					return errTEInvalid // two words, no ';' between
				}
				name, params = elem[:i], true
				break
			}
		}
		for _, c := range name {
			if !tokenTab[c] {
				return errTEInvalid
			}
		}
		if len(name) == 0 {
			return errTEInvalid
		}
		if foldEq(name, "chunked") {
			if params {
				return errTEInvalid // chunked has no parameters
			}
			if p.teChunked {
				return errTEChunkedTwice // RFC 9112 §6.1
			}
			p.teChunked, p.teLast = true, true
			continue
		}
		p.teOther, p.teLast = true, false
	}
	return nil
}

// connection scans the Connection tokens (RFC 9110 §7.6.1) for close,
// keep-alive and upgrade, case-insensitively. Other tokens name hop-by-hop
// fields and are ignored, as are malformed elements.
func (p *Parser) connection(v []byte, req *Head) {
	p.count.examined(len(v))
	// The usual value is one token.
	switch {
	case len(v) == 10 && lower64(v, 0) == wordKeepAli && lower16(v, 8) == wordVe:
		req.KeepAlive = true
		return
	case len(v) == 5 && lower32(v, 0) == wordClos && v[4]|0x20 == 'e':
		req.Close = true
		return
	case len(v) == 7 && lower32(v, 0) == wordUpgr && lower32(v, 3) == wordRade:
		req.Upgrade = true
		return
	}
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		switch len(elem) {
		case 5:
			if foldEq(elem, "close") {
				req.Close = true
			}
		case 7:
			if foldEq(elem, "upgrade") {
				req.Upgrade = true
			}
		case 10:
			if foldEq(elem, "keep-alive") {
				req.KeepAlive = true
			}
		}
	}
}

// finish applies the rules that need the whole head (RFC 9112 §3.2, §6.3,
// §9.3).
func (p *Parser) finish(req *Head) *Error {
	if req.Minor == 1 && !req.HasHost {
		return errHostMissing
	}
	if p.teSeen {
		switch {
		case req.ContentLength >= 0:
			// §6.3 item 3: a server MAY reject; we must, or a front end that
			// trusts Content-Length and we would disagree about where the
			// next request starts.
			return errCLAndTE
		case req.Minor == 0:
			// §6.1: a 1.0 client cannot have sent chunked; treat as faulty.
			return errTEHTTP10
		case !p.teLast:
			return errTENotFinal // §6.3 item 4
		case p.teOther:
			return errTEUnimplemented // §6.1: a coding we do not understand
		}
		req.Chunked = true
	} else if req.ContentLength > p.lim.MaxBody {
		return errBodyTooLarge
	}
	// §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with keep-alive.
	if req.Minor == 0 && !req.KeepAlive {
		req.Close = true
	}
	return nil
}

// nextElement splits off the first element of a comma-separated list
// (RFC 9110 §5.6.1), with OWS trimmed, and returns it and the rest.
func nextElement(v []byte) (elem, rest []byte) {
	for i, c := range v {
		if c == ',' {
			return trimOWS(v[:i]), v[i+1:]
		}
	}
	return trimOWS(v), nil
}

// trimOWS removes leading and trailing SP and HTAB.
func trimOWS(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// foldEq reports whether b equals lower, a lower-case string of letters,
// digits and '-', ignoring ASCII case. For such a string c|0x20 is exact on
// every byte a field name or value may hold: only letters change, and the
// bytes that alias '-' and digits (CR and other controls) never get here.
func foldEq(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}
