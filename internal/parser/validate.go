package parser

// The character classes of RFC 9110, exported so that code writing
// messages (the server's responses, the load generator's requests) checks
// them with the parser's own tables instead of copies.

// IsTokenChar reports whether c is a tchar (RFC 9110 §5.6.2), a character
// of methods, field names and transfer codings.
func IsTokenChar(c byte) bool { return tokenTab[c] }

// ValidToken reports whether s is a token: one or more tchars.
func ValidToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenTab[s[i]] {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether s may be sent as a field value (RFC 9110
// §5.5): no control character but HTAB, so that no CR or LF can split the
// message (response splitting) and no NUL can truncate it. It looks at
// eight bytes at a time, and at single bytes only in a word that may hold
// a control character (or a tab): the load generator checks every
// response header it reads with it.
func ValidFieldValue[T ~string | ~[]byte](s T) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// The classic SWAR tests, exact as to whether such a byte exists:
		// a byte below 0x20, and a byte equal to 0x7f.
		below := (w - 0x20*ones) & ^w & highs
		del := w ^ 0x7f*ones
		del = (del - ones) & ^del & highs
		if below|del != 0 && !validValueBytes(s[i:i+8]) {
			return false
		}
	}
	return validValueBytes(s[i:])
}

func validValueBytes[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if !valueTab[s[i]] {
			return false
		}
	}
	return true
}

// EqualFold reports whether a equals b under ASCII case folding, without
// allocating: header names and tokens are ASCII, and Unicode folding
// (strings.EqualFold) would match what HTTP does not (the Kelvin sign
// folds to 'k').
func EqualFold[T ~string | ~[]byte](a T, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lowerTab[a[i]] != lowerTab[b[i]] {
			return false
		}
	}
	return true
}
