package parser

import (
	"strings"
	"testing"
)

func TestLimitsDefaults(t *testing.T) {
	got := New(Limits{}).Limits()
	want := Limits{MaxHeadBytes: 64 << 10, MaxHeaders: 100, MaxTargetLen: 8 << 10, MaxBody: 8388608}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
	if got := New(Limits{MaxHeadBytes: -1, MaxHeaders: -5}).Limits(); got != want {
		t.Fatalf("negative fields: %+v", got)
	}
	if got := New(Limits{MaxHeadBytes: 1 << 40}).Limits().MaxHeadBytes; got != maxHeadCap {
		t.Fatalf("MaxHeadBytes not capped: %d", got)
	}
	// A zero Parser is not documented as ready, but must not misbehave.
	var p Parser
	var r Head
	if n, err := p.Parse([]byte(wrkRequest), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("zero Parser: n=%d err=%v", n, err)
	}
}

// limitCase checks one limit at its edge: the head at the limit passes, one
// byte (or field) more fails with the limit's status, however it is split.
type limitCase struct {
	name   string
	lim    Limits
	in     string
	status int
}

func limitCases() []limitCase {
	head := func(target string, fields int, pad int) string {
		var b strings.Builder
		b.WriteString("GET " + target + " HTTP/1.1\r\nHost: h\r\n")
		for i := 0; i < fields; i++ {
			b.WriteString("X: y\r\n")
		}
		if pad > 0 {
			b.WriteString("P: " + strings.Repeat("p", pad) + "\r\n")
		}
		b.WriteString("\r\n")
		return b.String()
	}
	t16 := "/" + strings.Repeat("t", 15)
	base := len(head(t16, 0, 0)) // the pad field "P: pp\r\n" adds 7 bytes
	return []limitCase{
		// MaxTargetLen: 414 (RFC 9112 §3 and RFC 9110 §15.5.15).
		{"target at limit", Limits{MaxTargetLen: 16}, head(t16, 0, 0), 0},
		{"target one over", Limits{MaxTargetLen: 16}, head(t16+"u", 0, 0), 414},
		{"target over, incomplete", Limits{MaxTargetLen: 16}, "GET " + t16 + "uuuu", 414},
		{"target over, waiting for a %XX", Limits{MaxTargetLen: 16}, "GET " + t16 + "u%4", 414},
		{"target over the head limit", Limits{MaxHeadBytes: 64, MaxTargetLen: 1000}, "GET /" + strings.Repeat("a", 100), 414},
		// MaxHeaders: 431 (RFC 6585 §5).
		{"fields at limit", Limits{MaxHeaders: 4}, head("/", 3, 0), 0},
		{"fields one over", Limits{MaxHeaders: 4}, head("/", 4, 0), 431},
		// MaxHeadBytes: 431, counting leading empty lines and the final CRLF.
		{"head at limit", Limits{MaxHeadBytes: base + 7}, head(t16, 0, 2), 0},
		{"head one over", Limits{MaxHeadBytes: base + 6}, head(t16, 0, 2), 431},
		{"head at limit, leading line", Limits{MaxHeadBytes: base + 2}, "\r\n" + head(t16, 0, 0), 0},
		{"head one over, leading line", Limits{MaxHeadBytes: base + 1}, "\r\n" + head(t16, 0, 0), 431},
		{"head over in the method", Limits{MaxHeadBytes: 16}, strings.Repeat("M", 40), 431},
		{"head over in the version", Limits{MaxHeadBytes: 12}, "GET / HTTP/1.1\r\n", 431},
		// MaxBody: 413 for a declared length (RFC 9110 §15.5.14).
		{"body at limit", Limits{MaxBody: 10}, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", 0},
		{"body one over", Limits{MaxBody: 10}, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413},
		{"chunked is judged by the decoder", Limits{MaxBody: 10}, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 0},
	}
}

func TestLimits(t *testing.T) {
	for _, c := range limitCases() {
		t.Run(c.name, func(t *testing.T) {
			got := checkSplits(t, c.lim, []byte(c.in))
			if got.status != c.status || (c.status == 0 && got.n != len(c.in)) {
				t.Fatalf("%q with %+v: got %v, want status %d", c.in, c.lim, got, c.status)
			}
		})
	}
}

// Parse never looks past MaxHeadBytes, however much the caller has read.
func TestHeadLimitWithBodyBytes(t *testing.T) {
	in := wrkRequest + strings.Repeat("x", 1000)
	p := New(Limits{MaxHeadBytes: len(wrkRequest)})
	var r Head
	if n, err := p.Parse([]byte(in), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("n=%d err=%v", n, err)
	}
}
