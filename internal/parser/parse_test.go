package parser

import (
	"strings"
	"testing"
)

// headCase is one request head and what the parser must make of it.
type headCase struct {
	rfc    string   // the rule checked
	in     string   // the bytes
	status int      // 0: accepted
	want   []string // substrings of describe() for accepted heads
}

// h11 wraps a request line into a minimal HTTP/1.1 head.
func h11(line string) string { return line + "\r\nHost: h\r\n\r\n" }

// hdr builds an HTTP/1.1 POST head with the given extra field lines.
func hdr(lines ...string) string {
	return "POST / HTTP/1.1\r\nHost: h\r\n" + strings.Join(lines, "") + "\r\n"
}

var headCases = []headCase{
	// Request line (RFC 9112 §3).
	{"§3 simplest request", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0, []string{"method=GET(GET)", `path="/"`, "version=HTTP/1.1(1.1)", "headlen=27"}},
	{"§3 all known methods", h11("PATCH /x HTTP/1.1"), 0, []string{"method=PATCH"}},
	{"§3 DELETE", h11("DELETE /x HTTP/1.1"), 0, []string{"method=DELETE"}},
	{"§3 TRACE", h11("TRACE /x HTTP/1.1"), 0, []string{"method=TRACE"}},
	{"§3 HEAD", h11("HEAD /x HTTP/1.1"), 0, []string{"method=HEAD"}},
	{"§3 PUT", h11("PUT /x HTTP/1.1"), 0, []string{"method=PUT"}},
	{"§3 unknown token method is MethodOther", h11("PROPFIND / HTTP/1.1"), 0, []string{"method=OTHER(PROPFIND)"}},
	{"§3 methods are case-sensitive", h11("get / HTTP/1.1"), 0, []string{"method=OTHER(get)"}},
	{"§3 method with tchar punctuation", h11("M-SEARCH! / HTTP/1.1"), 0, []string{"method=OTHER(M-SEARCH!)"}},
	{"§3 method must be a token", h11("GE(T / HTTP/1.1"), 400, nil},
	{"§3 method must not be empty", h11(" / HTTP/1.1"), 400, nil},
	{"§3 TLS handshake is not a method", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, nil},
	{"§3 two SPs after method", h11("GET  / HTTP/1.1"), 400, nil},
	{"§3 two SPs before version", h11("GET /  HTTP/1.1"), 400, nil},
	{"§3 HTAB is not a separator", h11("GET\t/ HTTP/1.1"), 400, nil},
	{"§3 trailing SP after version", h11("GET / HTTP/1.1 "), 400, nil},
	{"§3 missing version (HTTP/0.9 style)", "GET /\r\n\r\n", 400, nil},
	{"§3 missing target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", 400, nil},
	{"§3 empty request line after nothing", "\r\n\r\n\r\n", 0, nil}, // incomplete: only empty lines

	// HTTP version (RFC 9112 §2.3).
	{"§2.3 HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", 0, []string{"version=HTTP/1.0(1.0)", "close=true"}},
	{"§2.3 HTTP/1.2 is well-formed but unsupported", h11("GET / HTTP/1.2"), 505, nil},
	{"§2.3 HTTP/2.0 is 505", h11("GET / HTTP/2.0"), 505, nil},
	{"§2.3 HTTP/3.0 is 505", h11("GET / HTTP/3.0"), 505, nil},
	{"§2.3 HTTP/0.9 written out is 505", h11("GET / HTTP/0.9"), 505, nil},
	{"§2.3 h2 preface is 505", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, nil},
	{"§2.3 HTTP-name is case-sensitive", h11("GET / http/1.1"), 400, nil},
	{"§2.3 two-digit minor", h11("GET / HTTP/1.10"), 400, nil},
	{"§2.3 two-digit major", h11("GET / HTTP/10.1"), 400, nil},
	{"§2.3 no minor", h11("GET / HTTP/1"), 400, nil},
	{"§2.3 junk version", h11("GET / HTCPCP/1.0"), 400, nil},
	{"§2.3 garbage fails fast", "GET / X", 400, nil},

	// Line endings and leading empty lines (RFC 9112 §2.2).
	{"§2.2 bare LF ends lines of the head", "GET / HTTP/1.1\nHost: h\n\n", 0, []string{`host="h"`, "headlen=24"}},
	{"§2.2 mixed CRLF and LF", "GET / HTTP/1.1\r\nHost: h\n\r\n", 0, []string{"headlen=26"}},
	{"§2.2 bare CR in request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400, nil},
	{"§2.2 bare CR in a value", hdr("X: a\rb\r\n"), 400, nil},
	{"§2.2 CR before CRLF in a value", hdr("X: a\r\r\n"), 400, nil},
	{"§2.2 bare CR at the final line", "GET / HTTP/1.1\r\nHost: h\r\n\rX", 400, nil},
	{"§2.2 bare CR in a leading line", "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, nil},
	{"§2.2 one leading empty line", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 0, []string{"headlen=29", `target="/"`}},
	{"§2.2 eight leading empty lines (LF and CRLF)", strings.Repeat("\r\n", 4) + strings.Repeat("\n", 4) + h11("GET / HTTP/1.1"), 0, []string{"headlen=39"}},
	{"§2.2 nine leading empty lines", strings.Repeat("\r\n", 9) + h11("GET / HTTP/1.1"), 400, nil},
	{"§2.2 SP before the request line", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, nil},

	// Request-target forms (RFC 9112 §3.2).
	{"§3.2.1 origin-form with query", h11("GET /a/b?c=d&e HTTP/1.1"), 0, []string{"form=origin", `path="/a/b"`, `query="c=d&e"`}},
	{"§3.2.1 empty query", h11("GET /a? HTTP/1.1"), 0, []string{`path="/a"`, `query=""`}},
	{"§3.2.1 second '?' belongs to the query", h11("GET /a?b?c HTTP/1.1"), 0, []string{`query="b?c"`}},
	{"§3.2.1 pct-encoded", h11("GET /%41%7e?%2F HTTP/1.1"), 0, []string{`path="/%41%7e"`}},
	{"§3.2.1 bad pct-encoding in path", h11("GET /%4 HTTP/1.1"), 400, nil},
	{"§3.2.1 bad pct-encoding in query", h11("GET /?%zz HTTP/1.1"), 400, nil},
	{"§3.2.1 '//' path is origin-form", h11("GET //x/y HTTP/1.1"), 0, []string{"form=origin", `path="//x/y"`}},
	{"§3.2.1 fragment is not part of a target", h11("GET /a#b HTTP/1.1"), 400, nil},
	{"§3.2.1 NUL in target", h11("GET /a\x00 HTTP/1.1"), 400, nil},
	{"§3.2.1 DEL in target", h11("GET /a\x7f HTTP/1.1"), 400, nil},
	{"§3.2.1 HTAB in target", h11("GET /a\tb HTTP/1.1"), 400, nil},
	{"§3.2.1 byte >= 0x80 in target", h11("GET /caf\xc3\xa9 HTTP/1.1"), 400, nil},
	{"§3.2.1 unwise ASCII accepted", h11(`GET /a|b{c}"<>^` + "`" + `\ HTTP/1.1`), 0, []string{"form=origin"}},
	{"§3.2.2 absolute-form", h11("GET http://example.com:8080/p/q?x HTTP/1.1"), 0,
		[]string{"form=absolute", `scheme="http"`, `authority="example.com:8080"`, `path="/p/q"`, `query="x"`}},
	{"§3.2.2 absolute-form, empty path", h11("GET http://example.com HTTP/1.1"), 0, []string{"form=absolute", `path=""`, `authority="example.com"`}},
	{"§3.2.2 absolute-form, empty path and query", h11("GET https://h?q HTTP/1.1"), 0, []string{`path=""`, `query="q"`, `authority="h"`}},
	{"§3.2.2 absolute-form, IPv6", h11("GET http://[::1]:80/ HTTP/1.1"), 0, []string{`authority="[::1]:80"`}},
	{"§3.2.2 absolute-form, scheme case", h11("GET HTTP://h/ HTTP/1.1"), 0, []string{`scheme="HTTP"`}},
	{"§3.2.2 absolute-form needs '//'", h11("GET http:/x HTTP/1.1"), 400, nil},
	{"§3.2.2 absolute-form needs a host", h11("GET http:///x HTTP/1.1"), 400, nil},
	{"§3.2.2 userinfo is rejected (RFC 9110 §4.2.4)", h11("GET http://u:p@h/ HTTP/1.1"), 400, nil},
	{"§3.2.2 bad port", h11("GET http://h:8x/ HTTP/1.1"), 400, nil},
	{"§3.2.2 scheme must start with a letter", h11("GET 1http://h/ HTTP/1.1"), 400, nil},
	{"§3.2.2 opaque URI is not served", h11("GET mailto:a@b HTTP/1.1"), 400, nil},
	{"§3.2.3 authority-form with CONNECT", h11("CONNECT example.com:443 HTTP/1.1"), 0, []string{"form=authority", `authority="example.com:443"`, `path=""`}},
	{"§3.2.3 CONNECT IPv6", h11("CONNECT [2001:db8::1]:443 HTTP/1.1"), 0, []string{"form=authority"}},
	{"§3.2.3 CONNECT needs a port", h11("CONNECT example.com HTTP/1.1"), 400, nil},
	{"§3.2.3 CONNECT with origin-form", h11("CONNECT /x HTTP/1.1"), 400, nil},
	{"§3.2.3 CONNECT with absolute-form", h11("CONNECT http://h:1/ HTTP/1.1"), 400, nil},
	{"§3.2.3 CONNECT with asterisk", h11("CONNECT * HTTP/1.1"), 400, nil},
	{"§3.2.3 authority-form without CONNECT", h11("GET example.com:443 HTTP/1.1"), 400, nil},
	{"§3.2.4 asterisk-form with OPTIONS", h11("OPTIONS * HTTP/1.1"), 0, []string{"form=asterisk", `path="*"`}},
	{"§3.2.4 asterisk-form with GET", h11("GET * HTTP/1.1"), 400, nil},
	{"§3.2.4 '*' followed by more", h11("OPTIONS *x HTTP/1.1"), 400, nil},
	{"§3.2.4 OPTIONS with origin-form", h11("OPTIONS /x HTTP/1.1"), 0, []string{"form=origin"}},

	// Host (RFC 9112 §3.2).
	{"§3.2 HTTP/1.1 needs Host", "GET / HTTP/1.1\r\n\r\n", 400, nil},
	{"§3.2 CONNECT needs Host too", "CONNECT h:1 HTTP/1.1\r\n\r\n", 400, nil},
	{"§3.2 HTTP/1.0 may omit Host", "GET / HTTP/1.0\r\n\r\n", 0, nil},
	{"§3.2 two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, nil},
	{"§3.2 Host list is invalid", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400, nil},
	{"§3.2 Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, nil},
	{"§3.2 Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, nil},
	{"§3.2 Host with bad port", "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400, nil},
	{"§3.2 Host with two colons", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400, nil},
	{"§3.2 Host unclosed IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, nil},
	{"§3.2 empty Host is allowed (RFC 9110 §7.2)", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, []string{`host=""`}},
	{"§3.2 Host with port and OWS", "GET / HTTP/1.1\r\nHOST: \t127.0.0.1:8080 \r\n\r\n", 0, []string{`host="127.0.0.1:8080"`}},
	{"§3.2 Host IPv6 with port", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0, []string{`host="[::1]:80"`}},
	{"§3.2 Host IPv6 forms (RFC 3986 §3.2.2)", "GET / HTTP/1.1\r\nHost: [::]\r\n\r\n", 0, nil},
	{"§3.2 Host IPv6 full", "GET / HTTP/1.1\r\nHost: [2001:db8:0:0:0:0:2:1]:443\r\n\r\n", 0, nil},
	{"§3.2 Host IPv6 trailing ::", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7::]\r\n\r\n", 0, nil},
	{"§3.2 Host IPv6 with IPv4 tail", "GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.128]\r\n\r\n", 0, nil},
	{"§3.2 Host IPv6 not an address", "GET / HTTP/1.1\r\nHost: [0]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 empty", "GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 two ::", "GET / HTTP/1.1\r\nHost: [1::2::3]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 nine groups", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 seven groups", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 five hex digits", "GET / HTTP/1.1\r\nHost: [::12345]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 single leading colon", "GET / HTTP/1.1\r\nHost: [:1:2:3:4:5:6:7]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 single trailing colon", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 bad IPv4 tail", "GET / HTTP/1.1\r\nHost: [::1.2.3.256]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 IPv4 tail with leading zero", "GET / HTTP/1.1\r\nHost: [::1.2.3.04]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 IPv4 tail too short", "GET / HTTP/1.1\r\nHost: [::1.2.3]\r\n\r\n", 400, nil},
	{"§3.2 Host IPv6 with zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", 400, nil},
	{"§3.2.2 absolute-form with a non-address IP literal", h11("GET http://[0]:/ HTTP/1.1"), 400, nil},
	{"§3.2 Host pct-encoded reg-name", "GET / HTTP/1.1\r\nHost: a%41b\r\n\r\n", 0, nil},
	{"§3.2 Host bad pct-encoding", "GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400, nil},

	// Field lines (RFC 9112 §5, RFC 9110 §5).
	{"§5 OWS trimmed, inner spaces kept", hdr("X-A:  a b \t\r\n"), 0, []string{`"X-A":"a b"`}},
	{"§5 empty value", hdr("X-A:\r\n", "X-B: \t \r\n"), 0, []string{`"X-A":"" "X-B":""`}},
	{"§5 value with obs-text", hdr("X: caf\xc3\xa9\r\n"), 0, []string{`"X":"café"`}},
	{"§5 value with HTAB inside", hdr("X: a\tb\r\n"), 0, []string{`"X":"a\tb"`}},
	{"§5 value with ':' inside", hdr("X: a:b\r\n"), 0, []string{`"X":"a:b"`}},
	{"§5.1 whitespace before colon", hdr("X : a\r\n"), 400, nil},
	{"§5.1 HTAB before colon", hdr("X\t: a\r\n"), 400, nil},
	{"§5.1 empty field name", hdr(": a\r\n"), 400, nil},
	{"§5.1 name is a token", hdr("X(Y): a\r\n"), 400, nil},
	{"§5.1 line without colon", hdr("XY\r\n"), 400, nil},
	{"§5.1 name with byte >= 0x80", hdr("X\xc3\xa9: a\r\n"), 400, nil},
	{"§5.2 obs-fold with SP", hdr("X: a\r\n b\r\n"), 400, nil},
	{"§5.2 obs-fold with HTAB", hdr("X: a\r\n\tb\r\n"), 400, nil},
	{"§2.2 whitespace before the first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400, nil},
	{"RFC 9110 §5.5 NUL in a value", hdr("X: a\x00b\r\n"), 400, nil},
	{"RFC 9110 §5.5 VT in a value", hdr("X: a\x0bb\r\n"), 400, nil},
	{"RFC 9110 §5.5 DEL in a value", hdr("X: a\x7fb\r\n"), 400, nil},
	{"RFC 9110 §5.5 ESC in a value", hdr("X: \x1b[31m\r\n"), 400, nil},
	{"RFC 9110 §5.5 NUL in a name", hdr("X\x00: a\r\n"), 400, nil},

	// Framing (RFC 9112 §6, RFC 9110 §8.6).
	{"§6.2 Content-Length", hdr("Content-Length: 42\r\n"), 0, []string{"cl=42", "chunked=false"}},
	{"§6.2 Content-Length zero", hdr("content-length: 0\r\n"), 0, []string{"cl=0"}},
	{"§6.2 Content-Length leading zeros", hdr("Content-Length: 007\r\n"), 0, []string{"cl=7"}},
	{"§6.2 Content-Length largest int64", hdr("Content-Length: 9223372036854775807\r\n"), 413, nil},
	{"§6.3 no framing headers: no body", "POST / HTTP/1.1\r\nHost: h\r\n\r\n", 0, []string{"cl=-1", "chunked=false"}},
	{"§6.1 chunked", hdr("Transfer-Encoding: chunked\r\n"), 0, []string{"chunked=true", "cl=-1"}},
	{"§6.1 chunked is case-insensitive", hdr("Transfer-Encoding: ChUnKeD\r\n"), 0, []string{"chunked=true"}},
	{"§6.1 chunked with empty list elements", hdr("Transfer-Encoding: , chunked ,\r\n"), 0, []string{"chunked=true"}},
	{"§6.1 chunked over two lines with an empty one", hdr("Transfer-Encoding:\r\n", "Transfer-Encoding: chunked\r\n"), 0, []string{"chunked=true"}},
	{"§6.1 gzip then chunked is 501", hdr("Transfer-Encoding: gzip, chunked\r\n"), 501, nil},
	{"§6.1 unknown coding then chunked over lines is 501", hdr("Transfer-Encoding: foo\r\n", "Transfer-Encoding: chunked\r\n"), 501, nil},
	{"§6.3 gzip alone: chunked not final", hdr("Transfer-Encoding: gzip\r\n"), 400, nil},
	{"§6.3 identity alone: chunked not final", hdr("Transfer-Encoding: identity\r\n"), 400, nil},
	{"§6.3 empty Transfer-Encoding", hdr("Transfer-Encoding:\r\n"), 400, nil},
	{"§9.3 HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 0, []string{"close=false", "keepalive=true"}},
	{"§9.3 HTTP/1.0 without keep-alive closes", "GET / HTTP/1.0\r\nConnection: foo\r\n\r\n", 0, []string{"close=true", "keepalive=false"}},
	{"§9.3 HTTP/1.1 persists", h11("GET / HTTP/1.1"), 0, []string{"close=false"}},
	{"§9.3 close anywhere in the list", hdr("Connection: foo, CLOSE\r\n"), 0, []string{"close=true"}},
	{"§9.3 close on a second Connection line", hdr("Connection: keep-alive\r\n", "Connection: close\r\n"), 0, []string{"close=true", "keepalive=true"}},
	{"§9.3 'closed' is not close", hdr("Connection: closed, xclose\r\n"), 0, []string{"close=false"}},
	{"RFC 9110 §7.6.1 upgrade token", hdr("Connection: Upgrade\r\n", "Upgrade: websocket\r\n"), 0, []string{"upgrade=true"}},
	{"RFC 9110 §10.1.1 Expect: 100-continue", hdr("Expect: 100-Continue\r\n"), 0, []string{"expect100=true"}},
	{"RFC 9110 §10.1.1 other Expect is left to the server", hdr("Expect: 200-ok\r\n"), 0, []string{"expect100=false"}},
}

func TestParseTable(t *testing.T) {
	for _, c := range headCases {
		t.Run(c.rfc, func(t *testing.T) {
			got := checkSplits(t, testLimits, []byte(c.in))
			if got.status != c.status {
				t.Fatalf("%q: got %v, want status %d", c.in, got, c.status)
			}
			if c.status == 0 && c.want != nil && got.n == 0 {
				t.Fatalf("%q: incomplete", c.in)
			}
			for _, w := range c.want {
				if !strings.Contains(got.desc, w) {
					t.Errorf("%q:\n got %s\nwant it to contain %s", c.in, got.desc, w)
				}
			}
		})
	}
}
