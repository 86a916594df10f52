package server

import (
	"net/url"
	"strings"
)

// URL is the request-target, split, with its path decoded as net/url
// decodes it (Nim's Uri is the raw target; Go programs expect net/url's
// convention, and routers match on decoded paths).
type URL struct {
	// Scheme and Host are set for an absolute-form target
	// ("GET http://host/path"), and Host for CONNECT's authority-form.
	Scheme, Host string
	// Path is the decoded path: "/users/%31" arrives as "/users/1". It is
	// "/" for an absolute-form target without one and "*" for OPTIONS *.
	Path string
	// RawPath is the path as sent, set only when decoding changed it in a
	// way that re-encoding Path would not restore ("/a%2Fb" decodes to
	// "/a/b"), exactly as net/url.URL.RawPath; use EscapedPath for the
	// path as it should be written.
	RawPath string
	// RawQuery is what follows '?', without it, not decoded (Query decodes
	// it).
	RawQuery string
}

// setPath sets Path and RawPath from the path as sent, as net/url does.
// The parser has checked that every '%' starts a valid escape.
func (u *URL) setPath(raw string) {
	u.Path, u.RawPath = raw, ""
	if strings.IndexByte(raw, '%') < 0 {
		// Nothing to decode. net/url keeps RawPath when escaping Path
		// would not give the path back: for a valid target without '%',
		// when it has a sub-delimiter that net/url escapes.
		if hasEscapedSubDelim(raw) {
			u.RawPath = raw
		}
		return
	}
	p, err := url.PathUnescape(raw)
	if err != nil {
		return
	}
	u.Path = p
	if (&url.URL{Path: p}).EscapedPath() != raw {
		u.RawPath = raw
	}
}

// escapedSubDelims are the sub-delimiters (RFC 3986 §2.2) valid in a path
// that net/url's path escaping escapes all the same.
const escapedSubDelims = "!'()*"

// isEscapedSubDelim marks the bytes of escapedSubDelims.
var isEscapedSubDelim = [256]bool{'!': true, '\'': true, '(': true, ')': true, '*': true}

// hasEscapedSubDelim reports whether s holds one of escapedSubDelims. Every
// request's path is checked, and on short paths a table walk costs a few
// instructions a byte where strings.ContainsAny costs a call a byte (about
// 50 instructions for "/").
func hasEscapedSubDelim(s string) bool {
	for i := 0; i < len(s); i++ {
		if isEscapedSubDelim[s[i]] {
			return true
		}
	}
	return false
}

// EscapedPath returns the path in its escaped form: RawPath when it is
// set, else Path escaped by net/url's rules.
func (u URL) EscapedPath() string {
	if u.RawPath != "" {
		return u.RawPath
	}
	if strings.IndexByte(u.Path, '%') < 0 && !strings.ContainsAny(u.Path, " ?#"+escapedSubDelims) && isASCII(u.Path) {
		return u.Path
	}
	return (&url.URL{Path: u.Path}).EscapedPath()
}

// Query parses RawQuery into values (decoding them; this allocates).
func (u URL) Query() url.Values {
	v, _ := url.ParseQuery(u.RawQuery)
	return v
}

// String reassembles the target, its path escaped.
func (u URL) String() string {
	s := u.EscapedPath()
	if u.Host != "" {
		if u.Scheme != "" {
			s = u.Scheme + "://" + u.Host + s
		} else {
			s = u.Host
		}
	}
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}
