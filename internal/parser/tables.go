package parser

// Byte-class tables. Indexing a [256] array with a byte needs no bounds check,
// so each hot loop is one load and one branch per byte. The tables are built
// once at init from the RFC grammars quoted beside them.

// tokenTab: tchar (RFC 9110 §5.6.2), for methods, field names and codings.
//
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tokenTab = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// valueTab: bytes allowed inside a field value (RFC 9110 §5.5): HTAB, SP,
// VCHAR and obs-text. CR, LF, NUL, the other controls and DEL stop the scan.
var valueTab = func() (t [256]bool) {
	t['\t'] = true
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// Classes of targetTab.
const (
	tInvalid = iota // not allowed in a request-target
	tPlain          // allowed, no meaning to the scanner
	tPercent        // '%': must start a pct-encoded triplet
	tQuery          // '?': the first one starts the query
	tSpace          // SP: ends the request-target
)

// targetTab classifies request-target bytes (RFC 9112 §3.2, RFC 3986 §2).
// VCHAR is accepted except '#', which starts a fragment: fragments are never
// sent, and two parsers disagreeing on where the path ends is how route
// confusion starts. Other characters that RFC 3986 does not allow unescaped
// ('"', '<', '>', '\\', '^', '`', '{', '|', '}') are accepted, as net/http and
// nginx do, because clients send them and they are unambiguous. Controls, DEL
// and bytes >= 0x80 are rejected: a URI is ASCII (RFC 3986 §2), and raw
// UTF-8 would reach handlers in no defined encoding.
var targetTab = func() (t [256]uint8) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = tPlain
	}
	t['#'] = tInvalid
	t['%'] = tPercent
	t['?'] = tQuery
	t[' '] = tSpace
	return t
}()

// hexTab maps HEXDIG to its value; other bytes map to -1.
var hexTab = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c - 'a' + 10)
		t[c-'a'+'A'] = int8(c - 'a' + 10)
	}
	return t
}()

// regNameTab: bytes of a reg-name other than pct-encoded (RFC 3986 §3.2.2):
// unreserved / sub-delims.
var regNameTab = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~!$&'()*+,;=" {
		t[c] = true
	}
	return t
}()

// lowerTab folds ASCII upper case to lower case and maps every other byte to
// itself.
var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c - 'A' + 'a')
	}
	return t
}()

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c-'0' < 10 }
