package parser

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Every sample must parse identically whole, split at every byte boundary,
// fed one byte at a time, and fed one byte at a time into a fresh buffer
// each call (offsets only, never pointers).
func TestSplitInvariance(t *testing.T) {
	for _, s := range append(append([]string{}, samples...), badSamples...) {
		checkSplits(t, testLimits, []byte(s))
		checkSplits(t, Limits{}, []byte(s))
	}
}

func TestSamplesAccepted(t *testing.T) {
	for _, s := range samples {
		o := parseWhole(Limits{}, []byte(s))
		if o.status != 0 || o.n == 0 {
			t.Errorf("%q: %v", s, o)
		}
	}
	for _, s := range badSamples {
		if o := parseWhole(Limits{}, []byte(s)); o.status == 0 {
			t.Errorf("%q: accepted: %v", s, o)
		}
	}
}

// A pipeline of requests in one buffer is parsed one after another from
// buf[n:], each exactly as if it had arrived alone (RFC 9112 §9.3.2). Bodies
// are skipped with Content-Length or the chunked decoder.
func TestPipeline(t *testing.T) {
	var all []byte
	var want []string
	for _, s := range samples {
		all = append(all, s...)
		o := parseWhole(Limits{}, []byte(s))
		want = append(want, o.desc)
	}
	p := New(Limits{})
	var r Head
	var d ChunkedDecoder
	off := 0
	for i := range samples {
		buf := all[off:]
		n, err := p.Parse(buf, &r)
		if err != nil || n == 0 {
			t.Fatalf("request %d: n=%d err=%v", i, n, err)
		}
		if got := describe(buf, &r); got != want[i] {
			t.Fatalf("request %d:\n got %s\nwant %s", i, got, want[i])
		}
		off += n
		switch {
		case r.Chunked:
			d.Init(0)
			c, done, err := d.Decode(all[off:])
			if err != nil || !done {
				t.Fatalf("request %d body: done=%t err=%v", i, done, err)
			}
			if got := string(all[off : off+d.Len()]); got != "hello" {
				t.Fatalf("request %d body %q", i, got)
			}
			off += c
		case r.ContentLength > 0:
			off += int(r.ContentLength)
		}
	}
	if off != len(all) {
		t.Fatalf("consumed %d of %d bytes", off, len(all))
	}
}

// Sixteen wrk requests in one buffer, split at every byte into two reads:
// the parser must report each request once, at the same offsets.
func TestPipelineSplit(t *testing.T) {
	all := []byte(strings.Repeat(wrkRequest, 16))
	for cut := 1; cut < len(all); cut++ {
		p := New(Limits{})
		var r Head
		off, count := 0, 0
		for avail := cut; ; avail = len(all) {
			for {
				n, err := p.Parse(all[off:avail], &r)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if n == 0 {
					break
				}
				if n != len(wrkRequest) || string(r.Host.Bytes(all[off:])) != "127.0.0.1:8080" {
					t.Fatalf("cut %d: request %d: n=%d", cut, count, n)
				}
				off += n
				count++
			}
			if avail == len(all) {
				break
			}
		}
		if count != 16 || off != len(all) {
			t.Fatalf("cut %d: %d requests, %d bytes", cut, count, off)
		}
	}
}

// bigHead builds a valid head of about size bytes: a long target and many
// long field values, the parts a slow client would trickle in.
func bigHead(size int) []byte {
	var b bytes.Buffer
	b.WriteString("GET /")
	b.WriteString(strings.Repeat("a", size/8))
	b.WriteString("?q=")
	b.WriteString(strings.Repeat("%41", size/24))
	b.WriteString(" HTTP/1.1\r\nHost: h\r\n")
	for b.Len() < size-200 {
		b.WriteString("X-Filler: ")
		b.WriteString(strings.Repeat("v ", 400))
		b.WriteString("\r\n")
	}
	b.WriteString("Connection: close\r\nContent-Length: 12\r\n\r\n")
	return b.Bytes()
}

// Work over all calls for one head must be linear in its length: feeding a
// 64 KiB head one byte at a time examines each byte a bounded number of
// times (the op counter), and takes about eight times as long as an 8 KiB
// head, not sixty-four (the timing ratio, with a wide margin).
func TestLinearWork(t *testing.T) {
	lim := Limits{MaxHeadBytes: 1 << 20, MaxTargetLen: 1 << 20}
	feed := func(in []byte) int {
		p := New(lim)
		var r Head
		for i := 1; i <= len(in); i++ {
			n, err := p.Parse(in[:i], &r)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				if n != len(in) {
					t.Fatalf("n=%d, want %d", n, len(in))
				}
				return p.count.work()
			}
		}
		t.Fatal("incomplete")
		return 0
	}
	for _, size := range []int{1 << 10, 8 << 10, 64 << 10} {
		in := bigHead(size)
		if w := feed(in); w > 3*len(in) {
			t.Errorf("%d-byte head fed a byte at a time: %d bytes examined, want <= %d", len(in), w, 3*len(in))
		}
		p := New(lim)
		var r Head
		if n, err := p.Parse(in, &r); n != len(in) || err != nil {
			t.Fatalf("whole: n=%d err=%v", n, err)
		}
		if p.count.work() > 3*len(in) {
			t.Errorf("%d-byte head whole: %d bytes examined", len(in), p.count.work())
		}
	}

	if testing.Short() {
		return
	}
	small, large := bigHead(8<<10), bigHead(64<<10)
	best := func(in []byte) time.Duration {
		b := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			feed(in)
			if d := time.Since(start); d < b {
				b = d
			}
		}
		return b
	}
	ts, tl := best(small), best(large)
	ratio := float64(tl) / float64(ts) / (float64(len(large)) / float64(len(small)))
	if ratio > 3 {
		t.Errorf("byte-at-a-time time grows superlinearly: 8 KiB %v, 64 KiB %v (%.1fx the linear expectation)", ts, tl, ratio)
	}
}
