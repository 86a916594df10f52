package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testLimits are roomy limits for tests that are not about limits.
var testLimits = Limits{MaxHeadBytes: 1 << 20, MaxHeaders: 1000, MaxTargetLen: 1 << 20, MaxBody: 1 << 40}

var formNames = [...]string{"origin", "absolute", "authority", "asterisk"}

// describe renders everything Parse reported in one comparable line, with the
// spans resolved against buf.
func describe(buf []byte, r *Head) string {
	var b strings.Builder
	q := func(s Span) string { return fmt.Sprintf("%q", s.Bytes(buf)) }
	fmt.Fprintf(&b, "method=%s(%s) target=%s form=%s scheme=%s authority=%s path=%s",
		r.Method, r.MethodSpan.Bytes(buf), q(r.Target), formNames[r.Form], q(r.Scheme), q(r.Authority), q(r.Path))
	if r.HasQuery {
		fmt.Fprintf(&b, " query=%s", q(r.Query))
	}
	fmt.Fprintf(&b, " version=%s(%d.%d)", r.Version.Bytes(buf), r.Major, r.Minor)
	if r.HasHost {
		fmt.Fprintf(&b, " host=%s", q(r.Host))
	}
	fmt.Fprintf(&b, " cl=%d chunked=%t close=%t keepalive=%t upgrade=%t expect100=%t headlen=%d headers=[",
		r.ContentLength, r.Chunked, r.Close, r.KeepAlive, r.Upgrade, r.Expect100, r.HeadLen)
	for i, h := range r.Headers {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%q:%q", h.Name.Bytes(buf), h.Value.Bytes(buf))
	}
	b.WriteString("]")
	return b.String()
}

// outcome is what one parse strategy produced, for comparing strategies.
type outcome struct {
	n      int
	status int // 0 when accepted or incomplete
	desc   string
}

func (o outcome) String() string {
	if o.status != 0 {
		return fmt.Sprintf("error %d", o.status)
	}
	if o.n == 0 {
		return "incomplete"
	}
	return fmt.Sprintf("n=%d %s", o.n, o.desc)
}

// result converts Parse's return values to an outcome.
func result(buf []byte, r *Head, n int, err error) outcome {
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			panic("Parse returned a non-*Error error: " + err.Error())
		}
		return outcome{status: e.Status}
	}
	if n == 0 {
		return outcome{}
	}
	return outcome{n: n, desc: describe(buf, r)}
}

// parseWhole parses in with one call.
func parseWhole(l Limits, in []byte) outcome {
	p := New(l)
	var r Head
	n, err := p.Parse(in, &r)
	return result(in, &r, n, err)
}

// parseCuts feeds in[:c] for each cut c, then all of in, stopping at the first
// complete head or error. With fresh, every call gets a new buffer holding a
// copy of the bytes, and the previous buffer is scribbled over, so a parser
// that kept a pointer (rather than an offset) into it would go wrong.
func parseCuts(l Limits, in []byte, cuts []int, fresh bool) outcome {
	p := New(l)
	var r Head
	var prev []byte
	call := func(m int) (outcome, bool) {
		buf := in[:m:m]
		if fresh {
			buf = append(make([]byte, 0, m), in[:m]...)
			for i := range prev {
				prev[i] = 0xff
			}
			prev = buf
		}
		n, err := p.Parse(buf, &r)
		o := result(buf, &r, n, err)
		return o, n != 0 || err != nil
	}
	for _, c := range cuts {
		if o, stop := call(c); stop {
			return o
		}
	}
	o, _ := call(len(in))
	return o
}

// byteCuts returns the cuts 1, 2, ..., n-1: a byte-at-a-time feed.
func byteCuts(n int) []int {
	cuts := make([]int, 0, n)
	for i := 1; i < n; i++ {
		cuts = append(cuts, i)
	}
	return cuts
}

// checkSplits asserts that every feeding strategy gives the same outcome as
// parsing in whole, and returns that outcome.
func checkSplits(t *testing.T, l Limits, in []byte) outcome {
	t.Helper()
	want := parseWhole(l, in)
	for k := 1; k < len(in); k++ {
		if got := parseCuts(l, in, []int{k}, false); got != want {
			t.Fatalf("split at %d of %q:\n got %v\nwant %v", k, in, got, want)
		}
	}
	if got := parseCuts(l, in, byteCuts(len(in)), false); got != want {
		t.Fatalf("byte at a time %q:\n got %v\nwant %v", in, got, want)
	}
	if got := parseCuts(l, in, byteCuts(len(in)), true); got != want {
		t.Fatalf("byte at a time, moved buffer %q:\n got %v\nwant %v", in, got, want)
	}
	return want
}
