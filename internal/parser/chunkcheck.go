package parser

import "errors"

// ErrChunkedFraming is returned by ChunkChecker for bytes that are not
// valid chunked coding.
var ErrChunkedFraming = errors.New("invalid chunked transfer coding")

// Checker states, in the order they occur in a chunked message.
const (
	ckSizeFirst    uint8 = iota // the first hex digit of a chunk-size
	ckSize                      // further hex digits
	ckExt                       // chunk extensions, up to CR
	ckSizeLF                    // the LF after a chunk-size line
	ckData                      // chunk data
	ckDataCR                    // the CR after chunk data
	ckDataLF                    // its LF
	ckTrailerStart              // the start of a trailer line, or the final CR
	ckTrailerName               // a trailer field name
	ckTrailerValue              // its value, up to CR
	ckTrailerLF                 // the LF after a trailer line
	ckFinalLF                   // the LF of the empty line that ends the message
	ckDone                      // the message is complete
)

// ChunkChecker follows chunked coding (RFC 9112 §7.1) written by someone
// else, a byte stream at a time, without buffering: the server uses it on
// response bodies that a handler frames itself, so that a malformed or
// unfinished chunk stream is caught before it reaches the client instead of
// desynchronising the connection. It checks the grammar (hex sizes, CRLF
// line ends, chunk data lengths, field-line characters in extensions and
// trailers) and reports where each chunk's data lies, so that the data can
// also be sent without the framing (to an HTTP/1.0 client).
//
// The zero value expects the first chunk-size line.
type ChunkChecker struct {
	state uint8
	left  uint64 // data bytes still to come in the current chunk
	digit int    // hex digits of the current chunk-size
}

// Done reports whether the message is complete: the last chunk, the
// trailer section and the final CRLF have been seen.
func (k *ChunkChecker) Done() bool { return k.state == ckDone }

// Check follows p. It returns how many bytes of p are valid chunked coding
// (all of p, or up to the end of the message, or up to the first invalid
// byte), and appends to data the parts of p[:n] that are chunk data. err is
// ErrChunkedFraming if an invalid byte stopped it; bytes after the end of
// the message are left unread without an error (compare n with len(p)).
func (k *ChunkChecker) Check(p []byte, data [][]byte) (n int, _ [][]byte, err error) {
	i := 0
	for i < len(p) && k.state != ckDone {
		c := p[i]
		switch k.state {
		case ckSizeFirst, ckSize:
			if v := hexTab[c]; v >= 0 {
				if k.digit++; k.digit > maxChunkSizeDigits {
					return i, data, ErrChunkedFraming
				}
				k.left = k.left<<4 | uint64(v)
				k.state = ckSize
				break
			}
			if k.state == ckSizeFirst {
				return i, data, ErrChunkedFraming
			}
			switch c {
			case '\r':
				k.state = ckSizeLF
			case ';', ' ', '\t':
				k.state = ckExt
			default:
				return i, data, ErrChunkedFraming
			}
		case ckExt, ckTrailerValue:
			if c == '\r' {
				k.state++ // ckExt → ckSizeLF, ckTrailerValue → ckTrailerLF
				break
			}
			if !valueTab[c] {
				return i, data, ErrChunkedFraming
			}
		case ckSizeLF:
			if c != '\n' {
				return i, data, ErrChunkedFraming
			}
			k.digit = 0
			k.state = ckData
			if k.left == 0 {
				k.state = ckTrailerStart // the last chunk
			}
		case ckData:
			m := uint64(len(p) - i)
			if m > k.left {
				m = k.left
			}
			data = append(data, p[i:i+int(m)])
			k.left -= m
			i += int(m)
			if k.left == 0 {
				k.state = ckDataCR
			}
			continue
		case ckDataCR:
			if c != '\r' {
				return i, data, ErrChunkedFraming
			}
			k.state = ckDataLF
		case ckDataLF:
			if c != '\n' {
				return i, data, ErrChunkedFraming
			}
			k.state = ckSizeFirst
		case ckTrailerStart:
			switch {
			case c == '\r':
				k.state = ckFinalLF
			case tokenTab[c]:
				k.state = ckTrailerName
			default:
				return i, data, ErrChunkedFraming
			}
		case ckTrailerName:
			switch {
			case c == ':':
				k.state = ckTrailerValue
			case !tokenTab[c]:
				return i, data, ErrChunkedFraming
			}
		case ckTrailerLF:
			if c != '\n' {
				return i, data, ErrChunkedFraming
			}
			k.state = ckTrailerStart
		case ckFinalLF:
			if c != '\n' {
				return i, data, ErrChunkedFraming
			}
			k.state = ckDone
		}
		i++
	}
	return i, data, nil
}
