package parser

import (
	"bytes"
	"errors"
	"fmt"
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
