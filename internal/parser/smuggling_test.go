package parser

import "testing"

// Request-smuggling vectors against the head parser: each must be rejected
// (or, for the valid spellings, accepted with the framing every RFC 9112
// reader agrees on). Sources: PortSwigger's HTTP desync research, the
// llhttp and net/http CVE fixes, and RFC 9112 §6.3 and §11.2.
var smugglingCases = []headCase{
	// CL.TE and TE.CL: both framings present (§6.3 item 3).
	{"§6.3 CL then TE", hdr("Content-Length: 4\r\n", "Transfer-Encoding: chunked\r\n"), 400, nil},
	{"§6.3 TE then CL", hdr("Transfer-Encoding: chunked\r\n", "Content-Length: 4\r\n"), 400, nil},
	{"§6.3 CL 0 with TE", hdr("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n"), 400, nil},
	{"§6.3 CL with an unknown TE", hdr("Content-Length: 4\r\n", "Transfer-Encoding: foo\r\n"), 400, nil},

	// Transfer-Encoding spellings (§6.1, §6.3 item 4).
	{"§6.1 chunked, identity", hdr("Transfer-Encoding: chunked, identity\r\n"), 400, nil},
	{"§6.1 identity, chunked", hdr("Transfer-Encoding: identity, chunked\r\n"), 501, nil},
	{"§6.1 chunked, chunked", hdr("Transfer-Encoding: chunked, chunked\r\n"), 400, nil},
	{"§6.1 chunked on two lines", hdr("Transfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\n"), 400, nil},
	{"§6.1 chunked then gzip on two lines", hdr("Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n"), 400, nil},
	{"§5.1 space before colon", hdr("Transfer-Encoding : chunked\r\n"), 400, nil},
	{"§5.1 HTAB before colon", hdr("Transfer-Encoding\t: chunked\r\n"), 400, nil},
	{"§5 HTAB as OWS is valid", hdr("Transfer-Encoding:\tchunked\r\n"), 0, []string{"chunked=true"}},
	{"§5 trailing OWS is valid", hdr("Transfer-Encoding: chunked \t\r\n"), 0, []string{"chunked=true"}},
	{"§6.1 xchunked", hdr("Transfer-Encoding: xchunked\r\n"), 400, nil},
	{"§6.1 chunkedx", hdr("Transfer-Encoding: chunkedx\r\n"), 400, nil},
	{"§6.1 chunked with a parameter", hdr("Transfer-Encoding: chunked;q=1\r\n"), 400, nil},
	{"§6.1 two words", hdr("Transfer-Encoding: chunked chunked\r\n"), 400, nil},
	{"§6.1 quoted chunked", hdr("Transfer-Encoding: \"chunked\"\r\n"), 400, nil},
	{"§6.1 non-token coding", hdr("Transfer-Encoding: chu/nked\r\n"), 400, nil},
	{"§6.1 TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, nil},
	{"§5.2 TE folded onto the next line", hdr("Transfer-Encoding:\r\n chunked\r\n"), 400, nil},
	{"§5.2 TE hidden behind obs-fold", hdr("X: a\r\n Transfer-Encoding: chunked\r\n"), 400, nil},
	{"§5.1 TE with a NUL in the name", hdr("Transfer\x00Encoding: chunked\r\n"), 400, nil},
	{"RFC 9110 §5.5 TE value with NUL", hdr("Transfer-Encoding: chunked\x00\r\n"), 400, nil},
	{"RFC 9110 §5.5 TE value with VT", hdr("Transfer-Encoding: \x0bchunked\r\n"), 400, nil},
	{"§2.2 TE value with bare CR", hdr("Transfer-Encoding: chunked\r\r\n"), 400, nil},
	{"§5.1 TE name with trailing bare CR", hdr("Transfer-Encoding\r: chunked\r\n"), 400, nil},
	{"§5.1 TE name with a non-ASCII letter", hdr("Transfer-Encodıng: chunked\r\n"), 400, nil},

	// Content-Length spellings (RFC 9110 §8.6, RFC 9112 §6.3 item 5).
	{"§6.3 duplicate CL lines that agree", hdr("Content-Length: 5\r\n", "content-length:5 \r\n"), 0, []string{"cl=5"}},
	{"§6.3 duplicate CL lines that differ", hdr("Content-Length: 5\r\n", "Content-Length: 6\r\n"), 400, nil},
	{"§6.3 duplicate CL lines, same value, other spelling", hdr("Content-Length: 5\r\n", "Content-Length: 05\r\n"), 400, nil},
	{"§6.3 CL list that agrees", hdr("Content-Length: 5, 5\r\n"), 400, nil},
	{"§6.3 CL list that differs", hdr("Content-Length: 5, 6\r\n"), 400, nil},
	{"§6.3 CL with plus sign", hdr("Content-Length: +5\r\n"), 400, nil},
	{"§6.3 CL with minus sign", hdr("Content-Length: -1\r\n"), 400, nil},
	{"§6.3 CL with inner space", hdr("Content-Length: 1 0\r\n"), 400, nil},
	{"§6.3 CL in hex", hdr("Content-Length: 0x10\r\n"), 400, nil},
	{"§6.3 CL with underscore", hdr("Content-Length: 1_0\r\n"), 400, nil},
	{"§6.3 CL with trailing junk", hdr("Content-Length: 3xyz\r\n"), 400, nil},
	{"§6.3 CL empty", hdr("Content-Length:\r\n"), 400, nil},
	{"§6.3 CL one past int64", hdr("Content-Length: 9223372036854775808\r\n"), 400, nil},
	{"§6.3 CL huge", hdr("Content-Length: 99999999999999999999999999\r\n"), 400, nil},
	{"§6.3 CL with a Unicode digit", hdr("Content-Length: \xd9\xa5\r\n"), 400, nil},
	{"§5.1 space before colon in CL", hdr("Content-Length : 5\r\n"), 400, nil},

	// Line-ending tricks (§2.2).
	{"§2.2 header hidden after a bare CR", hdr("X: a\rTransfer-Encoding: chunked\r\n"), 400, nil},
	{"§2.2 LF-only line after CRLF lines", hdr("X: a\nTransfer-Encoding: chunked\r\n"), 0, []string{"chunked=true", `"X":"a"`}},
	{"§3.2 Host smuggled into a second line", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, nil},
}

func TestSmuggling(t *testing.T) {
	for _, c := range smugglingCases {
		t.Run(c.rfc, func(t *testing.T) {
			got := checkSplits(t, testLimits, []byte(c.in))
			if got.status != c.status {
				t.Fatalf("%q: got %v, want status %d", c.in, got, c.status)
			}
			for _, w := range c.want {
				if !contains(got.desc, w) {
					t.Errorf("%q:\n got %s\nwant it to contain %s", c.in, got.desc, w)
				}
			}
		})
	}
}
