package parser

import (
	"bufio"
	"bytes"
	"math"
	"net/http"
	"strings"
	"testing"
)

// diffLimits keep this package's limits out of the comparison: net/http's
// ReadRequest has none of its own.
var diffLimits = Limits{MaxHeadBytes: 1 << 20, MaxHeaders: 1 << 16, MaxTargetLen: 1 << 20, MaxBody: math.MaxInt64}

// netHTTPAccepts reports whether a net/http server would serve data's head:
// ReadRequest succeeds and the checks its server adds before calling a
// handler (server.go readRequest: protocol version, Host presence and
// validity, field names and values) pass. The 417 answer to an unknown Expect
// is left out: it is a policy, not a parse (here it is the server's job).
func netHTTPAccepts(data []byte) bool {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return false
	}
	if req.ProtoMajor != 1 && !(req.Method == "PRI" && req.ProtoMajor == 2 && req.RequestURI == "*") {
		return false
	}
	// ReadRequest deletes Host from req.Header (the server's internal
	// readRequest keeps it), so take the Host lines from the raw head.
	_, fields := rawHead(data)
	hosts := fieldsNamed(fields, "Host")
	if req.ProtoAtLeast(1, 1) && len(hosts) == 0 && req.Method != "CONNECT" {
		return false
	}
	if len(hosts) == 1 && !netHTTPValidHost(strings.Trim(hosts[0], " \t")) {
		return false
	}
	for k, vv := range req.Header {
		if len(k) == 0 {
			return false
		}
		for _, c := range []byte(k) {
			if !tokenTab[c] {
				return false
			}
		}
		for _, v := range vv {
			for _, c := range []byte(v) {
				if c < ' ' && c != '\t' || c == 0x7f {
					return false
				}
			}
		}
	}
	return true
}

// netHTTPValidHost is golang.org/x/net/http/httpguts.ValidHostHeader (the
// root module may not import x/net): a byte-set check only.
func netHTTPValidHost(h string) bool {
	for _, c := range []byte(h) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) >= 0) {
			return false
		}
	}
	return true
}

// rawHead splits the head in data into its request line and field lines
// (line ends stripped of LF and of one CR), to classify disagreements.
func rawHead(data []byte) (line string, fields []string) {
	s := string(data)
	s = strings.TrimLeft(s, "\r\n")
	for i := 0; ; i++ {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return line, fields
		}
		l := strings.TrimSuffix(s[:j], "\r")
		s = s[j+1:]
		if i == 0 {
			line = l
			continue
		}
		if l == "" {
			return line, fields
		}
		fields = append(fields, l)
	}
}

// fieldsNamed returns the values of the field lines named name (untrimmed).
func fieldsNamed(fields []string, name string) []string {
	var vs []string
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, ":"); ok && strings.EqualFold(k, name) {
			vs = append(vs, v)
		}
	}
	return vs
}

// deliberateDifference names the documented class (see the package doc) that
// explains why this package and net/http judge data differently, or returns
// "" if none does. ours is this package's verdict.
func deliberateDifference(data []byte, ours bool) string {
	if len(data) > 0 && (data[0] == '\r' || data[0] == '\n') {
		return "empty lines before the request line (net/http skips them only after a POST)"
	}
	line, fields := rawHead(data)
	parts := strings.SplitN(line, " ", 3)
	if len(parts) < 3 {
		return ""
	}
	method, target, version := parts[0], parts[1], parts[2]
	te, cl := fieldsNamed(fields, "Transfer-Encoding"), fieldsNamed(fields, "Content-Length")
	if ours {
		// We accept, net/http rejects.
		switch {
		case len(te) > 1 || len(te) == 1 && strings.Contains(te[0], ","):
			return "Transfer-Encoding list rules (RFC 9110 §5.6.1) where net/http wants one line of exactly chunked"
		}
		return ""
	}
	// We reject, net/http accepts.
	switch {
	case method == "CONNECT":
		return "CONNECT: authority-form with a port and Host are required"
	case target == "*" && method != "OPTIONS":
		return "asterisk-form is for OPTIONS only"
	case !strings.HasPrefix(target, "/"):
		return "absolute-form: '//' authority required, no userinfo, stricter host"
	case strings.ContainsAny(target, "#") || strings.IndexFunc(target, func(r rune) bool { return r >= 0x80 }) >= 0:
		return "'#' or bytes >= 0x80 in the target"
	case strings.Contains(target, "?") && strings.Contains(target[strings.IndexByte(target, '?'):], "%"):
		return "malformed pct-encoding in the query"
	case len(version) == 8 && strings.HasPrefix(version, "HTTP/1.") && version[7] >= '2' && version[7] <= '9':
		return "HTTP/1.2 to HTTP/1.9 are 505"
	case len(te) > 0 && len(cl) > 0:
		return "Content-Length with Transfer-Encoding is 400"
	case len(te) > 0 && version == "HTTP/1.0":
		return "Transfer-Encoding in HTTP/1.0 is 400"
	}
	for i, f := range fields {
		if i > 0 && (f[0] == ' ' || f[0] == '\t') {
			return "obs-fold is 400 (net/http unfolds)"
		}
	}
	for _, h := range fieldsNamed(fields, "Host") {
		h = strings.Trim(h, " \t")
		if netHTTPValidHost(h) && !validAuthority([]byte(h), false, true) {
			return "Host must be uri-host [\":\" port], not just allowed bytes"
		}
	}
	return ""
}

// FuzzDifferential: on every complete head, this package and net/http agree
// on accept or reject, except for the deliberate differences listed in the
// package doc, each skipped by name in deliberateDifference.
func FuzzDifferential(f *testing.F) {
	addHeadSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, _, _ uint16) {
		o := parseWhole(diffLimits, data)
		if o.status == 0 && o.n == 0 {
			return // incomplete: net/http would see EOF
		}
		ours := o.status == 0
		theirs := netHTTPAccepts(data)
		if ours == theirs {
			return
		}
		if why := deliberateDifference(data, ours); why != "" {
			t.Skip(why)
		}
		t.Fatalf("%q: ours %v, net/http accepts=%t", data, o, theirs)
	})
}

// Each deliberate difference exists (net/http really judges the example the
// other way) and is named by deliberateDifference; plain agreement examples
// keep the oracle honest.
func TestDeliberateDifferences(t *testing.T) {
	const host = "Host: h\r\n"
	for _, c := range []struct {
		in   string
		ours bool
	}{
		{"\r\nGET / HTTP/1.1\r\n" + host + "\r\n", true},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked,\r\n\r\n", true},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n", true},
		{"CONNECT h HTTP/1.1\r\n" + host + "\r\n", false},
		{"CONNECT h:1 HTTP/1.1\r\n\r\n", false},
		{"CONNECT /x HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET * HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET http:/x HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET http://u@h/ HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET /a#b HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET /\xff HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET /?%zz HTTP/1.1\r\n" + host + "\r\n", false},
		{"GET / HTTP/1.2\r\n" + host + "\r\n", false},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"GET / HTTP/1.1\r\n" + host + "X: a\r\n b\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: [x\r\n\r\n", false},
	} {
		o := parseWhole(diffLimits, []byte(c.in))
		ours := o.status == 0 && o.n > 0
		if ours != c.ours || netHTTPAccepts([]byte(c.in)) == ours {
			t.Errorf("%q: ours %v, net/http accepts=%t: not a difference", c.in, o, netHTTPAccepts([]byte(c.in)))
		}
		if why := deliberateDifference([]byte(c.in), ours); why == "" {
			t.Errorf("%q: difference not classified", c.in)
		}
	}
	for _, s := range append(append([]string{}, samples[:8]...), badSamples[3], badSamples[5]) {
		o := parseWhole(diffLimits, []byte(s))
		if ours := o.status == 0 && o.n > 0; ours != netHTTPAccepts([]byte(s)) {
			t.Errorf("%q: ours %v, net/http disagrees", s, o)
		}
	}
}
