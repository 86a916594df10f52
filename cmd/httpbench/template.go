package main

import (
	"strconv"
	"strings"
)

// This file formats requests. A request that never varies is formatted
// once, before the run, and a pipelined batch is a slice of its copies.
// One with {seq} or {rand} in its target, a header value or its body is
// a list of literal pieces and placeholders, expanded into the socket's
// output buffer as it is sent: no allocation per request either way.

// placeholder is what a piece of a template expands to.
type placeholder uint8

const (
	literal placeholder = iota
	phSeq               // {seq}: the request's number in the run
	phRand              // {rand}: a random 64-bit number, the same within one request
)

// piece is a literal string or a placeholder.
type piece struct {
	lit string
	ph  placeholder
}

// splitPlaceholders cuts s into pieces at {seq} and {rand}.
func splitPlaceholders(s string) []piece {
	var ps []piece
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		var ph placeholder
		var n int
		switch rest := s[i:]; {
		case strings.HasPrefix(rest, "{seq}"):
			ph, n = phSeq, len("{seq}")
		case strings.HasPrefix(rest, "{rand}"):
			ph, n = phRand, len("{rand}")
		default:
			ps = appendLiteral(ps, s[:i+1])
			s = s[i+1:]
			continue
		}
		ps = appendLiteral(ps, s[:i])
		ps = append(ps, piece{ph: ph})
		s = s[i+n:]
	}
	return appendLiteral(ps, s)
}

// appendLiteral appends s, merging it with a literal piece before it.
func appendLiteral(ps []piece, s string) []piece {
	if s == "" {
		return ps
	}
	if n := len(ps); n > 0 && ps[n-1].ph == literal {
		ps[n-1].lit += s
		return ps
	}
	return append(ps, piece{lit: s})
}

// template is one kind of request a run sends.
type template struct {
	head   bool   // a HEAD request: its response has no body
	static []byte // the whole request, when nothing in it varies

	// A request that varies: the head up to its last header line, the
	// body, and how the body is framed.
	headParts []piece
	bodyParts []piece
	chunked   bool
	chunkSize int  // 0: the whole body in one chunk
	framed    bool // send Content-Length even for an empty body
	close     bool // Connection: close
	usesRand  bool
}

// requestSpec is what one request looks like before it is formatted.
type requestSpec struct {
	method    string
	target    target
	uri       string // the request target; "" for the URL's
	headers   []header
	body      string
	chunked   bool
	chunkSize int
	keepAlive bool // false: ask the server to close after answering
	dynamic   bool // expand {seq} and {rand}
}

// compile turns a spec into a template.
func (r requestSpec) compile() *template {
	uri := r.uri
	if uri == "" {
		uri = r.target.requestURI
	}
	var b strings.Builder
	b.WriteString(r.method + " " + uri + " HTTP/1.1\r\n")
	hasHost := false
	for _, h := range r.headers {
		hasHost = hasHost || strings.EqualFold(h.name, "host")
	}
	if !hasHost {
		b.WriteString("Host: " + r.target.host + "\r\n")
	}
	for _, h := range r.headers {
		b.WriteString(h.name + ": " + h.value + "\r\n")
	}
	t := &template{
		head:      r.method == "HEAD",
		chunked:   r.chunked,
		chunkSize: r.chunkSize,
		framed:    r.body != "" || r.method == "POST" || r.method == "PUT" || r.method == "PATCH",
		close:     !r.keepAlive,
	}
	if r.dynamic {
		t.headParts, t.bodyParts = splitPlaceholders(b.String()), splitPlaceholders(r.body)
	} else {
		t.headParts, t.bodyParts = []piece{{lit: b.String()}}, []piece{{lit: r.body}}
	}
	varies := false
	for _, p := range append(append([]piece{}, t.headParts...), t.bodyParts...) {
		varies = varies || p.ph != literal
		t.usesRand = t.usesRand || p.ph == phRand
	}
	if !varies {
		var scratch []byte
		t.static = t.appendTo(nil, 0, new(uint64), &scratch)
	}
	return t
}

// appendTo formats the request with number seq onto out. rnd is the
// state of the {rand} generator; scratch holds a varying body while its
// length is found.
func (t *template) appendTo(out []byte, seq uint64, rnd *uint64, scratch *[]byte) []byte {
	if t.static != nil {
		return append(out, t.static...)
	}
	var r uint64
	if t.usesRand {
		r = splitmix(rnd)
	}
	out = expand(out, t.headParts, seq, r)
	body := expand((*scratch)[:0], t.bodyParts, seq, r)
	*scratch = body
	switch {
	case t.chunked:
		out = append(out, "Transfer-Encoding: chunked\r\n"...)
	case t.framed || len(body) > 0:
		out = append(out, "Content-Length: "...)
		out = strconv.AppendInt(out, int64(len(body)), 10)
		out = append(out, "\r\n"...)
	}
	if t.close {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	if !t.chunked {
		return append(out, body...)
	}
	for len(body) > 0 {
		n := len(body)
		if t.chunkSize > 0 {
			n = min(n, t.chunkSize)
		}
		out = strconv.AppendUint(out, uint64(n), 16)
		out = append(out, "\r\n"...)
		out = append(out, body[:n]...)
		out = append(out, "\r\n"...)
		body = body[n:]
	}
	return append(out, "0\r\n\r\n"...)
}

// expand appends pieces with their placeholders filled in.
func expand(out []byte, ps []piece, seq, r uint64) []byte {
	for _, p := range ps {
		switch p.ph {
		case literal:
			out = append(out, p.lit...)
		case phSeq:
			out = strconv.AppendUint(out, seq, 10)
		case phRand:
			out = strconv.AppendUint(out, r, 10)
		}
	}
	return out
}

// splitmix advances a SplitMix64 generator: a few instructions, no
// allocation, and good enough to spread keys over a cache or a table.
func splitmix(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// templateSet is every request a run sends, and how often each.
type templateSet struct {
	list []*template
	// pick holds indices into list, each as many times as its weight:
	// request n is list[pick[n % len(pick)]], a deterministic mix.
	order []int
	// batch holds -p copies of the one request of a run that sends only
	// one, never varying: a pipelined batch is a slice of it.
	batch []byte
}

// newTemplateSet builds the set of templates with their weights.
func newTemplateSet(list []*template, weights []int, pipeline int) *templateSet {
	ts := &templateSet{list: list}
	for i, w := range weights {
		for range w {
			ts.order = append(ts.order, i)
		}
	}
	if len(list) == 1 && list[0].static != nil {
		for range pipeline {
			ts.batch = append(ts.batch, list[0].static...)
		}
	}
	return ts
}

// pick returns the template of request seq.
func (ts *templateSet) pick(seq uint64) *template {
	if len(ts.list) == 1 {
		return ts.list[0]
	}
	return ts.list[ts.order[seq%uint64(len(ts.order))]]
}
