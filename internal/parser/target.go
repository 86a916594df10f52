package parser

// target classifies the request-target b[from:to] (its bytes were already
// checked against targetTab) and fills the target fields of req
// (RFC 9112 §3.2).
func (p *Parser) target(b []byte, req *Head, from, to int) *Error {
	p.count.examined(to - from)
	req.Target = span(from, to)
	pathEnd := to
	req.Query = span(to, to)
	if q := p.query; q >= 0 {
		pathEnd = q
		req.HasQuery = true
		req.Query = span(q+1, to)
	}
	t := b[from:to]

	// CONNECT takes authority-form and nothing else; authority-form is for
	// CONNECT alone (RFC 9112 §3.2.3).
	if req.Method == MethodConnect {
		if !validAuthority(t, true, false) {
			return errTargetForm
		}
		req.Form = FormAuthority
		req.Authority = req.Target
		req.Path = span(to, to)
		return nil
	}

	switch t[0] {
	case '/': // origin-form = absolute-path [ "?" query ] (§3.2.1)
		req.Form = FormOrigin
		req.Path = span(from, pathEnd)
		return nil
	case '*': // asterisk-form, for a server-wide OPTIONS (§3.2.4)
		if len(t) != 1 {
			return errTarget
		}
		if req.Method != MethodOptions {
			return errTargetForm
		}
		req.Form = FormAsterisk
		req.Path = req.Target
		return nil
	}

	// absolute-form (§3.2.2): scheme "://" authority path-abempty [ "?" query ].
	// An authority is required: every scheme an HTTP server serves (http,
	// https) has one, and RFC 9110 §4.2.1 makes an empty host invalid.
	// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
	i := 0
	if c := t[0] | 0x20; c < 'a' || c > 'z' {
		return errTarget
	}
	for i = 1; i < len(t); i++ {
		c := t[i]
		if c == ':' {
			break
		}
		if !(lowerTab[c] >= 'a' && lowerTab[c] <= 'z' || isDigit(c) || c == '+' || c == '-' || c == '.') {
			return errTarget
		}
	}
	if i+3 > len(t) || t[i] != ':' || t[i+1] != '/' || t[i+2] != '/' {
		return errTarget
	}
	req.Scheme = span(from, from+i)
	a := i + 3
	e := a
	for e < len(t) && t[e] != '/' && t[e] != '?' {
		e++
	}
	if !validAuthority(t[a:e], false, false) {
		return errTarget // also rejects userinfo, deprecated by RFC 9110 §4.2.4
	}
	req.Form = FormAbsolute
	req.Authority = span(from+a, from+e)
	req.Path = span(from+e, pathEnd)
	return nil
}

// validAuthority reports whether a is uri-host [ ":" port ] (RFC 3986 §3.2.2,
// §3.2.3): an IPv6 address in brackets, or
// a reg-name (which includes IPv4 addresses) of unreserved, sub-delims and
// pct-encoded bytes, then an optional port of digits. userinfo and IPvFuture
// are not accepted. requirePort demands a non-empty port (authority-form);
// allowEmpty accepts an empty host (a Host header may be empty, RFC 9110
// §7.2).
func validAuthority(a []byte, requirePort, allowEmpty bool) bool {
	i := 0
	if len(a) > 0 && a[0] == '[' {
		i = 1
		for i < len(a) && (hexTab[a[i]] >= 0 || a[i] == ':' || a[i] == '.') {
			i++
		}
		if i >= len(a) || a[i] != ']' || !validIPv6(a[1:i]) {
			return false
		}
		i++
	} else {
		for i < len(a) {
			c := a[i]
			if regNameTab[c] {
				i++
				continue
			}
			if c == '%' && i+2 < len(a) && hexTab[a[i+1]] >= 0 && hexTab[a[i+2]] >= 0 {
				i += 3
				continue
			}
			break
		}
		if i == 0 && !allowEmpty {
			return false
		}
	}
	if i == len(a) {
		return !requirePort
	}
	if a[i] != ':' {
		return false
	}
	i++
	if i == len(a) {
		return !requirePort // port = *DIGIT: "host:" is grammatical
	}
	for ; i < len(a); i++ {
		if !isDigit(a[i]) {
			return false
		}
	}
	return true
}

// validIPv6 reports whether s is an IPv6address (RFC 3986 §3.2.2): eight
// groups of one to four hex digits separated by ':', the last two of which
// may be written as an IPv4 address, with at most one "::" standing for one
// or more zero groups. Zone identifiers are not accepted.
func validIPv6(s []byte) bool {
	groups, elided := 0, false
	i := 0
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		elided, i = true, 2
	}
	for i < len(s) {
		j := i
		for j < len(s) && j-i <= 4 && hexTab[s[j]] >= 0 {
			j++
		}
		if j < len(s) && s[j] == '.' {
			if !validIPv4(s[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if j == len(s) {
			break
		}
		if s[j] != ':' || j+1 == len(s) {
			return false // a single trailing ':'
		}
		i = j + 1
		if s[i] == ':' {
			if elided {
				return false
			}
			elided = true
			i++
		}
	}
	if elided {
		return groups <= 7
	}
	return groups == 8
}

// validIPv4 reports whether s is an IPv4address: four dec-octets 0–255
// without leading zeros (RFC 3986 §3.2.2).
func validIPv4(s []byte) bool {
	for k := 0; k < 4; k++ {
		if k > 0 {
			if len(s) == 0 || s[0] != '.' {
				return false
			}
			s = s[1:]
		}
		n, v := 0, 0
		for n < len(s) && n < 4 && isDigit(s[n]) {
			v = v*10 + int(s[n]-'0')
			n++
		}
		if n == 0 || n > 3 || v > 255 || n > 1 && s[0] == '0' {
			return false
		}
		s = s[n:]
	}
	return len(s) == 0
}
