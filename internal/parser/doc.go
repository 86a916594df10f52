// Package parser is the server's input path: an incremental, zero-copy,
// allocation-free parser for HTTP/1.1 request heads (RFC 9112) and an in-place
// decoder for chunked request bodies. It does no I/O and knows nothing of the
// event loop.
//
// # Use
//
// A connection owns a Parser, a Head and a buffer. After each read it calls
// Parser.Parse with the bytes of the current request received so far; Parse
// reports "need more" (0, nil), a complete head of n bytes, or an *Error
// carrying the status to answer (400, 413, 414, 431, 501, 505). Everything in
// Head is a Span (offset, length) into that buffer, so nothing is copied,
// and since spans are offsets the buffer may be moved or grown between calls.
// Parse resumes where it stopped: a head trickling in a byte at a time costs
// linear time. Pipelined requests are parsed one after another from
// buf[n:]. A chunked body is decoded in place by a ChunkedDecoder.
//
// After any *Error the connection must answer and close: the parser no longer
// knows where the next request starts.
//
// # Strictness
//
// The parser follows RFC 9112 closely and resolves every "MAY" towards
// rejecting what a front end could read differently (request smuggling):
//
//   - The method is a case-sensitive token; a token other than the nine
//     methods known to Method is MethodOther (its handler decides), not an
//     error. Request-line parts are separated by exactly one SP.
//   - The request-target is origin-form, absolute-form (scheme "://"
//     authority, no userinfo, non-empty host), authority-form (only with
//     CONNECT, which accepts nothing else) or asterisk-form (only with
//     OPTIONS). Controls, SP, DEL, '#' and bytes >= 0x80 are rejected, and
//     '%' must start a pct-encoded triplet; other ASCII punctuation is
//     accepted, as clients send it. No decoding or normalisation is done.
//   - HTTP/1.0 and HTTP/1.1 are served; any other well-formed version
//     ("HTTP/" DIGIT "." DIGIT) is 505, anything else 400.
//   - Field names are tokens with no whitespace before the colon; values have
//     OWS trimmed and must not hold CR, LF, NUL or controls other than HTAB
//     (obs-text, bytes >= 0x80, is allowed, RFC 9110 §5.5); obs-fold is 400.
//   - A bare CR anywhere is 400. A bare LF ends a line of the head, as RFC
//     9112 §2.2 allows and net/http does: a conforming intermediary never
//     forwards a lone LF inside a field (RFC 9110 §5.5), so accepting it
//     opens no gap behind one. In a chunked body, where the 2025 smuggling
//     reports lived, a bare LF is 400.
//   - Up to eight empty lines (CRLF or LF) before the request line are
//     skipped (§2.2); a ninth is 400. They count in HeadLen and MaxHeadBytes.
//   - HTTP/1.1 needs exactly one Host, and every Host value must be
//     uri-host [":" port] (§3.2), CONNECT included.
//   - Framing (§6): Content-Length is 1*DIGIT that fits an int64; repeated
//     Content-Length lines must be byte-identical, and a comma list is 400.
//     Transfer-Encoding lines form one list; chunked must be last (else 400)
//     and appear once (else 400); any other coding before it is 501. Both
//     Content-Length and Transfer-Encoding is 400, and so is
//     Transfer-Encoding in an HTTP/1.0 request. No request with ambiguous
//     framing is ever accepted, so no Close-and-guess path exists.
//   - Connection is read as a list of tokens across all its lines; close,
//     keep-alive and upgrade are recognised case-insensitively.
//
// # Deliberate differences from net/http
//
// net/http's ReadRequest, with the checks its server adds (version, Host),
// accepts some requests that this package rejects:
//
//   - obs-fold (net/http unfolds it);
//   - Content-Length with Transfer-Encoding (it drops Content-Length);
//   - Transfer-Encoding in HTTP/1.0 (it ignores the header);
//   - HTTP/1.2 to HTTP/1.9 (it serves them as 1.x);
//   - CONNECT without Host, or with an origin-form or port-less target;
//   - '*' with a method other than OPTIONS;
//   - '#' or bytes >= 0x80 in the target, a malformed '%' escape in the query;
//   - absolute-form without "//", with userinfo or with an empty host;
//   - a Host made of allowed bytes that is not uri-host [":" port].
//
// In the other direction, net/http skips empty lines before a request line
// only after a POST, and wants exactly one Transfer-Encoding line holding
// exactly "chunked" where this package applies the list rules of RFC 9110
// §5.6.1 (", chunked" or an empty line plus a chunked line are chunked).
// net/http also answers an Expect other than 100-continue with 417; here
// that is the server's decision. FuzzDifferential (differential_test.go)
// checks that the two agree everywhere else, and TestDeliberateDifferences
// that each difference above is real.
//
// # Limits
//
// Limits bounds head bytes (431), field lines (431), target length (414) and
// body size (413); see Limits for the defaults and why.
package parser
