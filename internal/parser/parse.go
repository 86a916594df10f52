package parser

import "encoding/binary"

// maxLeadingEmptyLines bounds the empty lines skipped before a request line.
// RFC 9112 §2.2 asks servers to ignore at least one (clients used to send a
// CRLF after a POST body); a few more are harmless, an endless stream is not.
const maxLeadingEmptyLines = 8

// Parser states: where the scan stopped when the head was incomplete.
const (
	stStart     uint8 = iota // no byte of this head examined yet
	stLeading                // before the request line, skipping empty lines
	stMethod                 // inside the method token
	stTarget                 // inside the request-target
	stVersion                // inside the HTTP-version or its line ending
	stLineStart              // at the first byte of a field line or the final empty line
	stName                   // inside a field name
	stValueLead              // in the OWS before a field value
	stValue                  // inside a field value or its line ending
)

// Parser parses request heads incrementally. The zero value is not ready:
// use New or Init. A Parser holds no pointer into the caller's buffer, only
// offsets, so the caller may move or grow its buffer between calls.
type Parser struct {
	lim Limits // normalized

	// Resume state. Everything here is an offset from the start of the head.
	state   uint8
	pos     int  // next byte to examine
	mark    int  // first byte of the element being scanned
	query   int  // first '?' of the request-target, or -1
	leading int  // empty lines skipped before the request line
	name    Span // name of the field whose value is being scanned

	// Framing state gathered across field lines (RFC 9112 §6).
	teSeen    bool // a Transfer-Encoding line was present
	teChunked bool // chunked was among the codings
	teLast    bool // the last coding listed so far is chunked
	teOther   bool // some coding other than chunked was listed
	cl        Span // the first Content-Length value, to compare duplicates with

	// count counts the bytes examined, so tests can prove the total work
	// for one head is linear in its length however it is split, and the
	// heads the fast path handed over, so they can tell which path ran.
	// Empty, and free, outside tests (counters.go).
	count counters
}

// New returns a Parser enforcing l.
func New(l Limits) *Parser {
	p := new(Parser)
	p.Init(l)
	return p
}

// Init prepares p to enforce l, for a Parser embedded in a larger struct.
func (p *Parser) Init(l Limits) {
	*p = Parser{lim: l.normalized()}
}

// Limits returns the limits in force, with defaults filled in.
func (p *Parser) Limits() Limits { return p.lim }

// Reset forgets a partially parsed head; the next Parse starts a new one.
func (p *Parser) Reset() { p.state = stStart }

// resume runs the resumable parser from the saved state.
func (p *Parser) resume(buf []byte, req *Head) (int, error) {
	if p.lim.MaxHeadBytes == 0 { // a zero Parser: be safe rather than fail
		p.lim = p.lim.normalized()
	}
	if p.pos > len(buf) {
		// The caller passed fewer bytes than last time: nothing new to see.
		return 0, nil
	}
	b := buf
	limited := len(b) > p.lim.MaxHeadBytes
	if limited {
		b = b[:p.lim.MaxHeadBytes]
	}
	n, err := p.parse(b, req)
	if err == nil && n == 0 && limited {
		err = errHeadTooLarge
		if p.state == stTarget {
			err = errTargetTooLong
		}
	}
	if err != nil {
		p.state = stStart
		return 0, err
	}
	if n > 0 {
		p.state = stStart
		req.HeadLen = n
	}
	return n, nil
}

// begin resets the framing state for a new head. The resume state is set
// by resumeAt, when the fast path hands over.
func (p *Parser) begin() {
	p.teSeen, p.teChunked, p.teLast, p.teOther = false, false, false, false
	p.cl = Span{}
}

// parse resumes the scan at p.pos. It returns the head length once the final
// empty line is seen, 0 when b ends first (having saved where to resume), or
// an error.
func (p *Parser) parse(b []byte, req *Head) (int, *Error) {
	i, state, mark := p.pos, p.state, p.mark
	start := i
	for {
		switch state {
		case stLeading:
			// RFC 9112 §2.2: ignore empty lines before the request line.
			if i >= len(b) {
				goto more
			}
			switch b[i] {
			case '\r':
				if i+1 >= len(b) {
					goto more
				}
				if b[i+1] != '\n' {
					return 0, errBareCR
				}
				i += 2
			case '\n':
				i++
			default:
				mark = i
				state = stMethod
				continue
			}
			p.leading++
			if p.leading > maxLeadingEmptyLines {
				return 0, errLeadingLines
			}

		case stMethod:
			// method = token, then exactly one SP (RFC 9112 §3).
			i = skipToken(b, i)
			if i >= len(b) {
				goto more
			}
			if b[i] != ' ' || i == mark {
				return 0, errMethod
			}
			req.MethodSpan = span(mark, i)
			req.Method = lookupMethod(b[mark:i])
			i++
			mark = i
			state = stTarget

		case stTarget:
			// request-target, then exactly one SP (RFC 9112 §3.2).
			for {
				for i < len(b) && targetTab[b[i]] == tPlain {
					i++
				}
				// The length is checked at every stop, before the byte
				// that stopped the scan, so the answer does not depend on
				// where the input was split.
				if i-mark > p.lim.MaxTargetLen {
					return 0, errTargetTooLong
				}
				if i >= len(b) {
					goto more
				}
				switch targetTab[b[i]] {
				case tQuery:
					if p.query < 0 {
						p.query = i
					}
					i++
					continue
				case tPercent:
					// pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1).
					if i+1 < len(b) && hexTab[b[i+1]] < 0 {
						return 0, errTarget // fail now, not after another byte
					}
					if i+2 >= len(b) {
						goto more
					}
					if hexTab[b[i+2]] < 0 {
						return 0, errTarget
					}
					req.Escaped = true
					i += 3
					continue
				case tSpace:
				default:
					if i == mark && (b[i] == '\r' || b[i] == '\n') {
						return 0, errRequestLine
					}
					return 0, errTarget
				}
				break
			}
			if i == mark {
				return 0, errRequestLine // two SPs in a row
			}
			// The target is classified once the version is known, so that a
			// request of another protocol version (such as the HTTP/2
			// preface "PRI * HTTP/2.0") is answered 505, not 400.
			req.Target = span(mark, i)
			i++
			mark = i
			state = stVersion

		case stVersion:
			// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), case-
			// sensitive. Bytes are checked as they arrive so that garbage is
			// rejected at once rather than after eight bytes.
			if i == mark && i+8 <= len(b) {
				// Fast path: the whole version has arrived and is the
				// usual one; compare it as one word.
				if v := binary.LittleEndian.Uint64(b[i:]); v == http11 || v == http10 {
					i += 8
				}
			}
			for ; i < len(b) && i < mark+8; i++ {
				if !versionByteOK(i-mark, b[i]) {
					return 0, errVersion
				}
			}
			if i >= len(b) {
				goto more
			}
			switch b[i] {
			case '\n':
				i++
			case '\r':
				if i+1 >= len(b) {
					goto more
				}
				if b[i+1] != '\n' {
					return 0, errBareCR
				}
				i += 2
			default:
				return 0, errVersion // e.g. "HTTP/1.10" or a trailing SP
			}
			req.Version = span(mark, mark+8)
			req.Major, req.Minor = b[mark+5]-'0', b[mark+7]-'0'
			if req.Major != 1 || req.Minor > 1 {
				return 0, errVersionNotSup
			}
			if err := p.target(b, req, int(req.Target.Off), req.Target.end()); err != nil {
				return 0, err
			}
			state = stLineStart

		case stLineStart:
			if i >= len(b) {
				goto more
			}
			switch b[i] {
			case '\r':
				if i+1 >= len(b) {
					goto more
				}
				if b[i+1] != '\n' {
					return 0, errBareCR
				}
				i += 2
				goto done
			case '\n':
				i++
				goto done
			case ' ', '\t':
				// obs-fold, or whitespace before the first field name: both
				// must be rejected by a server (RFC 9112 §5.2, §2.2).
				return 0, errObsFold
			}
			mark = i
			state = stName
			fallthrough // the common path runs name, OWS, value without a dispatch

		case stName:
			// field-name = token, then ':' with no whitespace before it
			// (RFC 9112 §5.1).
			i = skipToken(b, i)
			if i >= len(b) {
				goto more
			}
			if c := b[i]; c != ':' || i == mark {
				if c == ' ' || c == '\t' {
					return 0, errFieldSpace
				}
				if c == '\r' && i+1 < len(b) && b[i+1] != '\n' {
					return 0, errBareCR
				}
				return 0, errFieldName
			}
			if len(req.Headers) >= p.lim.MaxHeaders {
				return 0, errTooManyField
			}
			p.name = span(mark, i)
			i++
			state = stValueLead
			fallthrough

		case stValueLead:
			for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
				i++
			}
			if i >= len(b) {
				goto more
			}
			mark = i
			state = stValue
			fallthrough

		case stValue:
			// field-value: no CR, LF, NUL or other control but HTAB (RFC
			// 9110 §5.5); OWS around it is not part of it (RFC 9112 §5).
			i = skipValue(b, i)
			if i >= len(b) {
				goto more
			}
			end := i
			switch b[i] {
			case '\r':
				if i+1 >= len(b) {
					goto more
				}
				if b[i+1] != '\n' {
					return 0, errBareCR
				}
				i += 2
			case '\n':
				i++
			default:
				return 0, errFieldValue
			}
			for end > mark && (b[end-1] == ' ' || b[end-1] == '\t') {
				end--
			}
			v := span(mark, end)
			req.Headers = append(req.Headers, Header{Name: p.name, Value: v})
			if n := p.name.Len; n < 32 && framingLens&(1<<n) != 0 {
				if err := p.field(b, req, p.name, v); err != nil {
					return 0, err
				}
			}
			state = stLineStart
		}
	}

more:
	p.count.examined(i - start)
	p.pos, p.state, p.mark = i, state, mark
	return 0, nil

done:
	p.count.examined(i - start)
	if err := p.finish(req); err != nil {
		return 0, err
	}
	return i, nil
}

// versionByteOK checks byte k of "HTTP/" DIGIT "." DIGIT.
func versionByteOK(k int, c byte) bool {
	switch k {
	case 5, 7:
		return isDigit(c)
	case 6:
		return c == '.'
	default:
		return c == "HTTP/"[k]
	}
}
