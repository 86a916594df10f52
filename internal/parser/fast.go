package parser

import "math/bits"

// The fast path. Nearly every head arrives in one read and has the usual
// shape: a method, an origin-form target, HTTP/1.1 or HTTP/1.0, then field
// lines with names of letters and '-'. Parse takes such a head in one
// straight pass, with its position in locals instead of the resumable
// state, no dispatch on that state per element, and eight bytes at a time
// (swar.go). The moment the input runs out or holds anything it does not
// handle itself (leading empty lines, a malformed byte, a limit reached),
// it saves the state the resumable parser would have at that byte and hands
// over, so the outcome never depends on which path ran. TestFastEquivalence
// and FuzzParse check that it does not.
//
// What both paths share they share in code: the field handlers (field,
// host, contentLength, ...), target for the rarer target forms, and finish.
// An error those return is returned as is: the resumable parser, reaching
// the same byte in the same state, would return the same one.
//
// The scans are written out in Parse rather than calling the skip
// functions, and its field-line loop makes no call at all: in Go a call
// makes the compiler keep the loop's values in memory, and that cost more
// than the scans.

// Little-endian words of the strings Parse compares with. The name words
// are lower case: a name matches when its letters OR 0x20 equal them (see
// foldEq). TestFastConstants checks them against the strings.
const (
	getSP      = 'G' | 'E'<<8 | 'T'<<16 | ' '<<24                                           // "GET "
	slashSP    = '/' | ' '<<8                                                               // "/ "
	crlf       = '\r' | '\n'<<8                                                             // "\r\n"
	hostColSP  = 'h' | 'o'<<8 | 's'<<16 | 't'<<24 | ':'<<32 | ' '<<40                       // "host: "
	nameHost   = 'h' | 'o'<<8 | 's'<<16 | 't'<<24                                           // "host"
	nameExpect = 'e' | 'x'<<8 | 'p'<<16 | 'e'<<24 | 'c'<<32 | 't'<<40                       // "expect"
	nameConn   = 'c' | 'o'<<8 | 'n'<<16 | 'n'<<24 | 'e'<<32 | 'c'<<40 | 't'<<48 | 'i'<<56   // "connecti"
	nameCont   = 'c' | 'o'<<8 | 'n'<<16 | 't'<<24 | 'e'<<32 | 'n'<<40 | 't'<<48 | '-'<<56   // "content-"
	nameTran   = 't' | 'r'<<8 | 'a'<<16 | 'n'<<24 | 's'<<32 | 'f'<<40 | 'e'<<48 | 'r'<<56   // "transfer"
	http11     = 'H' | 'T'<<8 | 'T'<<16 | 'P'<<24 | '/'<<32 | '1'<<40 | '.'<<48 | '1'<<56   // "HTTP/1.1"
	getSlashHT = 'G' | 'E'<<8 | 'T'<<16 | ' '<<24 | '/'<<32 | ' '<<40 | 'H'<<48 | 'T'<<56   // "GET / HT"
	tp11CRLF   = 'T' | 'P'<<8 | '/'<<16 | '1'<<24 | '.'<<32 | '1'<<40 | '\r'<<48 | '\n'<<56 // "TP/1.1\r\n"
	tp10CRLF   = 'T' | 'P'<<8 | '/'<<16 | '1'<<24 | '.'<<32 | '0'<<40 | '\r'<<48 | '\n'<<56 // "TP/1.0\r\n"
	http10     = 'H' | 'T'<<8 | 'T'<<16 | 'P'<<24 | '/'<<32 | '1'<<40 | '.'<<48 | '0'<<56   // "HTTP/1.0"
)

// fastMin is the shortest buffer the fast path looks at: the two-word
// request line is 16 bytes, and with at least eight word never reads
// outside the buffer. Shorter heads ("GET / HTTP/1.0\n\n" is 16) are rare.
const fastMin = 16

// Parse looks at buf, which starts at the first byte of a request (possibly
// leading empty lines) and holds every byte received for it so far. Each call
// for one head passes the same start with more bytes at the end and the same
// req; the caller may have moved the bytes to another buffer in between.
//
// It returns (0, nil) when the head is not complete yet, (n, nil) when req
// holds a complete head of n bytes (the body, if any, starts at buf[n]), or
// (0, err) with err an *Error. After a complete head or an error the parser
// is ready for the next request.
//
// Each byte is examined once over all calls for a head, but for a few
// looked at again: a CR at the end of the input, or a '%' whose two hex
// digits have not arrived, on the next call; the HTTP-version, or a Host
// line of an unusual form, when the fast path hands over. So a head
// trickling in one byte at a time costs linear time. Parse never reads
// beyond buf[MaxHeadBytes].
func (p *Parser) Parse(buf []byte, req *Head) (int, error) {
	if p.state != stStart {
		return p.resume(buf, req)
	}
	req.Reset()
	p.begin()
	b := buf
	if len(b) > p.lim.MaxHeadBytes {
		b = b[:p.lim.MaxHeadBytes]
	}
	b = b[:len(b):len(b)] // one register for both len and cap
	if len(b) < fastMin {
		p.resumeAt(stLeading, 0, 0, -1, Span{})
		return p.resume(buf, req)
	}

	// "GET / HTTP/1.1" or "HTTP/1.0" and CRLF, the request line of most
	// keep-alive clients, probes and first page loads, is two words.
	i := 16
	if w := load64(b, 8); load64(b, 0) == getSlashHT && (w == tp11CRLF || w == tp10CRLF) {
		req.Method, req.MethodSpan = MethodGet, Span{Len: 3}
		req.Target, req.Path, req.Query = Span{Off: 4, Len: 1}, Span{Off: 4, Len: 1}, Span{Off: 5}
		req.Version, req.Major, req.Minor = Span{Off: 6, Len: 8}, 1, byte(w>>40)-'0'
	} else {
		var err *Error
		if i, err = p.requestLine(b, req); err != nil {
			return 0, err
		} else if i == 0 {
			return p.resume(buf, req)
		}
	}

	// Field lines (RFC 9112 §5) up to the empty line. Host comes first in
	// nearly every request. Its usual form, "Host: ", host-name bytes, an
	// optional port and the line ending right after, is a reg-name
	// [ ":" port ], so host need not look at it again; anything else is
	// left to the loop below. Only the four letters of the name are
	// folded: OR 0x20 would let 0x1a pass for ':' and NUL for SP.
	if x := word(b, i); (x|0x20202020)&(1<<48-1) == hostColSP { // MaxHeaders >= 1
		j := i + 6
		for {
			if m := hostStop(word(b, j)); m != 0 {
				j += firstLane(m)
				break
			}
			j += 8
		}
		if j < len(b) && b[j] == ':' {
			for j++; ; j += 8 {
				if m := digitStop(word(b, j)); m != 0 {
					j += firstLane(m)
					break
				}
			}
		}
		next := 0
		if j < len(b) {
			if c := b[j]; c == '\n' {
				next = j + 1
			} else if c == '\r' && j+1 < len(b) && b[j+1] == '\n' {
				next = j + 2
			}
		}
		if next > 0 {
			req.Host, req.HasHost = span(i+6, j), true
			req.Headers = append(req.Headers, Header{Name: span(i, i+4), Value: req.Host})
			i = next
		}
	}
	// The loop makes no calls, so that the compiler need not keep its
	// values in memory: the fields that field may interpret are marked in
	// pending (bit k for req.Headers[k]) and passed to it, in order, when
	// the loop ends (see flush).
	var pending uint64
	for {
		line := i
		y := word(b, i)
		if uint16(y) == crlf {
			if pending == 0 && req.HasHost && req.Minor == 1 {
				// The usual end. With no field for field, the framing
				// state is untouched, and end would only do this.
				req.HeadLen = i + 2
				p.count.examined(i + 2)
				return i + 2, nil
			}
			return p.end(b, req, pending, i+2)
		}

		// field-name ":" with nothing between them.
		for {
			if m := nameStop(y); m != 0 {
				i += firstLane(m)
				var c byte
				if i < len(b) {
					c = b[i]
				}
				if c == ':' {
					break
				}
				if !tokenTab[c] {
					if i > line {
						return p.handOff(buf, req, pending, stName, line, i, Span{})
					}
					if c == '\n' {
						return p.end(b, req, pending, i+1) // a bare LF ends the head
					}
					return p.handOff(buf, req, pending, stLineStart, i, i, Span{})
				}
				i++ // a digit, '_', ...
			} else {
				i += 8
			}
			y = word(b, i)
		}
		colon := i
		if colon == line {
			return p.handOff(buf, req, pending, stLineStart, i, i, Span{})
		}
		k := len(req.Headers)
		if k >= p.lim.MaxHeaders {
			return p.handOff(buf, req, pending, stName, line, i, Span{})
		}
		if n := uint(colon - line); n < 32 && framingLens>>n&1 != 0 && framingWord(n, word(b, line)) {
			if k >= 64 {
				// No bit for it: let the resumable parser take the value.
				return p.handOff(buf, req, pending, stValueLead, colon+1, colon+1, span(line, colon))
			}
			pending |= 1 << k
		}

		// OWS field-value OWS, then the line ending. The first word after
		// the colon starts the value scan: SP is a value byte, so with the
		// usual single SP the value starts one lane into it.
		i++
		y = word(b, i)
		val := i + 1
		if byte(y) != ' ' || byte(y>>8) <= ' ' {
			// No SP, or more OWS, or the end of b: skip OWS bytewise.
			for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
				i++
			}
			if i >= len(b) {
				return p.handOff(buf, req, pending, stValueLead, i, i, span(line, colon))
			}
			val = i
			y = word(b, i)
		}
		var c byte // the byte that stopped the scan, 0 past the end of b
		for {
			if m := valueStop(y); m != 0 {
				i += firstLane(m)
				if i >= len(b) {
					c = 0
					break
				}
				if c = b[i]; c != '\t' {
					break
				}
				i++
			} else {
				i += 8
			}
			y = word(b, i)
		}
		end := i
		switch {
		case c == '\r' && i+1 < len(b) && b[i+1] == '\n':
			i += 2
		case c == '\n':
			i++
		default:
			return p.handOff(buf, req, pending, stValue, val, end, span(line, colon))
		}
		for end > val {
			if c := b[end-1]; c > ' ' || c != ' ' && c != '\t' {
				break
			}
			end--
		}
		req.Headers = append(req.Headers, Header{Name: span(line, colon), Value: span(val, end)})
	}
}

// requestLine is fast for the request line (RFC 9112 §3) at the start of
// b, len(b) >= fastMin. It returns the index of the first field line, an
// error from target, or (0, nil) after handing over.
func (p *Parser) requestLine(b []byte, req *Head) (int, *Error) {
	// Method (RFC 9112 §3).
	w := load64(b, 0)
	i := 0
	if uint32(w) == getSP {
		req.Method, req.MethodSpan = MethodGet, Span{Len: 3}
		i = 4
	} else {
		i = skipToken(b, 0)
		if i == 0 {
			// Empty lines before the request line, or no method.
			return p.resumeAt(stLeading, 0, 0, -1, Span{})
		}
		if i >= len(b) || b[i] != ' ' {
			return p.resumeAt(stMethod, 0, i, -1, Span{})
		}
		req.Method, req.MethodSpan = lookupMethod(b[:i]), span(0, i)
		i++
	}

	// request-target (RFC 9112 §3.2). "/" after a three-letter method is
	// in the word already loaded.
	mark, query := i, -1
	if i == 4 && uint16(w>>32) == slashSP {
		i = 5
	} else {
		for {
			m := targetStop(word(b, i))
			if m == 0 {
				i += 8
				continue
			}
			i += firstLane(m)
			var c byte // 0 past the end of b
			if i < len(b) {
				c = b[i]
			}
			if i-mark > p.lim.MaxTargetLen {
				return p.resumeAt(stTarget, mark, i, query, Span{})
			}
			if c == ' ' && i > mark {
				break
			}
			if c == '?' {
				if query < 0 {
					query = i
				}
				i++
				continue
			}
			if c == '%' && i+2 < len(b) && hexTab[b[i+1]] >= 0 && hexTab[b[i+2]] >= 0 {
				req.Escaped = true
				i += 3
				continue
			}
			return p.resumeAt(stTarget, mark, i, query, Span{})
		}
	}
	end := i
	req.Target = span(mark, end)

	// HTTP-version and the line ending (RFC 9112 §2.3, §2.2).
	i++
	v := i
	if i+10 > len(b) {
		return p.resumeAt(stVersion, v, v, query, Span{})
	}
	w = load64(b, i)
	if w != http11 && w != http10 {
		return p.resumeAt(stVersion, v, v, query, Span{})
	}
	switch {
	case b[i+8] == '\r' && b[i+9] == '\n':
		i += 10
	case b[i+8] == '\n':
		i += 9
	default:
		return p.resumeAt(stVersion, v, v, query, Span{})
	}
	req.Version = span(v, v+8)
	req.Major, req.Minor = 1, byte(w>>56)-'0'
	if b[mark] == '/' && req.Method != MethodConnect {
		// origin-form, as target would classify it.
		req.Path = req.Target
		req.Query = span(end, end)
		if query >= 0 {
			req.Path = span(mark, query)
			req.HasQuery = true
			req.Query = span(query+1, end)
		}
	} else {
		p.query = query
		if err := p.target(b, req, mark, end); err != nil {
			return 0, err
		}
	}
	return i, nil
}

// framingWord reports whether a field name of n bytes, n in framingLens,
// whose first eight bytes are x, may be one that field interprets. The
// names are lower case, and x's letters are folded (see foldEq); nearly all
// other fields of those lengths differ from them in those bytes. field
// makes sure.
func framingWord(n uint, x uint64) bool {
	x |= fold
	switch n {
	case 4:
		return uint32(x) == nameHost
	case 6:
		return x&(1<<48-1) == nameExpect
	case 10:
		return x == nameConn
	case 14:
		return x == nameCont
	}
	return x == nameTran
}

// flush passes the field lines marked in pending to field, in order, but
// not the line whose bit is set while it is being scanned. The error field
// returns is the one the resumable parser would have returned at that line:
// the lines after it held no error of their own (fast hands over at the
// first byte it does not accept).
func (p *Parser) flush(b []byte, req *Head, pending uint64) *Error {
	for ; pending != 0; pending &= pending - 1 {
		k := bits.TrailingZeros64(pending)
		if k >= len(req.Headers) {
			break
		}
		h := req.Headers[k]
		if err := p.field(b, req, h.Name, h.Value); err != nil {
			return err
		}
	}
	return nil
}

// end completes a head of n bytes found by fast.
func (p *Parser) end(b []byte, req *Head, pending uint64, n int) (int, error) {
	if pending != 0 {
		if err := p.flush(b, req, pending); err != nil {
			return 0, err
		}
	}
	if req.Minor != 1 || !req.HasHost || p.teSeen || req.ContentLength > p.lim.MaxBody {
		// Otherwise finish would find nothing to do.
		if err := p.finish(req); err != nil {
			return 0, err
		}
	}
	req.HeadLen = n
	p.count.examined(n)
	return n, nil
}

// handOff flushes pending, then lets the resumable parser take over at pos
// of buf: mark and name mean what they do in Parser.
func (p *Parser) handOff(buf []byte, req *Head, pending uint64, state uint8, mark, pos int, name Span) (int, error) {
	if pending != 0 {
		if err := p.flush(buf, req, pending); err != nil {
			return 0, err
		}
	}
	p.resumeAt(state, mark, pos, -1, name)
	return p.resume(buf, req)
}

// resumeAt saves the state in which the resumable parser takes over at pos:
// mark, query and name mean what they do in Parser.
func (p *Parser) resumeAt(state uint8, mark, pos, query int, name Span) (int, *Error) {
	p.state, p.mark, p.pos, p.query, p.leading, p.name = state, mark, pos, query, 0, name
	p.count.examined(pos)
	p.count.handedOff()
	return 0, nil
}
