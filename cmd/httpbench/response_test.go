package main

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// parsed is what the parser reports for one complete response.
type parsed struct {
	status int
	size   int64
	close  bool
}

// parseChunks feeds chunks to a parser the way a connection does: bytes
// the parser leaves unconsumed are carried over and presented again before
// the next chunk. atEOF ends the stream with end of file. With memo, the
// parser remembers heads (see headMemo), as a connection's does.
func parseChunks(head, memo bool, chunks []string, atEOF bool) ([]parsed, error) {
	p := responseParser{head: head}
	if memo {
		p.memo = new(headMemo)
	}
	var out []parsed
	var carry []byte
	complete := func() {
		out = append(out, parsed{p.status, p.size, p.close})
		p.reset()
	}
	for _, chunk := range chunks {
		data := append(carry, chunk...)
		for {
			n, done, err := p.feed(data)
			data = data[n:]
			if err != nil {
				return out, err
			}
			if !done {
				break
			}
			complete()
		}
		if len(data) > maxCarry {
			return out, errHeadTooLarge
		}
		carry = append([]byte(nil), data...)
	}
	if atEOF {
		done, err := p.eof(len(carry))
		if err != nil {
			return out, err
		}
		if done {
			complete()
		}
	}
	return out, nil
}

func sz(s string) int64 { return int64(len(s)) }

// whole in a wanted result stands for the length of the whole input.
const whole = -1

const (
	okHello   = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
	chunkedOK = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5\r\nhello\r\n1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n"
)

var parseCases = []struct {
	name  string
	head  bool // the request was HEAD
	in    string
	atEOF bool
	want  []parsed
	err   error
}{
	{name: "content-length", in: okHello, want: []parsed{{200, sz(okHello), false}}},
	{name: "empty reason", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
		want: []parsed{{200, whole, false}}},
	{name: "reason with spaces and obs-text", in: "HTTP/1.1 404 Not \xe9 Found\r\nContent-Length: 0\r\n\r\n",
		want: []parsed{{404, whole, false}}},
	{name: "header case and whitespace", in: "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:\t 3 \t\r\n\r\nabc",
		want: []parsed{{200, whole, false}}},
	{name: "duplicate equal content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
		want: []parsed{{200, whole, false}}},
	{name: "chunked with extension and trailer", in: chunkedOK, want: []parsed{{200, sz(chunkedOK), false}}},
	{name: "chunked, empty", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		want: []parsed{{200, whole, false}}},
	{name: "chunked after another coding", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
		want: []parsed{{200, whole, false}}},
	{name: "chunked beats content-length, then close",
		in:   "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		want: []parsed{{200, whole, true}}},
	{name: "non-chunked coding runs to EOF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabcdef", atEOF: true,
		want: []parsed{{200, whole, true}}},
	{name: "no length runs to EOF", in: "HTTP/1.1 200 OK\r\n\r\nbody until close", atEOF: true,
		want: []parsed{{200, whole, true}}},
	{name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
		want: []parsed{{200, whole, true}}},
	{name: "HTTP/1.0 closes", in: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
		want: []parsed{{200, whole, true}}},
	{name: "HTTP/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
		want: []parsed{{200, whole, false}}},
	{name: "204 and 304 have no body",
		in: "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n" +
			"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
		want: []parsed{{204, 46, false}, {304, 48, false}}},
	{name: "HEAD response has no body", head: true, in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
		want: []parsed{{200, whole, false}}},
	{name: "interim 100 skipped", in: "HTTP/1.1 100 Continue\r\n\r\n" + okHello,
		want: []parsed{{200, 25 + sz(okHello), false}}},
	{name: "101 ends HTTP", in: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
		want: []parsed{{101, whole, true}}},
	{name: "server error", in: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nerr",
		want: []parsed{{500, whole, false}}},
	{name: "pipelined", in: okHello + chunkedOK + okHello,
		want: []parsed{{200, sz(okHello), false}, {200, sz(chunkedOK), false}, {200, sz(okHello), false}}},
	{name: "same head repeated", in: okHello + okHello + okHello,
		want: []parsed{{200, sz(okHello), false}, {200, sz(okHello), false}, {200, sz(okHello), false}}},
	{name: "same head, then a longer one it prefixes",
		in:   "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx" + "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nxxxxxxxxxxxx",
		want: []parsed{{200, 39, false}, {200, 51, false}}},
	{name: "interim, then a head seen before", in: okHello + "HTTP/1.1 100 Continue\r\n\r\n" + okHello + okHello,
		want: []parsed{{200, sz(okHello), false}, {200, 25 + sz(okHello), false}, {200, sz(okHello), false}}},
	{name: "repeated head, then one a byte off and invalid",
		in:  okHello + okHello + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/pla\x01n\r\n\r\nhello",
		err: errHeaderLine},

	{name: "HTTP/2 status line", in: "HTTP/2 200 OK\r\n\r\n", err: errStatusLine},
	{name: "two-digit status", in: "HTTP/1.1 20 OK\r\n\r\n", err: errStatusLine},
	{name: "status below 100", in: "HTTP/1.1 099 OK\r\n\r\n", err: errStatusLine},
	{name: "no space after status", in: "HTTP/1.1 200OK\r\n\r\n", err: errStatusLine},
	{name: "lower-case protocol", in: "http/1.1 200 OK\r\n\r\n", err: errStatusLine},
	{name: "control character in reason", in: "HTTP/1.1 200 O\x01K\r\n\r\n", err: errStatusLine},
	{name: "bare LF in head", in: "HTTP/1.1 200 OK\r\nA: b\nContent-Length: 0\r\n\r\n", err: errBareLF},
	{name: "bare LF ending status line", in: "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", err: errStatusLine},
	{name: "obs-fold", in: "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", err: errObsFold},
	{name: "space before colon", in: "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", err: errHeaderLine},
	{name: "no colon", in: "HTTP/1.1 200 OK\r\nContent-Length\r\n\r\n", err: errHeaderLine},
	{name: "empty name", in: "HTTP/1.1 200 OK\r\n: x\r\n\r\n", err: errHeaderLine},
	{name: "negative length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: errContentLength},
	{name: "length with sign", in: "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", err: errContentLength},
	{name: "empty length", in: "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", err: errContentLength},
	{name: "length list", in: "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx", err: errContentLength},
	{name: "huge length", in: "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", err: errContentLength},
	{name: "conflicting lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy", err: errContentLength},
	{name: "bad chunk size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: errChunkSize},
	{name: "chunk size overflow", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", err: errChunkSize},
	{name: "chunk size junk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n", err: errChunkSize},
	{name: "chunk size bare LF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n", err: errBareLF},
	{name: "chunk without CRLF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n", err: errChunkEnd},
	{name: "bad trailer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n", err: errHeaderLine},
	{name: "EOF in body", in: okHello[:len(okHello)-1], atEOF: true, err: errUnexpectedEOF},
	{name: "EOF in head", in: "HTTP/1.1 200 OK\r\n", atEOF: true, err: errUnexpectedEOF},
	{name: "EOF in chunked body", in: chunkedOK[:len(chunkedOK)-2], atEOF: true, err: errUnexpectedEOF},
	{name: "EOF after interim", in: "HTTP/1.1 100 Continue\r\n\r\n", atEOF: true, err: errUnexpectedEOF},
	{name: "EOF between responses", in: okHello, atEOF: true, want: []parsed{{200, sz(okHello), false}}},
	{name: "head too large", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxCarry), err: errHeadTooLarge},
}

// withAndWithoutMemo runs f with the parser's head memo off and on: a
// remembered head must give exactly what parsing it gives.
func withAndWithoutMemo(t *testing.T, f func(t *testing.T, memo bool)) {
	for _, memo := range []bool{false, true} {
		t.Run(fmt.Sprintf("memo=%v", memo), func(t *testing.T) { f(t, memo) })
	}
}

func TestParseResponses(t *testing.T) {
	withAndWithoutMemo(t, testParseResponses)
}

func testParseResponses(t *testing.T, memo bool) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseChunks(tc.head, memo, []string{tc.in}, tc.atEOF)
			checkParse(t, "whole", tc.in, got, err, tc.want, tc.err)
			var total int64
			for _, r := range got {
				total += r.size
			}
			if tc.err == nil && total != sz(tc.in) {
				t.Fatalf("response sizes add up to %d, want the input's %d", total, len(tc.in))
			}
		})
	}
}

// TestParseSplitAtEveryByte cuts each input in two at every position, and
// also feeds it one byte at a time: an incremental parser must give the
// same answer however the bytes arrive.
func TestParseSplitAtEveryByte(t *testing.T) {
	withAndWithoutMemo(t, testParseSplitAtEveryByte)
}

func testParseSplitAtEveryByte(t *testing.T, memo bool) {
	for _, tc := range parseCases {
		if tc.err == errHeadTooLarge {
			continue // depends on where the cut falls, by design
		}
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i <= len(tc.in); i++ {
				got, err := parseChunks(tc.head, memo, []string{tc.in[:i], tc.in[i:]}, tc.atEOF)
				checkParse(t, fmt.Sprintf("cut at %d", i), tc.in, got, err, tc.want, tc.err)
			}
			bytewise := make([]string, len(tc.in))
			for i := range tc.in {
				bytewise[i] = tc.in[i : i+1]
			}
			got, err := parseChunks(tc.head, memo, bytewise, tc.atEOF)
			checkParse(t, "byte by byte", tc.in, got, err, tc.want, tc.err)
		})
	}
}

func checkParse(t *testing.T, how, in string, got []parsed, err error, want []parsed, wantErr error) {
	t.Helper()
	if len(want) == 1 && want[0].size == whole {
		want = []parsed{{want[0].status, sz(in), want[0].close}}
	}
	if !errors.Is(err, wantErr) {
		t.Fatalf("%s: error %v, want %v", how, err, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %+v, want %+v", how, got, want)
	}
}

// TestParseLeavesIncompleteHead checks the contract the connection relies
// on: an incomplete head is left unconsumed, while body bytes are taken
// as they come.
func TestParseLeavesIncompleteHead(t *testing.T) {
	var p responseParser
	in := []byte(okHello)
	n, done, err := p.feed(in[:20])
	if n != 0 || done || err != nil {
		t.Fatalf("partial head: n=%d done=%v err=%v; want 0, false, nil", n, done, err)
	}
	headLen := strings.Index(okHello, "\r\n\r\n") + 4
	n, done, err = p.feed(in[:headLen+2])
	if n != headLen+2 || done || err != nil {
		t.Fatalf("head and partial body: n=%d done=%v err=%v; want %d, false, nil", n, done, err, headLen+2)
	}
	n, done, err = p.feed(in[headLen+2:])
	if n != 3 || !done || err != nil || p.size != sz(okHello) {
		t.Fatalf("rest of body: n=%d done=%v err=%v size=%d", n, done, err, p.size)
	}
}

func TestParseAllocatesNothing(t *testing.T) {
	in := []byte(okHello + chunkedOK)
	var p responseParser
	allocs := testing.AllocsPerRun(100, func() {
		for data := in; len(data) > 0; {
			n, done, err := p.feed(data)
			if err != nil || !done {
				t.Fatalf("feed: done=%v err=%v", done, err)
			}
			data = data[n:]
			p.reset()
		}
	})
	if allocs != 0 {
		t.Fatalf("parsing allocated %v times", allocs)
	}
}

func BenchmarkParseResponse(b *testing.B) {
	for _, memo := range []bool{false, true} {
		b.Run(fmt.Sprintf("memo=%v", memo), func(b *testing.B) {
			in := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Wed, 25 Nov 2026 10:00:00 GMT\r\nContent-Length: 11\r\n\r\nHello World")
			var p responseParser
			if memo {
				p.memo = new(headMemo)
			}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, done, err := p.feed(in); !done || err != nil {
					b.Fatal(done, err)
				}
				p.reset()
			}
		})
	}
}
