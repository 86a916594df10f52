package parser

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// encodeChunks frames data as chunks of random sizes, with extensions and
// trailers now and then.
func encodeChunks(rng *rand.Rand, data []byte) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		n := min(len(data), 1+rng.Intn(300))
		fmt.Fprintf(&b, "%x", n)
		if rng.Intn(4) == 0 {
			b.WriteString(";name=value")
		}
		b.WriteString("\r\n")
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0\r\n")
	if rng.Intn(2) == 0 {
		b.WriteString("X-Trailer: yes\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// Valid chunked coding, cut anywhere, is accepted whole, its data found,
// and its end detected exactly.
func TestChunkCheckerAcceptsValidCodingCutAnywhere(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 200; round++ {
		data := make([]byte, rng.Intn(2000))
		rng.Read(data)
		wire := append(encodeChunks(rng, data), "GET / HTTP/1.1\r\n"...) // the next message follows
		var k ChunkChecker
		var got []byte
		rest := wire
		for !k.Done() && len(rest) > 0 {
			cut := min(len(rest), 1+rng.Intn(64))
			n, segs, err := k.Check(rest[:cut], nil)
			if err != nil {
				t.Fatalf("round %d: %v at %q", round, err, rest[:cut])
			}
			for _, s := range segs {
				got = append(got, s...)
			}
			rest = rest[n:]
		}
		if !k.Done() || string(rest) != "GET / HTTP/1.1\r\n" || !bytes.Equal(got, data) {
			t.Fatalf("round %d: done %v, rest %q, data equal %v", round, k.Done(), rest, bytes.Equal(got, data))
		}
	}
}

func TestChunkCheckerRejects(t *testing.T) {
	for _, bad := range []string{
		"zz\r\n",                   // not hex
		"\r\n",                     // no size
		"3\nabc\r\n",               // bare LF after the size
		"3\r\nabcd\r\n",            // more data than the size
		"3\r\nab\r\n",              // less
		"11111111111111111\r\n",    // 17 digits
		"3;ext\x00\r\nabc\r\n",     // control byte in an extension
		"0\r\nBad Name: x\r\n\r\n", // trailer name not a token
		"0\r\nX: a\nb\r\n\r\n",     // LF inside a trailer value
		"0\r\n\rX",                 // CR without LF at the end
	} {
		var k ChunkChecker
		if _, _, err := k.Check([]byte(bad), nil); err != ErrChunkedFraming {
			t.Errorf("%q: %v, want ErrChunkedFraming", bad, err)
		}
	}
}

func FuzzChunkChecker(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint8(3))
	f.Add([]byte("3;a=b\r\nabc\r\n0\r\nT: v\r\n\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, wire []byte, cut uint8) {
		// Split or whole, the checker reaches the same verdict at the same byte.
		var whole ChunkChecker
		n1, _, err1 := whole.Check(wire, nil)
		var split ChunkChecker
		c := min(int(cut), len(wire))
		n2, _, err2 := split.Check(wire[:c], nil)
		if err2 == nil && !split.Done() {
			var m int
			m, _, err2 = split.Check(wire[c:], nil)
			n2 += m
		}
		if n1 != n2 || (err1 == nil) != (err2 == nil) || whole.Done() != split.Done() {
			t.Fatalf("whole: %d %v %v; split at %d: %d %v %v", n1, err1, whole.Done(), c, n2, err2, split.Done())
		}
	})
}
