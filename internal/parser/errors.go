package parser

import "strconv"

// Error is a request the server must reject: Status is the HTTP status code to
// answer with and Reason a short, fixed, human-readable cause (safe to send as
// a response body; it never echoes request bytes).
//
// After any Error the connection must be closed once the response is written:
// the parser no longer knows where the next request would start, so reading on
// would invite request smuggling (RFC 9112 §6.3 item 4, §11.2).
//
// The parser returns only the pre-allocated values below, so rejecting a
// request allocates nothing; compare with == or inspect Status.
type Error struct {
	Status int    // HTTP status code: 400, 413, 414, 431, 501 or 505
	Reason string // why, e.g. "invalid header field name"
}

// Error returns the status code followed by the reason, for logs.
func (e *Error) Error() string {
	return "http " + strconv.Itoa(e.Status) + ": " + e.Reason
}

func newError(status int, reason string) *Error { return &Error{Status: status, Reason: reason} }

// Request-line errors (RFC 9112 §3).
var (
	errLeadingLines  = newError(400, "too many empty lines before the request line")
	errMethod        = newError(400, "invalid method")
	errRequestLine   = newError(400, "malformed request line")
	errTarget        = newError(400, "invalid request-target")
	errTargetForm    = newError(400, "request-target form not allowed for this method")
	errTargetTooLong = newError(414, "request-target too long")
	errVersion       = newError(400, "malformed HTTP version")
	errVersionNotSup = newError(505, "HTTP version not supported")
)

// Field errors (RFC 9112 §5, RFC 9110 §5).
var (
	errFieldName    = newError(400, "invalid header field name")
	errFieldSpace   = newError(400, "whitespace between header field name and colon")
	errFieldValue   = newError(400, "invalid header field value")
	errObsFold      = newError(400, "obsolete line folding")
	errBareCR       = newError(400, "bare CR")
	errHeadTooLarge = newError(431, "request header fields too large")
	errTooManyField = newError(431, "too many header fields")
)

// Host and framing errors (RFC 9112 §3.2, §6).
var (
	errHostMissing     = newError(400, "missing Host header")
	errHostDup         = newError(400, "more than one Host header")
	errHostInvalid     = newError(400, "invalid Host header")
	errCLInvalid       = newError(400, "invalid Content-Length")
	errCLConflict      = newError(400, "conflicting Content-Length values")
	errCLAndTE         = newError(400, "both Content-Length and Transfer-Encoding")
	errTEInvalid       = newError(400, "invalid Transfer-Encoding")
	errTEChunkedTwice  = newError(400, "chunked applied more than once")
	errTENotFinal      = newError(400, "chunked is not the final transfer coding")
	errTEHTTP10        = newError(400, "Transfer-Encoding in an HTTP/1.0 request")
	errTEUnimplemented = newError(501, "transfer coding not implemented")
	errBodyTooLarge    = newError(413, "request body too large")
)

// Chunked body errors (RFC 9112 §7.1).
var (
	errChunkSize      = newError(400, "invalid chunk size")
	errChunkExt       = newError(400, "invalid chunk extension")
	errChunkLine      = newError(400, "malformed chunk line")
	errChunkDataCRLF  = newError(400, "missing CRLF after chunk data")
	errChunkBareLF    = newError(400, "bare LF in chunked body")
	errTrailer        = newError(400, "invalid trailer field")
	errTrailerTooLarg = newError(431, "trailer section too large")
)
