package parser

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// parseSlow parses in with the resumable parser alone, as Parse did before
// the fast path existed: the reference the fast path must agree with.
func parseSlow(l Limits, in []byte) outcome {
	p := New(l)
	var r Head
	r.Reset()
	p.begin()
	p.resumeAt(stLeading, 0, 0, -1, Span{})
	n, err := p.resume(in, &r)
	return result(in, &r, n, err)
}

// allHeads is every head the unit tests know, with the limits to parse it
// with: the samples and the corpus's heads.
func allHeads(tb testing.TB) (ins []string, lims []Limits) {
	add := func(l Limits, ss ...string) {
		for _, s := range ss {
			ins, lims = append(ins, s), append(lims, l)
		}
	}
	add(Limits{}, samples...)
	add(testLimits, samples...)
	add(Limits{}, badSamples...)
	for _, c := range corpusCases(tb) {
		switch {
		case c.kind != "http":
		case c.hasLim:
			add(c.lim, string(c.in))
		default:
			add(testLimits, string(c.in))
			add(Limits{}, string(c.in))
		}
	}
	return ins, lims
}

// The fast path and the resumable parser give the same outcome (spans,
// flags, errors) for every head the tests know, whole and cut short at
// every byte, which makes the fast path hand over at every point it can.
func TestFastEquivalence(t *testing.T) {
	ins, lims := allHeads(t)
	for k, s := range ins {
		for m := 0; m <= len(s); m++ {
			in := []byte(s[:m])
			if got, want := parseWhole(lims[k], in), parseSlow(lims[k], in); got != want {
				t.Fatalf("%q with %+v:\nfast %v\nslow %v", in, lims[k], got, want)
			}
		}
	}
}

// The fast path parses the usual heads whole, without handing over, and
// hands over the unusual ones at the first byte it does not take.
func TestFastCoverage(t *testing.T) {
	for _, s := range []string{
		wrkRequest, browserRequest,
		"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: costclient\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.1\nHost: h\nX-Empty:\nX-Pad: \t v \t\n\n",
		"POST /submit?a=%41&b HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
		"PUT /x HTTP/1.1\r\nX_Under.score: 1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	} {
		p := New(Limits{})
		var r Head
		if n, err := p.Parse([]byte(s), &r); n != len(s) || err != nil || p.count.handOffs() != 0 {
			t.Errorf("%q: n=%d err=%v, %d hand-overs", s, n, err, p.count.handOffs())
		}
	}
	for _, s := range []string{
		"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", // leading empty line
		"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",  // SP in the target
		"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX : y\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n",
	} {
		p := New(Limits{})
		var r Head
		p.Parse([]byte(s), &r)
		if counting && p.count.handOffs() != 1 {
			t.Errorf("%q: %d hand-overs", s, p.count.handOffs())
		}
	}
}

// The word-at-a-time classes flag, as their lowest flag, exactly the first
// byte outside the class, whatever the other bytes of the word: every byte
// value at every lane, then random words (high bytes and carries included).
func TestWordClasses(t *testing.T) {
	letter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	classes := []struct {
		name string
		f    func(uint64) uint64
		in   func(byte) bool
	}{
		{"nameStop", nameStop, func(c byte) bool { return letter(c) || c == '-' }},
		{"hostStop", hostStop, func(c byte) bool { return letter(c) || digit(c) || c == '-' || c == '.' }},
		{"digitStop", digitStop, digit},
		{"targetStop", targetStop, func(c byte) bool { return targetTab[c] == tPlain }},
		{"valueStop", valueStop, func(c byte) bool { return valueTab[c] && c != '\t' }},
	}
	first := func(in func(byte) bool, w [8]byte) int {
		for k, c := range w {
			if !in(c) {
				return k
			}
		}
		return 8
	}
	check := func(name string, f func(uint64) uint64, in func(byte) bool, w [8]byte) {
		x := load64(w[:], 0)
		got := 8
		if m := f(x); m != 0 {
			got = firstLane(m)
			if m&^msb != 0 {
				t.Fatalf("%s(%q) = %#x: bits outside the lane flags", name, w, m)
			}
		}
		if want := first(in, w); got != want {
			t.Fatalf("%s(%q): first outsider at %d, want %d", name, w, got, want)
		}
	}
	for _, cl := range classes {
		for _, fill := range []byte{'a', 'Z', '0', '-', '.', 0x80, 0xff, '\t', 0} {
			for c := 0; c < 256; c++ {
				for k := 0; k < 8; k++ {
					var w [8]byte
					for j := range w {
						w[j] = fill
					}
					w[k] = byte(c)
					check(cl.name, cl.f, cl.in, w)
				}
			}
		}
		r := rand.New(rand.NewPCG(3, 4))
		const alphabet = "aZ09-./:?#%\x00\t\r\n \x7f\x80\xff\x1f_~"
		for range 200000 {
			var w [8]byte
			for j := range w {
				if r.IntN(2) == 0 {
					w[j] = byte(r.IntN(256))
				} else {
					w[j] = alphabet[r.IntN(len(alphabet))]
				}
			}
			check(cl.name, cl.f, cl.in, w)
		}
	}
}

// word reads eight bytes from any i <= len(b), with zeros past the end.
func TestWord(t *testing.T) {
	src := []byte(strings.Repeat("0123456789abcdef", 3))
	for n := 8; n <= len(src); n++ {
		b := src[:n]
		for i := 0; i <= n; i++ {
			var want [8]byte
			copy(want[:], b[i:])
			if got := word(b, i); got != load64(want[:], 0) {
				t.Fatalf("word(%q, %d) = %#x, want %q", b, i, got, want)
			}
		}
	}
}

// The word constants spell what their comments say.
func TestFastConstants(t *testing.T) {
	for _, c := range []struct {
		got  uint64
		want string
	}{
		{getSP, "GET "}, {slashSP, "/ "}, {crlf, "\r\n"}, {hostColSP, "host: "}, {nameHost, "host"},
		{nameExpect, "expect"}, {nameConn, "connecti"}, {nameCont, "content-"}, {nameTran, "transfer"},
		{http11, "HTTP/1.1"}, {http10, "HTTP/1.0"}, {getSlashHT, "GET / HT"},
		{tp11CRLF, "TP/1.1\r\n"}, {tp10CRLF, "TP/1.0\r\n"},
	} {
		var w [8]byte
		copy(w[:], c.want)
		if want := load64(w[:], 0); c.got != want {
			t.Errorf("%q: %#x, want %#x", c.want, c.got, want)
		}
	}
}
