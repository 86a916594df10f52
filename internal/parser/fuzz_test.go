package parser

import (
	"bytes"
	"testing"
)

// fuzzLimits are small enough that random inputs hit every limit.
var fuzzLimits = Limits{MaxHeadBytes: 512, MaxHeaders: 8, MaxTargetLen: 64, MaxBody: 1000}

// addHeadSeeds adds every request head the unit tests know to f: the
// samples and the corpus's heads.
func addHeadSeeds(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s), uint16(7), uint16(19))
	}
	for _, s := range badSamples {
		f.Add([]byte(s), uint16(3), uint16(30))
	}
	for _, c := range corpusCases(f) {
		switch {
		case c.kind != "http":
		case c.hasLim:
			f.Add(c.in, uint16(5), uint16(40))
		default:
			f.Add(c.in, uint16(len(c.in)/2), uint16(len(c.in)-1))
		}
	}
}

// FuzzParse: the head parser never panics, keeps every span inside the head,
// honours its limits, gives the same answer however the bytes are split and
// wherever they are moved between calls, and the same answer as the
// resumable parser alone (whose first call the fast path otherwise makes).
func FuzzParse(f *testing.F) {
	addHeadSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, c1, c2 uint16) {
		for _, lim := range []Limits{fuzzLimits, {}} {
			whole := parseWhole(lim, data)
			if slow := parseSlow(lim, data); slow != whole {
				t.Fatalf("fast path and resumable parser differ on %q:\nfast %v\nslow %v", data, whole, slow)
			}
			if whole.n > 0 {
				checkInvariants(t, lim.normalized(), data, whole.n)
				// The head alone is complete, and parses the same.
				if again := parseWhole(lim, data[:whole.n]); again != whole {
					t.Fatalf("head alone: %v, with the rest: %v", again, whole)
				}
			}
			if len(data) < 2 {
				continue
			}
			a, b := int(c1)%len(data), int(c2)%len(data)
			if a > b {
				a, b = b, a
			}
			cuts := []int{a, b}
			for _, fresh := range []bool{false, true} {
				if got := parseCuts(lim, data, cuts, fresh); got != whole {
					t.Fatalf("cuts %v (fresh=%t):\n got %v\nwant %v", cuts, fresh, got, whole)
				}
			}
			if len(data) <= 600 {
				if got := parseCuts(lim, data, byteCuts(len(data)), true); got != whole {
					t.Fatalf("byte at a time:\n got %v\nwant %v", got, whole)
				}
			}
		}
	})
}

// checkInvariants re-parses data and checks what every accepted head must
// satisfy.
func checkInvariants(t *testing.T, lim Limits, data []byte, n int) {
	t.Helper()
	p := New(lim)
	var r Head
	if got, err := p.Parse(data, &r); got != n || err != nil {
		t.Fatalf("re-parse: %d %v", got, err)
	}
	if n > len(data) || n > lim.MaxHeadBytes || r.HeadLen != n {
		t.Fatalf("n=%d len=%d HeadLen=%d", n, len(data), r.HeadLen)
	}
	in := func(s Span, outer Span) {
		t.Helper()
		if s.end() > outer.end() || (s.Len > 0 && s.Off < outer.Off) {
			t.Fatalf("span %+v outside %+v in %q", s, outer, data)
		}
	}
	head := Span{Off: 0, Len: uint32(n)}
	for _, s := range []Span{r.MethodSpan, r.Target, r.Version, r.Host} {
		in(s, head)
	}
	for _, s := range []Span{r.Scheme, r.Authority, r.Path, r.Query} {
		in(s, r.Target)
	}
	if int(r.Target.Len) > lim.MaxTargetLen || len(r.Headers) > lim.MaxHeaders {
		t.Fatalf("limits exceeded: target %d, %d headers", r.Target.Len, len(r.Headers))
	}
	if lookupMethod(r.MethodSpan.Bytes(data)) != r.Method || r.MethodSpan.Len == 0 {
		t.Fatalf("method %v for %q", r.Method, r.MethodSpan.Bytes(data))
	}
	if v := string(r.Version.Bytes(data)); v != "HTTP/1.1" && v != "HTTP/1.0" {
		t.Fatalf("version %q", v)
	}
	for _, h := range r.Headers {
		in(h.Name, head)
		in(h.Value, head)
		name, value := h.Name.Bytes(data), h.Value.Bytes(data)
		if len(name) == 0 || bytes.ContainsAny(name, " \t:\r\n") {
			t.Fatalf("bad name %q", name)
		}
		if bytes.ContainsAny(value, "\r\n\x00") || bytes.HasPrefix(value, []byte(" ")) || bytes.HasSuffix(value, []byte(" ")) {
			t.Fatalf("bad value %q", value)
		}
	}
	if r.Chunked && r.ContentLength >= 0 {
		t.Fatal("both chunked and Content-Length")
	}
	if r.ContentLength > lim.MaxBody {
		t.Fatalf("Content-Length %d above MaxBody", r.ContentLength)
	}
	if r.Minor == 1 && !r.HasHost {
		t.Fatal("HTTP/1.1 without Host")
	}
	if r.Form == FormAuthority != (r.Method == MethodConnect) {
		t.Fatal("authority-form and CONNECT must go together")
	}
	if r.Form == FormAsterisk && r.Method != MethodOptions {
		t.Fatal("asterisk-form without OPTIONS")
	}
}

// refDecode is a plain, non-incremental reading of RFC 9112 §7.1 with this
// package's bounds, written independently of ChunkedDecoder to check it.
// status is 0 when the body is complete, -1 when more bytes are needed.
func refDecode(in []byte, maxBody int64) (body []byte, consumed, status int) {
	pos := 0
	// line returns the next CRLF-terminated line, or a status.
	line := func(max int, tooLong int, sizeLine bool) ([]byte, int) {
		rest := in[pos:]
		if sizeLine && len(rest) > 0 && hexTab[rest[0]] < 0 {
			return nil, 400
		}
		lf := bytes.IndexByte(rest, '\n')
		if lf < 0 || lf+1 > max {
			if len(rest) >= max {
				return nil, tooLong
			}
			return nil, -1
		}
		if lf == 0 || rest[lf-1] != '\r' {
			return nil, 400
		}
		pos += lf + 1
		return rest[:lf-1], 0
	}
	ext := 0
	for {
		l, st := line(maxChunkLine, 400, true)
		if st != 0 {
			return nil, 0, st
		}
		digits := 0
		for digits < len(l) && hexTab[l[digits]] >= 0 {
			digits++
		}
		if digits == 0 || digits > maxChunkSizeDigits {
			return nil, 0, 400
		}
		var size uint64
		for _, c := range l[:digits] {
			size = size*16 + uint64(hexTab[c])
		}
		if e := l[digits:]; len(e) > 0 {
			ext += len(e)
			if len(e) > maxChunkExtLen || ext > maxChunkExtTotal || !validChunkExt(e) {
				return nil, 0, 400
			}
		}
		if size > uint64(maxBody)-uint64(len(body)) {
			return nil, 0, 413
		}
		if size == 0 {
			break
		}
		if uint64(len(in)-pos) < size {
			body = append(body, in[pos:]...) // all data so far is part of the body
			return nil, 0, -1
		}
		body = append(body, in[pos:pos+int(size)]...)
		pos += int(size)
		switch {
		case len(in)-pos >= 2 && in[pos] == '\r' && in[pos+1] == '\n':
			pos += 2
		case len(in)-pos == 0 || len(in)-pos == 1 && in[pos] == '\r':
			return nil, 0, -1
		default:
			return nil, 0, 400
		}
	}
	trBytes, trCount := 0, 0
	for {
		start := pos
		l, st := line(maxTrailerBytes-trBytes, 431, false)
		if st != 0 {
			return nil, 0, st
		}
		trBytes += pos - start
		if len(l) == 0 {
			return body, pos, 0
		}
		if trCount++; trCount > maxTrailers {
			return nil, 0, 431
		}
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 {
			return nil, 0, 400
		}
		for _, c := range l[:colon] {
			if !tokenTab[c] {
				return nil, 0, 400
			}
		}
		for _, c := range l[colon+1:] {
			if c != '\t' && (c < 0x20 || c == 0x7f) {
				return nil, 0, 400
			}
		}
	}
}

// FuzzChunked: the decoder agrees with refDecode, decodes in place, and gives
// the same answer however the body is split or moved.
func FuzzChunked(f *testing.F) {
	for _, c := range corpusCases(f) {
		if c.kind == "chunked" && len(c.in) < 4096 {
			f.Add(c.in, uint16(len(c.in)/3), uint16(c.lim.MaxBody))
		}
	}
	wire, _ := bigChunked(300, 7)
	f.Add(wire, uint16(100), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, cut, maxBody uint16) {
		mb := int64(maxBody)
		if mb == 0 {
			mb = DefaultMaxBody
		}
		whole := decodeCuts(mb, data, nil, false)
		refBody, refConsumed, refStatus := refDecode(data, mb)
		switch {
		case refStatus == 0:
			if !whole.done || whole.consumed != refConsumed || whole.body != string(refBody) {
				t.Fatalf("%q: decoder %v, reference consumed %d body %q", data, whole, refConsumed, refBody)
			}
		case refStatus < 0:
			if whole.done || whole.status != 0 {
				t.Fatalf("%q: decoder %v, reference incomplete", data, whole)
			}
		default:
			if whole.status != refStatus {
				t.Fatalf("%q: decoder %v, reference error %d", data, whole, refStatus)
			}
		}
		if len(data) < 2 {
			return
		}
		k := int(cut) % len(data)
		if got := decodeCuts(mb, data, []int{k}, false); got != whole {
			t.Fatalf("split at %d: %v, whole %v", k, got, whole)
		}
		if len(data) <= 512 {
			if got := decodeCuts(mb, data, byteCuts(len(data)), true); got != whole {
				t.Fatalf("byte at a time, moved: %v, whole %v", got, whole)
			}
		}
	})
}
