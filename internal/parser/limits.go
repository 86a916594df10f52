package parser

// Limits bound what one request may cost the server. A zero (or negative)
// field takes its default, so Limits{} is a sensible configuration.
type Limits struct {
	// MaxHeadBytes bounds the whole head: leading empty lines, request line,
	// header field lines and the final empty line. Exceeding it answers 431,
	// or 414 when the parser is still inside the request-target. Default 64 KiB:
	// eight times what browsers send with large cookies, one read buffer's
	// worth, and small enough that a slow client cannot pin much memory.
	// Values above 1 GiB are lowered to 1 GiB so that offsets fit a Span.
	MaxHeadBytes int

	// MaxHeaders bounds the number of header field lines. Exceeding it answers
	// 431. Default 100: real requests carry 10–30, and each line costs a Header
	// in Head.Headers.
	MaxHeaders int

	// MaxTargetLen bounds the request-target. Exceeding it answers 414.
	// Default 8 KiB, the size RFC 9112 §3 recommends every server support.
	MaxTargetLen int

	// MaxBody bounds the request body: a Content-Length above it answers 413,
	// and a ChunkedDecoder initialised with it answers 413 once the chunk sizes
	// add up to more. Default 8 MiB (8388608), the maxBody of Nim's
	// asynchttpserver.
	MaxBody int64
}

// Defaults for the zero fields of Limits.
const (
	DefaultMaxHeadBytes = 64 << 10
	DefaultMaxHeaders   = 100
	DefaultMaxTargetLen = 8 << 10
	DefaultMaxBody      = 8 << 20

	// maxHeadCap keeps every offset of a head inside a Span's uint32.
	maxHeadCap = 1 << 30
)

// normalized returns l with every unset field replaced by its default.
func (l Limits) normalized() Limits {
	if l.MaxHeadBytes <= 0 {
		l.MaxHeadBytes = DefaultMaxHeadBytes
	}
	if l.MaxHeadBytes > maxHeadCap {
		l.MaxHeadBytes = maxHeadCap
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxTargetLen <= 0 {
		l.MaxTargetLen = DefaultMaxTargetLen
	}
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	return l
}
