package parser

import "encoding/binary"

// The fast path. Nearly every head arrives in one read and has the usual
// shape: a method, an origin-form target, HTTP/1.1 or HTTP/1.0, then field
// lines with alphanumeric names. fast parses such a head in one straight
// pass, with its position in locals instead of the resumable state, no
// dispatch on that state per element, and eight bytes at a time. The moment
// the input runs out or holds anything it does not handle itself (leading
// empty lines, a malformed byte, a limit reached), it saves exactly the state
// the resumable parser would have at that byte and hands over, so the result
// never depends on which path ran, and no byte is examined twice.
//
// What both paths share they share in code: the field handlers (field,
// host, contentLength, ...), target for the rarer target forms, and finish.
// An error those return is returned as is: the resumable parser, reaching
// the same byte in the same state, would return the same one.

// Little-endian words of the strings fast compares with. The name words are
// lower case: a name matches when its bytes OR 0x20 equal them (see foldEq).
var (
	getSP      = binary.LittleEndian.Uint32([]byte("GET "))
	crlf       = binary.LittleEndian.Uint16([]byte("\r\n"))
	nameHost   = binary.LittleEndian.Uint32([]byte("host"))
	nameExpect = binary.LittleEndian.Uint64([]byte("expect\x00\x00"))
	nameConn   = binary.LittleEndian.Uint64([]byte("connecti"))
	nameCont   = binary.LittleEndian.Uint64([]byte("content-"))
	nameTran   = binary.LittleEndian.Uint64([]byte("transfer"))
)

// fastMin is the shortest buffer fast looks at: "GET / HTTP/1.0\n\n" is 16
// bytes. With at least eight, word never reads outside the buffer.
const fastMin = 16

// fast parses the head at the start of buf. It returns the head length, an
// error from a shared handler, or (0, nil) after handing over to the
// resumable parser (p.state is then no longer stStart).
func (p *Parser) fast(buf []byte, req *Request) (int, *Error) {
	b := buf
	if len(b) > p.lim.MaxHeadBytes {
		b = b[:p.lim.MaxHeadBytes]
	}
	if len(b) < fastMin {
		return p.handOff(stLeading, 0, 0, -1, Span{})
	}

	// Method (RFC 9112 §3).
	i := 0
	if binary.LittleEndian.Uint32(b) == getSP {
		req.Method, req.MethodSpan = MethodGet, Span{Len: 3}
		i = 4
	} else {
		i = skipToken(b, 0)
		if i == 0 {
			// Empty lines before the request line, or no method.
			return p.handOff(stLeading, 0, 0, -1, Span{})
		}
		if i >= len(b) || b[i] != ' ' {
			return p.handOff(stMethod, 0, i, -1, Span{})
		}
		req.Method, req.MethodSpan = lookupMethod(b[:i]), span(0, i)
		i++
	}

	// request-target (RFC 9112 §3.2). "/" alone is common enough to be
	// worth a test of its own.
	mark, query := i, -1
	if i+1 < len(b) && b[i] == '/' && b[i+1] == ' ' {
		i++
	} else {
		for {
			if m := targetStop(word(b, i)); m != 0 {
				i += firstLane(m)
			} else {
				i += 8
				continue
			}
			if i >= len(b) || i-mark > p.lim.MaxTargetLen {
				return p.handOff(stTarget, mark, i, query, Span{})
			}
			c := b[i]
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
				i += 3
				continue
			}
			return p.handOff(stTarget, mark, i, query, Span{})
		}
	}
	end := i
	req.Target = span(mark, end)

	// HTTP-version and the line ending (RFC 9112 §2.3, §2.2).
	i++
	v := i
	if i+10 > len(b) {
		return p.handOff(stVersion, v, v, query, Span{})
	}
	w := load64(b, i)
	if w != http11 && w != http10 {
		return p.handOff(stVersion, v, v, query, Span{})
	}
	i += 8
	switch {
	case b[i] == '\r' && b[i+1] == '\n':
		i += 2
	case b[i] == '\n':
		i++
	default:
		return p.handOff(stVersion, v, v, query, Span{})
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

	// Field lines (RFC 9112 §5) up to the empty line. The loops below are
	// written out rather than calling the skip functions: in Go every call
	// spills the live registers, and that cost more than the scans.
	for {
		// field-name: x is its first word, which also identifies the
		// fields that field interprets.
		mark = i
		x := word(b, i)
		if uint16(x) == crlf {
			return p.done(req, i+2)
		}
		m := nameStop(x)
		if m&0x80 != 0 {
			// Not a letter or '-' first: a bare LF ending the head, or
			// something for the resumable parser to judge.
			if byte(x) == '\n' {
				return p.done(req, i+1)
			}
			return p.handOff(stLineStart, i, i, query, Span{})
		}
		for {
			if m == 0 {
				i += 8
				m = nameStop(word(b, i))
				continue
			}
			i += firstLane(m)
			if i >= len(b) || b[i] == ':' || !tokenTab[b[i]] {
				break
			}
			i++ // another tchar, such as a digit or '_'
			m = nameStop(word(b, i))
		}
		if i >= len(b) || b[i] != ':' || len(req.Headers) >= p.lim.MaxHeaders {
			return p.handOff(stName, mark, i, query, Span{})
		}
		name := span(mark, i)

		// OWS field-value OWS, then the line ending.
		i++
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		if i >= len(b) {
			return p.handOff(stValueLead, i, i, query, name)
		}
		mark = i
		framing := false
		switch name.Len {
		case 4:
			if uint32(x)|0x20202020 != nameHost {
				break
			}
			if !req.HasHost {
				// The usual Host value: host-name bytes, an optional
				// port, and the line ending right after. That is a
				// reg-name [ ":" port ], so host need not look again;
				// anything else takes the general path.
				for {
					m := hostStop(word(b, i))
					if m != 0 {
						i += firstLane(m)
						break
					}
					i += 8
				}
				if i < len(b) && b[i] == ':' {
					for i++; ; i += 8 {
						if m := digitStop(word(b, i)); m != 0 {
							i += firstLane(m)
							break
						}
					}
				}
				if i+1 < len(b) && (b[i] == '\r' && b[i+1] == '\n' || b[i] == '\n') {
					req.Host, req.HasHost = span(mark, i), true
					req.Headers = append(req.Headers, Header{Name: name, Value: req.Host})
					i++
					if b[i-1] == '\r' {
						i++
					}
					continue
				}
			}
			framing = true
		case 6:
			framing = (x|fold)&(1<<48-1) == nameExpect
		case 10:
			framing = x|fold == nameConn
		case 14:
			framing = x|fold == nameCont
		case 17:
			framing = x|fold == nameTran
		}
		for {
			m := valueStop(word(b, i))
			if m == 0 {
				i += 8
				continue
			}
			i += firstLane(m)
			if i >= len(b) || b[i] != '\t' {
				break
			}
			i++
		}
		if i+1 >= len(b) {
			return p.handOff(stValue, mark, i, query, name)
		}
		end := i
		switch {
		case b[i] == '\r' && b[i+1] == '\n':
			i += 2
		case b[i] == '\n':
			i++
		default:
			return p.handOff(stValue, mark, end, query, name)
		}
		for end > mark && (b[end-1] == ' ' || b[end-1] == '\t') {
			end--
		}
		val := span(mark, end)
		req.Headers = append(req.Headers, Header{Name: name, Value: val})
		if framing {
			if err := p.field(b, req, name, val); err != nil {
				return 0, err
			}
		}
	}
}

// done completes a head of n bytes found by fast.
func (p *Parser) done(req *Request, n int) (int, *Error) {
	if err := p.finish(req); err != nil {
		return 0, err
	}
	return n, nil
}

// handOff saves the state in which the resumable parser takes over at pos:
// mark, query and name mean what they do in Parser.
func (p *Parser) handOff(state uint8, mark, pos, query int, name Span) (int, *Error) {
	p.state, p.mark, p.pos, p.query, p.leading, p.name = state, mark, pos, query, 0, name
	p.work += pos
	return 0, nil
}
