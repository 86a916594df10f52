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
// message (response splitting) and no NUL can truncate it.
func ValidFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if !valueTab[s[i]] {
			return false
		}
	}
	return true
}
