package parser

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// chunkResult is what a decode produced, for comparing feeding strategies.
type chunkResult struct {
	consumed int
	done     bool
	status   int
	body     string
}

func (c chunkResult) String() string {
	if c.status != 0 {
		return fmt.Sprintf("error %d", c.status)
	}
	if !c.done {
		return fmt.Sprintf("incomplete (%d decoded)", len(c.body))
	}
	return fmt.Sprintf("done consumed=%d body=%q", c.consumed, c.body)
}

// decodeCuts feeds in[:c] for each cut c and then all of in to a fresh
// decoder, re-passing the same start each time. With fresh, each call gets a
// new buffer holding the previous buffer's bytes (as the decoder left them)
// followed by the newly arrived input, and the old buffer is scribbled over.
func decodeCuts(maxBody int64, in []byte, cuts []int, fresh bool) chunkResult {
	var d ChunkedDecoder
	d.Init(maxBody)
	buf := append([]byte(nil), in...)
	var prev []byte
	call := func(m int) (chunkResult, bool) {
		b := buf[:m:m]
		if fresh {
			b = make([]byte, m)
			copy(b, prev)
			copy(b[len(prev):], in[len(prev):m])
			for i := range prev {
				prev[i] = 0xff
			}
			prev = b
		}
		c, done, err := d.Decode(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				panic("Decode returned a non-*Error error")
			}
			return chunkResult{status: e.Status}, true
		}
		return chunkResult{consumed: c, done: done, body: string(b[:d.Len()])}, done
	}
	for _, c := range cuts {
		if r, stop := call(c); stop {
			return r
		}
	}
	r, _ := call(len(in))
	return r
}

// checkChunkSplits asserts that every feeding strategy agrees with decoding
// in whole and returns the result.
func checkChunkSplits(t *testing.T, maxBody int64, in []byte) chunkResult {
	t.Helper()
	want := decodeCuts(maxBody, in, nil, false)
	stride := 1 + len(in)/2048 // every split point of small inputs, a sample of large ones
	for k := 1; k < len(in); k += stride {
		if got := decodeCuts(maxBody, in, []int{k}, false); got != want {
			t.Fatalf("split at %d of %q:\n got %v\nwant %v", k, in, got, want)
		}
	}
	if got := decodeCuts(maxBody, in, byteCuts(len(in)), false); got != want {
		t.Fatalf("byte at a time %q:\n got %v\nwant %v", in, got, want)
	}
	// Moving the buffer copies it each call: keep that linear-ish in size.
	var cuts []int
	for k := 1; k < len(in); k += stride {
		cuts = append(cuts, k)
	}
	if got := decodeCuts(maxBody, in, cuts, true); got != want {
		t.Fatalf("moved buffer, cuts every %d bytes %q:\n got %v\nwant %v", stride, in, got, want)
	}
	return want
}

type chunkCase struct {
	rfc     string
	in      string
	maxBody int64
	status  int    // 0: decodes
	body    string // the decoded body when status is 0
}

var chunkCases = []chunkCase{
	// RFC 9112 §7.1: chunked-body = *chunk last-chunk trailer-section CRLF
	{"§7.1 two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT", 0, 0, "hello world"},
	{"§7.1 empty body", "0\r\n\r\n", 0, 0, ""},
	{"§7.1 upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", 0, 0, "0123456789"},
	{"§7.1 lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", 0, 0, "0123456789"},
	{"§7.1 leading zeros", "0005\r\nhello\r\n000\r\n\r\n", 0, 0, "hello"},
	{"§7.1 sixteen digits", "000000000000000a\r\n0123456789\r\n0\r\n\r\n", 0, 0, "0123456789"},
	{"§7.1 data holding CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", 0, 0, "\r\n\r\n"},
	{"§7.1 seventeen digits", "0000000000000000a\r\n0123456789\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 size overflows uint64", "ffffffffffffffffff\r\n", 1 << 62, 400, ""},
	{"§7.1 size beyond maxBody", "b\r\n", 10, 413, ""},
	{"§7.1 sizes adding up beyond maxBody", "5\r\nhello\r\n6\r\n", 10, 413, ""},
	{"§7.1 exactly maxBody", "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 10, 0, "helloworld"},
	{"§7.1 0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 trailing junk after size", "5x\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 leading SP", " 5\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 trailing SP", "5 \r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 sign", "+5\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 negative", "-1\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 empty size line", "\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 underscore", "1_0\r\n", 0, 400, ""},
	{"§7.1 bare LF after size", "5\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 bare LF after data", "5\r\nhello\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 bare LF after last chunk", "5\r\nhello\r\n0\n\r\n", 0, 400, ""},
	{"§7.1 bare LF as final line", "5\r\nhello\r\n0\r\n\n", 0, 400, ""},
	{"§7.1 bare CR after size", "5\rhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 data longer than its size", "3\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 data shorter than its size (CRLF eaten as data)", "7\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1 CR then junk after data", "5\r\nhello\rX0\r\n\r\n", 0, 400, ""},
	{"§7.1 NUL in size line", "5\x00\r\nhello\r\n0\r\n\r\n", 0, 400, ""},

	// Chunk extensions (§7.1.1): validated, then ignored.
	{"§7.1.1 extension name", "5;a\r\nhello\r\n0\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 token value", "5;a=b;c=d\r\nhello\r\n0;e\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 quoted value", "5;a=\"b; c=\\\"d\\\"\"\r\nhello\r\n0\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 BWS around ';' and '='", "5 ; a = b \t;c\r\nhello\r\n0\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 BWS before each part", "5 ;\ta =\tb\r\nhello\r\n0\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 empty extension", "5;\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 empty name", "5;=b\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 empty value", "5;a=\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 two words", "5;a=b c\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 NUL in quoted value", "5;a=\"\x00\"\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 extension at the per-line bound", "5;a=" + strings.Repeat("x", maxChunkExtLen-3) + "\r\nhello\r\n0\r\n\r\n", 0, 0, "hello"},
	{"§7.1.1 extension over the per-line bound", "5;a=" + strings.Repeat("x", maxChunkExtLen-2) + "\r\nhello\r\n0\r\n\r\n", 0, 400, ""},
	{"§7.1.1 extension line never ending", "5;a=" + strings.Repeat("x", 2*maxChunkExtLen), 0, 400, ""},
	{"§7.1.1 extensions over the per-body bound", strings.Repeat("1;a="+strings.Repeat("x", 4000)+"\r\nx\r\n", 17) + "0\r\n\r\n", 0, 400, ""},

	// Trailer section (§7.1.2): checked as field lines, bounded, discarded.
	{"§7.1.2 trailers", "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-B:\r\n\r\nNEXT", 0, 0, "hello"},
	{"§7.1.2 trailer without colon", "0\r\nXYZ\r\n\r\n", 0, 400, ""},
	{"§7.1.2 trailer with SP before colon", "0\r\nX : y\r\n\r\n", 0, 400, ""},
	{"§7.1.2 trailer obs-fold", "0\r\nX: y\r\n z\r\n\r\n", 0, 400, ""},
	{"§7.1.2 trailer with NUL", "0\r\nX: a\x00b\r\n\r\n", 0, 400, ""},
	{"§7.1.2 trailer with bare CR", "0\r\nX: a\rb\r\n\r\n", 0, 400, ""},
	{"§7.1.2 trailer with bare LF", "0\r\nX: a\nY: b\r\n\r\n", 0, 400, ""},
	{"§7.1.2 too many trailers", "0\r\n" + strings.Repeat("X: y\r\n", maxTrailers+1) + "\r\n", 0, 431, ""},
	{"§7.1.2 as many trailers as allowed", "0\r\n" + strings.Repeat("X: y\r\n", maxTrailers) + "\r\n", 0, 0, ""},
	{"§7.1.2 trailer section too large", "0\r\nX: " + strings.Repeat("y", maxTrailerBytes) + "\r\n\r\n", 0, 431, ""},
}

func TestChunked(t *testing.T) {
	for _, c := range chunkCases {
		t.Run(c.rfc, func(t *testing.T) {
			got := checkChunkSplits(t, c.maxBody, []byte(c.in))
			if got.status != c.status {
				t.Fatalf("%q: got %v, want status %d", c.in, got, c.status)
			}
			if c.status != 0 {
				return
			}
			if !got.done || got.body != c.body {
				t.Fatalf("%q: got %v, want body %q", c.in, got, c.body)
			}
			if rest := strings.TrimSuffix(c.in, "NEXT"); got.consumed != len(rest) {
				t.Fatalf("%q: consumed %d, want %d", c.in, got.consumed, len(rest))
			}
		})
	}
}

// Once done, Decode keeps reporting the same result; once failed, the same
// error; Reset starts a new body.
func TestChunkedDoneAndReset(t *testing.T) {
	var d ChunkedDecoder
	d.Init(0)
	in := []byte("3\r\nabc\r\n0\r\n\r\nGET")
	c, done, err := d.Decode(in)
	if c != 13 || !done || err != nil {
		t.Fatal(c, done, err)
	}
	if c2, done2, err2 := d.Decode(in); c2 != c || !done2 || err2 != nil {
		t.Fatal("second call", c2, done2, err2)
	}
	d.Reset()
	if _, _, err := d.Decode([]byte("zz\r\n")); err == nil {
		t.Fatal("accepted junk")
	}
	if _, _, err := d.Decode([]byte("0\r\n\r\n")); err == nil {
		t.Fatal("error forgotten")
	}
	d.Reset()
	if c, done, err := d.Decode([]byte("0\r\n\r\n")); c != 5 || !done || err != nil || d.Len() != 0 {
		t.Fatal("after Reset", c, done, err)
	}
	var zero ChunkedDecoder // zero value: default limit
	if _, done, err := zero.Decode([]byte("1\r\nx\r\n0\r\n\r\n")); !done || err != nil {
		t.Fatal("zero decoder", done, err)
	}
}

// bigChunked builds a chunked body of n data bytes in chunks of size sz.
func bigChunked(n, sz int) (wire []byte, body []byte) {
	var w bytes.Buffer
	for len(body) < n {
		k := min(sz, n-len(body))
		chunk := bytes.Repeat([]byte{byte('a' + len(body)%26)}, k)
		fmt.Fprintf(&w, "%x\r\n", k)
		w.Write(chunk)
		w.WriteString("\r\n")
		body = append(body, chunk...)
	}
	w.WriteString("0\r\nX-T: 1\r\n\r\n")
	return w.Bytes(), body
}

// Work over all calls is linear in the body's length, however it arrives.
func TestChunkedLinearWork(t *testing.T) {
	for _, sz := range []int{1, 7, 4096, 100000} {
		wire, body := bigChunked(200000, sz)
		var d ChunkedDecoder
		d.Init(0)
		buf := append([]byte(nil), wire...)
		step := 1
		if sz >= 4096 {
			step = 3 // a byte at a time over 200 KB is slow under -race; 3 keeps it honest
		}
		for m := step; ; m += step {
			m = min(m, len(buf))
			c, done, err := d.Decode(buf[:m])
			if err != nil {
				t.Fatal(err)
			}
			if done {
				if c != len(wire) || !bytes.Equal(buf[:d.Len()], body) {
					t.Fatalf("sz %d: wrong result", sz)
				}
				break
			}
		}
		if d.count.work() > 2*len(wire) {
			t.Errorf("chunk size %d: %d bytes examined for %d wire bytes", sz, d.count.work(), len(wire))
		}
	}
}
