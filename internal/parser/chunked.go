package parser

import "bytes"

// Bounds of the chunked decoder. The body itself is bounded by maxBody; these
// bound the framing around it, which maxBody does not count.
const (
	// maxChunkSizeDigits: 16 hex digits already exceed any int64 body limit,
	// so a longer size (even one padded with zeros) is malformed.
	maxChunkSizeDigits = 16

	// maxChunkExtLen bounds the extensions of one chunk line; signed-chunk
	// schemes use ~100 bytes.
	maxChunkExtLen = 4096

	// maxChunkExtTotal bounds the extensions of a whole body, so that a client
	// cannot stream megabytes of extensions around one-byte chunks
	// (net/http guards the same way since CVE-2023-39326).
	maxChunkExtTotal = 64 << 10

	// maxTrailerBytes and maxTrailers bound the trailer section.
	maxTrailerBytes = 16 << 10
	maxTrailers     = 64

	maxChunkLine = maxChunkSizeDigits + maxChunkExtLen + 2
)

// Decoder states.
const (
	csSize     uint8 = iota // at or inside a chunk-size line
	csData                  // inside chunk data
	csDataCRLF              // at the CRLF that ends chunk data
	csTrailer               // at or inside a trailer field line or the final CRLF
	csDone                  // the body is complete
)

// ChunkedDecoder decodes a chunked request body (RFC 9112 §7.1) in place and
// incrementally. Decisions:
//
//   - Every line must end in CRLF. A bare LF is rejected (400), unlike in the
//     head: chunk framing is where a front end and this server disagreeing
//     about a lone LF smuggles a request (net/http rejects it too since
//     CVE-2025-22871).
//   - chunk-size is 1 to 16 hex digits; a running total above maxBody is 413.
//   - Chunk extensions are validated against §7.1.1 (token or quoted-string
//     values), then ignored. Each line's extensions are bounded by 4 KiB and a
//     body's by 64 KiB.
//   - Trailer fields are checked as field lines (token name, ':', valid value,
//     no obs-fold), bounded to 64 fields and 16 KiB (431 beyond), then
//     discarded: no handler in this server reads trailers, and merging them
//     into the head would let a body smuggle framing fields (§7.1.2).
//
// The zero value uses DefaultMaxBody; Init sets another limit.
type ChunkedDecoder struct {
	maxBody int64
	base    int64 // decoded bytes dropped by Discard: they count toward maxBody
	state   uint8
	rd      int   // wire bytes consumed
	wr      int   // decoded bytes so far: buf[:wr]
	scan    int   // where the search for the current line's LF resumes
	left    int64 // chunk data bytes still to come
	ext     int   // extension bytes seen in this body
	trBytes int   // trailer section bytes seen
	trCount int   // trailer fields seen
	err     *Error
	count   counters // bytes examined or moved, for the linearity test
}

// Init prepares d for a body of at most maxBody decoded bytes (DefaultMaxBody
// when maxBody <= 0).
func (d *ChunkedDecoder) Init(maxBody int64) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	*d = ChunkedDecoder{maxBody: maxBody}
}

// Reset prepares d for the next body, keeping its limit.
func (d *ChunkedDecoder) Reset() { d.Init(d.maxBody) }

// Len returns the number of decoded body bytes: buf[:Len()].
func (d *ChunkedDecoder) Len() int { return d.wr }

// SetLimit changes the body limit of the body being decoded (a request
// whose body its handler streams may have a limit of its own).
func (d *ChunkedDecoder) SetLimit(maxBody int64) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	d.maxBody = maxBody
}

// Discard drops the decoded bytes (buf[:Len()], which the caller has
// taken) and the wire bytes consumed so far, and returns how many wire
// bytes that is: the next Decode is given the buffer that many bytes
// further on. A body streamed to its reader is decoded this way, a window
// at a time, instead of whole in one buffer.
func (d *ChunkedDecoder) Discard() int {
	n := d.rd
	d.base += int64(d.wr)
	d.scan -= n
	d.rd, d.wr = 0, 0
	return n
}

// Decode is given buf starting at the first byte of the chunked body, the same
// start on every call, with more bytes at the end each time (the bytes may
// have been moved to another buffer in between). It moves chunk data down so
// that buf[:d.Len()] holds the body decoded so far; the bytes between Len and
// the wire position are garbage.
//
// It returns done=true with consumed = the wire bytes of the whole chunked
// body, including the last chunk, trailers and final CRLF (the next pipelined
// request starts at buf[consumed]); done=false when more bytes are needed; or
// an *Error: 400 malformed, 413 beyond maxBody, 431 trailers too large. Total
// work is linear in the body's length: each call resumes where the last one
// stopped.
func (d *ChunkedDecoder) Decode(buf []byte) (consumed int, done bool, err error) {
	if d.err != nil {
		return 0, false, d.err
	}
	if d.maxBody == 0 {
		d.maxBody = DefaultMaxBody
	}
	if d.rd > len(buf) {
		return 0, false, nil
	}
	for {
		switch d.state {
		case csSize:
			if d.rd < len(buf) && hexTab[buf[d.rd]] < 0 {
				return d.fail(errChunkSize) // fail fast on junk
			}
			line, next, e := d.line(buf, maxChunkLine, errChunkLine)
			if e != nil {
				return d.fail(e)
			}
			if next == 0 {
				return 0, false, nil
			}
			size, e := d.size(line)
			if e != nil {
				return d.fail(e)
			}
			d.rd, d.scan = next, next
			if size == 0 {
				d.state = csTrailer
				continue
			}
			d.left = size
			d.state = csData

		case csData:
			k := len(buf) - d.rd
			if k == 0 {
				return 0, false, nil
			}
			if int64(k) > d.left {
				k = int(d.left)
			}
			copy(buf[d.wr:], buf[d.rd:d.rd+k])
			d.count.examined(k)
			d.wr += k
			d.rd += k
			d.left -= int64(k)
			if d.left > 0 {
				return 0, false, nil
			}
			d.state = csDataCRLF

		case csDataCRLF:
			if d.rd >= len(buf) {
				return 0, false, nil
			}
			if buf[d.rd] != '\r' {
				if buf[d.rd] == '\n' {
					return d.fail(errChunkBareLF)
				}
				return d.fail(errChunkDataCRLF)
			}
			if d.rd+1 >= len(buf) {
				return 0, false, nil
			}
			if buf[d.rd+1] != '\n' {
				return d.fail(errChunkDataCRLF)
			}
			d.rd += 2
			d.scan = d.rd
			d.state = csSize

		case csTrailer:
			line, next, e := d.line(buf, maxTrailerBytes-d.trBytes, errTrailerTooLarg)
			if e != nil {
				return d.fail(e)
			}
			if next == 0 {
				return 0, false, nil
			}
			d.trBytes += next - d.rd
			d.rd, d.scan = next, next
			if len(line) == 0 {
				d.state = csDone
				return d.rd, true, nil
			}
			d.trCount++
			if d.trCount > maxTrailers {
				return d.fail(errTrailerTooLarg)
			}
			if !validFieldLine(line) {
				return d.fail(errTrailer)
			}

		case csDone:
			return d.rd, true, nil
		}
	}
}

// fail records err so that later calls return it too.
func (d *ChunkedDecoder) fail(err *Error) (int, bool, error) {
	d.err = err
	return 0, false, err
}

// line finds the CRLF ending the line that starts at d.rd, resuming the
// search at d.scan. It returns the line without its CRLF and the offset after
// it, or next == 0 when the line is incomplete. A line of max bytes or more
// (CRLF included) is tooLong.
func (d *ChunkedDecoder) line(buf []byte, max int, tooLong *Error) (line []byte, next int, err *Error) {
	end := len(buf)
	if end > d.rd+max {
		end = d.rd + max
	}
	if d.scan < end {
		j := bytes.IndexByte(buf[d.scan:end], '\n')
		if j >= 0 {
			j += d.scan
			d.count.examined(j + 1 - d.scan)
			if j == d.rd || buf[j-1] != '\r' {
				return nil, 0, errChunkBareLF
			}
			return buf[d.rd : j-1], j + 1, nil
		}
		d.count.examined(end - d.scan)
		d.scan = end
	}
	if len(buf)-d.rd >= max {
		return nil, 0, tooLong
	}
	return nil, 0, nil
}

// size parses chunk-size [ chunk-ext ] (RFC 9112 §7.1, §7.1.1) and checks the
// body limit.
func (d *ChunkedDecoder) size(line []byte) (int64, *Error) {
	var n uint64
	i := 0
	for ; i < len(line) && hexTab[line[i]] >= 0; i++ {
		if i == maxChunkSizeDigits {
			return 0, errChunkSize
		}
		n = n<<4 | uint64(hexTab[line[i]])
	}
	if i == 0 {
		return 0, errChunkSize
	}
	if i < len(line) {
		d.ext += len(line) - i
		if len(line)-i > maxChunkExtLen || d.ext > maxChunkExtTotal {
			return 0, errChunkExt
		}
		if !validChunkExt(line[i:]) {
			if line[i] != ';' && line[i] != ' ' && line[i] != '\t' {
				return 0, errChunkSize // "5x", "0x5"
			}
			return 0, errChunkExt
		}
	}
	if n > uint64(d.maxBody-d.base-int64(d.wr)) {
		return 0, errBodyTooLarge
	}
	return int64(n), nil
}

// validChunkExt checks
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
func validChunkExt(e []byte) bool {
	i := 0
	for i < len(e) {
		i = skipOWS(e, i)
		if i >= len(e) || e[i] != ';' {
			return false
		}
		i = skipOWS(e, i+1)
		s := i
		for i < len(e) && tokenTab[e[i]] {
			i++
		}
		if i == s {
			return false
		}
		j := skipOWS(e, i)
		if j >= len(e) || e[j] != '=' {
			i = j
			continue
		}
		i = skipOWS(e, j+1)
		if i < len(e) && e[i] == '"' {
			if i = quotedString(e, i); i < 0 {
				return false
			}
			continue
		}
		s = i
		for i < len(e) && tokenTab[e[i]] {
			i++
		}
		if i == s {
			return false
		}
	}
	return true
}

// quotedString returns the offset after the quoted-string starting at e[i]
// (RFC 9110 §5.6.4), or -1 if it is malformed or unterminated.
func quotedString(e []byte, i int) int {
	for i++; i < len(e); i++ {
		switch c := e[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i >= len(e) || !valueTab[e[i]] {
				return -1
			}
		case !valueTab[c]:
			return -1
		}
	}
	return -1
}

// skipOWS returns the offset of the first byte at or after i that is not SP
// or HTAB.
func skipOWS(e []byte, i int) int {
	for i < len(e) && (e[i] == ' ' || e[i] == '\t') {
		i++
	}
	return i
}

// validFieldLine checks a trailer line: field-name ":" OWS field-value OWS,
// with no whitespace before the colon and no obs-fold (RFC 9112 §5).
func validFieldLine(line []byte) bool {
	i := 0
	for i < len(line) && tokenTab[line[i]] {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != ':' {
		return false
	}
	for _, c := range line[i+1:] {
		if !valueTab[c] {
			return false
		}
	}
	return true
}
