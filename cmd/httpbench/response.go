package main

import (
	"bytes"
	"errors"

	"asynchttpserver.dev/internal/parser"
)

// This file holds the response parser: incremental, allocation-free, over
// the bytes of one read at a time. It keeps no copy of what it has seen:
// a head (or a chunk-size line) that is still incomplete is left
// unconsumed for the caller to present again, with more bytes after it,
// on the next read; bodies are counted down and dropped as they arrive.

// maxCarry bounds a response head, a chunk-size line or a trailer line:
// the most a connection holds over from one read to the next. A response
// head larger than this is a parse error (net/http's client allows 1 MiB;
// no server under benchmark sends more than a few hundred bytes).
const maxCarry = 32 << 10

// Parse errors. They are counted, not printed per response, so they are
// plain values without the offending bytes.
var (
	errStatusLine      = errors.New("malformed status line")
	errHeaderLine      = errors.New("malformed header line")
	errObsFold         = errors.New("obsolete header line folding")
	errContentLength   = errors.New("invalid Content-Length")
	errChunkSize       = errors.New("invalid chunk size")
	errChunkEnd        = errors.New("chunk data not followed by CRLF")
	errBareLF          = errors.New("line ends in LF without CR")
	errHeadTooLarge    = errors.New("response head or chunk line too large")
	errUnexpectedEOF   = errors.New("connection closed within a response")
	errUnexpectedBytes = errors.New("response bytes with no request outstanding")
)

type parseState uint8

const (
	stateHead       parseState = iota // reading the status line and headers
	stateBody                         // counting down a Content-Length body
	stateChunkSize                    // expecting a chunk-size line
	stateChunkData                    // counting down a chunk's data
	stateChunkEnd                     // expecting the CRLF after chunk data
	stateTrailer                      // expecting trailer lines, then an empty one
	stateUntilClose                   // the body runs to end of file
)

// responseParser frames HTTP/1.x responses following RFC 9112 section 6.3:
// no body for HEAD, 1xx, 204 and 304; chunked when the last transfer
// coding is chunked; otherwise to end of file when any Transfer-Encoding
// is present; else Content-Length; else to end of file. Interim 1xx
// responses (except 101) are skipped. Lines must end in CRLF.
type responseParser struct {
	head bool      // the request was HEAD: no response has a body
	memo *headMemo // if set, remembers the last head (see headMemo)

	state    parseState
	scanned  int   // bytes of an incomplete head already parsed, a whole number of lines
	status   int   // the final response's status code
	close    bool  // the connection ends after this response
	remain   int64 // body or chunk bytes still expected
	size     int64 // bytes of this response (interim ones included) so far
	hasCL    bool
	chunked  bool
	hasTE    bool
	http10   bool
	keepOpen bool // HTTP/1.0 with Connection: keep-alive
}

// reset prepares p for the next response on the same connection.
func (p *responseParser) reset() {
	*p = responseParser{head: p.head, memo: p.memo}
}

// fresh reports whether p has seen nothing of the next response yet: the
// moment to tell it whether that response answers a HEAD request.
func (p *responseParser) fresh() bool {
	return p.state == stateHead && p.size == 0 && p.scanned == 0
}

// feed parses as much of b as it can. It returns how many bytes it
// consumed and whether a response is now complete; b[n:] then belongs to
// the next response. When it returns done == false with n < len(b), the
// rest is an incomplete head or line: present it again, followed by more
// bytes, once they arrive.
func (p *responseParser) feed(b []byte) (n int, done bool, err error) {
	for {
		switch p.state {
		case stateHead:
			if p.size == 0 && p.scanned == 0 && p.memo.matches(b[n:], p.head) {
				n += p.memo.apply(p)
				continue
			}
			used, err := p.parseHead(b[n:])
			if err != nil || used == 0 {
				return n, false, err
			}
			n += used
		case stateBody:
			n += p.skip(len(b) - n)
			return n, p.remain == 0, nil
		case stateUntilClose:
			p.size += int64(len(b) - n)
			return len(b), false, nil
		case stateChunkData:
			if n += p.skip(len(b) - n); p.remain > 0 {
				return n, false, nil
			}
			p.state = stateChunkEnd
		case stateChunkEnd:
			if len(b)-n < 2 {
				return n, false, nil
			}
			if b[n] != '\r' || b[n+1] != '\n' {
				return n, false, errChunkEnd
			}
			n += 2
			p.size += 2
			p.state = stateChunkSize
		case stateChunkSize, stateTrailer:
			line, used, err := cutLine(b[n:])
			if err != nil || used == 0 {
				return n, false, err
			}
			n += used
			p.size += int64(used)
			if p.state == stateTrailer {
				if len(line) == 0 {
					return n, true, nil
				}
				if _, _, err := splitField(line); err != nil {
					return n, false, err
				}
				continue
			}
			size, err := parseChunkSize(line)
			if err != nil {
				return n, false, err
			}
			if p.remain, p.state = size, stateChunkData; size == 0 {
				p.state = stateTrailer
			}
		}
	}
}

// skip consumes up to avail bytes of a body or chunk, as many as it still
// expects, and returns how many it took.
func (p *responseParser) skip(avail int) int {
	take := min(int64(avail), p.remain)
	p.remain -= take
	p.size += take
	return int(take)
}

// eof tells p the connection has ended, with carried bytes of an
// incomplete head or line left unparsed. It reports whether that completed
// a response whose body ran to end of file; it is an error when a
// response was cut short. Neither means the connection ended between
// responses.
func (p *responseParser) eof(carried int) (done bool, err error) {
	switch {
	case p.state == stateUntilClose:
		return true, nil
	case p.state == stateHead && p.size == 0 && carried == 0:
		return false, nil
	}
	return false, errUnexpectedEOF
}

// cutLine returns the line at the start of b without its CRLF, and the
// bytes it spans including the CRLF; used == 0 means b holds no complete
// line yet.
func cutLine(b []byte) (line []byte, used int, err error) {
	i := bytes.IndexByte(b, '\n')
	switch {
	case i < 0:
		return nil, 0, nil
	case i == 0 || b[i-1] != '\r':
		return nil, 0, errBareLF
	}
	return b[:i-1], i + 1, nil
}

// parseHead parses the head at the start of b line by line, and sets up
// the body once the empty line that ends it arrives; used == 0 (with no
// error) means the head is not complete yet. Lines already parsed are not
// parsed again when more bytes arrive: their effect is in p, and
// p.scanned says where the next line starts.
func (p *responseParser) parseHead(b []byte) (used int, err error) {
	pos := p.scanned
	for {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			p.scanned = pos
			return 0, nil
		}
		line := b[pos : pos+i+1]
		switch {
		case pos == 0:
			err = p.parseStatusLine(line)
		case len(line) == 2 && line[0] == '\r':
			n := p.endHead(pos + 2)
			p.memo.remember(b[:n], p)
			return n, nil
		default:
			err = p.parseHeader(line)
		}
		if err != nil {
			return 0, err
		}
		pos += len(line)
	}
}

// endHead finishes a head of n bytes and returns n.
func (p *responseParser) endHead(n int) int {
	p.size += int64(n)
	p.scanned = 0
	if p.status < 200 && p.status != 101 {
		// An interim response: the final one follows.
		*p = responseParser{head: p.head, memo: p.memo, size: p.size}
		return n
	}
	p.frameBody()
	return n
}

// frameBody decides how the body is delimited (RFC 9112 section 6.3).
func (p *responseParser) frameBody() {
	if p.http10 && !p.keepOpen {
		p.close = true
	}
	switch {
	case p.head || p.status == 204 || p.status == 304 || p.status == 101:
		p.state, p.remain = stateBody, 0
		if p.status == 101 { // the connection is no longer HTTP
			p.close = true
		}
	case p.hasTE && p.chunked:
		p.state = stateChunkSize
		if p.hasCL { // both framings: a smuggling vector; do not reuse
			p.close = true
		}
	case p.hasTE:
		p.state, p.close = stateUntilClose, true
	case p.hasCL:
		p.state = stateBody
	default:
		p.state, p.close = stateUntilClose, true
	}
}

// parseStatusLine checks "HTTP/1.x NNN reason\r\n".
func (p *responseParser) parseStatusLine(l []byte) error {
	// "HTTP/1.1 200" plus CRLF is the shortest (the reason may be empty,
	// and the space before it may be missing too: RFC 9112 section 4
	// says to accept both).
	if len(l) < 14 || string(l[:7]) != "HTTP/1." || !isDigit(l[7]) || l[8] != ' ' ||
		!isDigit(l[9]) || !isDigit(l[10]) || !isDigit(l[11]) || l[9] == '0' {
		return errStatusLine
	}
	p.http10 = l[7] == '0'
	p.status = int(l[9]-'0')*100 + int(l[10]-'0')*10 + int(l[11]-'0')
	rest := l[12 : len(l)-2]
	if l[len(l)-2] != '\r' {
		return errStatusLine
	}
	if len(rest) > 0 && rest[0] != ' ' {
		return errStatusLine
	}
	if !parser.ValidFieldValue(rest) {
		return errStatusLine
	}
	return nil
}

// parseHeader checks one "Name: value\r\n" line and notes the fields that
// frame the body or end the connection.
func (p *responseParser) parseHeader(l []byte) error {
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return errBareLF
	}
	name, value, err := splitField(l[:len(l)-2])
	if err != nil {
		return err
	}
	switch len(name) {
	case len("connection"):
		if parser.EqualFold(name, "connection") {
			p.parseConnection(value)
		}
	case len("content-length"):
		if parser.EqualFold(name, "content-length") {
			return p.parseContentLength(value)
		}
	case len("transfer-encoding"):
		if parser.EqualFold(name, "transfer-encoding") {
			p.hasTE = true
			p.chunked = parser.EqualFold(lastElement(value), "chunked")
		}
	}
	return nil
}

// splitField checks a header or trailer line (without its CRLF) and
// returns its name and its value without surrounding whitespace.
func splitField(l []byte) (name, value []byte, err error) {
	// One pass finds the colon and checks the name: token characters
	// only, so no whitespace before the colon (RFC 9112 section 5.1).
	i := 0
	for i < len(l) && parser.IsTokenChar(l[i]) {
		i++
	}
	switch {
	case i == 0 && len(l) > 0 && (l[0] == ' ' || l[0] == '\t'):
		return nil, nil, errObsFold
	case i == 0 || i == len(l) || l[i] != ':':
		return nil, nil, errHeaderLine
	}
	value = trimOWS(l[i+1:])
	if !parser.ValidFieldValue(value) {
		return nil, nil, errHeaderLine
	}
	return l[:i], value, nil
}

// parseContentLength accepts one decimal length; a repeated header must
// repeat the same value (RFC 9110 section 8.6).
func (p *responseParser) parseContentLength(v []byte) error {
	if len(v) == 0 || len(v) > 18 { // 18 digits cannot overflow an int64
		return errContentLength
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return errContentLength
		}
		n = n*10 + int64(c-'0')
	}
	if p.hasCL && n != p.remain {
		return errContentLength
	}
	p.hasCL, p.remain = true, n
	return nil
}

// parseConnection looks for the close and keep-alive options in a
// comma-separated Connection value.
func (p *responseParser) parseConnection(v []byte) {
	for len(v) > 0 {
		var opt []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			opt, v = trimOWS(v[:i]), v[i+1:]
		} else {
			opt, v = trimOWS(v), nil
		}
		switch {
		case parser.EqualFold(opt, "close"):
			p.close = true
		case parser.EqualFold(opt, "keep-alive"):
			p.keepOpen = true
		}
	}
}

// parseChunkSize reads "hex [BWS ; extensions]" from a chunk-size line.
func parseChunkSize(l []byte) (int64, error) {
	var n int64
	i := 0
	for ; i < len(l); i++ {
		d := hexValue[l[i]]
		if d < 0 {
			break
		}
		if i >= 15 { // 15 hex digits cannot overflow an int64
			return 0, errChunkSize
		}
		n = n<<4 | int64(d)
	}
	if i == 0 {
		return 0, errChunkSize
	}
	ext := trimOWS(l[i:])
	if len(ext) > 0 && (ext[0] != ';' || !parser.ValidFieldValue(ext)) {
		return 0, errChunkSize
	}
	return n, nil
}

// lastElement returns the last element of a comma-separated list.
func lastElement(v []byte) []byte {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return trimOWS(v)
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hexValue maps hex digits to their values and everything else to -1.
var hexValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = int8(c-'a'+10), int8(c-'a'+10)
	}
	return t
}()

// headMemoMax bounds the heads a headMemo keeps: benchmark responses have
// heads of 50 to 300 bytes; larger ones are simply parsed every time.
const headMemoMax = 512

// headMemo remembers the last final response head a connection parsed,
// byte for byte, and the parser's state right after it. Under load, a
// server sends the same head again and again (only its Date header
// changes, once a second); a head identical to the remembered one must
// parse to the same state, so one comparison of the bytes (a vectorised
// memequal) replaces parsing them: a third of the client's work per
// response with pipelining. Every response is still checked, against
// bytes that were fully validated.
type headMemo struct {
	head  []byte
	state responseParser
}

// matches reports whether b starts with the remembered head, and the
// head answered a request of the same kind (HEAD or not: the same bytes
// frame a body after a GET and none after a HEAD). A nil memo never
// matches.
func (m *headMemo) matches(b []byte, head bool) bool {
	return m != nil && len(m.head) > 0 && len(b) >= len(m.head) && m.state.head == head &&
		string(b[:len(m.head)]) == string(m.head)
}

// apply puts p in the state that follows the remembered head and returns
// the head's length.
func (m *headMemo) apply(p *responseParser) int {
	*p = m.state
	return len(m.head)
}

// remember stores head, just parsed into p's state, unless it followed
// an interim response (whose bytes p.size counts too) or is too large.
func (m *headMemo) remember(head []byte, p *responseParser) {
	if m == nil || p.state == stateHead {
		return // no memo, or an interim response: the final head follows
	}
	if p.size != int64(len(head)) || len(head) > headMemoMax {
		m.head = m.head[:0]
		return
	}
	m.head = append(m.head[:0], head...)
	m.state = *p
}
