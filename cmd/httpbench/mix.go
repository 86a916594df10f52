package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"asynchttpserver.dev/internal/parser"
)

// mixEntry is one line of a -requests file: a JSON object. Every field is
// optional: {"url": "/"} is a GET of /.
type mixEntry struct {
	// Method defaults to -m.
	Method string `json:"method"`
	// URL is a request target ("/path?query") or an absolute URL on the
	// command line's host and port; "" means the command line's.
	URL string `json:"url"`
	// Headers are "Name: value" lines, sent after any -H headers.
	Headers []string `json:"headers"`
	// Body is sent with Content-Length, or chunked.
	Body    string `json:"body"`
	Chunked bool   `json:"chunked"`
	// ChunkSize splits a chunked body into chunks of this many bytes
	// (0: one chunk).
	ChunkSize int `json:"chunk_size"`
	// Weight is how often this request comes in the mix relative to the
	// others (default 1): weights 3 and 1 send three of the first for
	// each of the second, interleaved in a fixed order.
	Weight int `json:"weight"`
}

// maxMixWeight bounds the sum of a mix's weights: the mix's order is a
// table of that many entries.
const maxMixWeight = 100000

// loadTemplates returns the requests of a run: the one the flags
// describe, or those of the -requests file.
func loadTemplates(cfg *config, t target) (*templateSet, error) {
	if cfg.requests == "" {
		if cfg.chunked && cfg.body == "" && cfg.method != "POST" && cfg.method != "PUT" {
			return nil, fmt.Errorf("-chunked: no -body to send")
		}
		spec := requestSpec{method: cfg.method, target: t, headers: cfg.headers, body: cfg.body,
			chunked: cfg.chunked, keepAlive: cfg.keepAlive}
		return newTemplateSet([]*template{spec.compile()}, []int{1}, cfg.pipeline), nil
	}
	b, err := os.ReadFile(cfg.requests)
	if err != nil {
		return nil, fmt.Errorf("-requests: %w", err)
	}
	list, weights, err := parseMix(b, cfg, t)
	if err != nil {
		return nil, fmt.Errorf("-requests %s: %w", cfg.requests, err)
	}
	return newTemplateSet(list, weights, cfg.pipeline), nil
}

// parseMix reads a request file: one JSON object a line; blank lines and
// lines starting with # are skipped.
func parseMix(b []byte, cfg *config, t target) ([]*template, []int, error) {
	var list []*template
	var weights []int
	total := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20) // a body may be long
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		var e mixEntry
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		spec, err := e.spec(cfg, t)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		if e.Weight == 0 {
			e.Weight = 1
		}
		if e.Weight < 0 || total+e.Weight > maxMixWeight {
			return nil, nil, fmt.Errorf("line %d: weight %d: want 1 to %d in all", line, e.Weight, maxMixWeight)
		}
		total += e.Weight
		list = append(list, spec.compile())
		weights = append(weights, e.Weight)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, fmt.Errorf("no requests in the file")
	}
	return list, weights, nil
}

// spec checks an entry and turns it into a request spec.
func (e mixEntry) spec(cfg *config, t target) (requestSpec, error) {
	s := requestSpec{method: e.Method, target: t, body: e.Body, chunked: e.Chunked,
		chunkSize: e.ChunkSize, keepAlive: cfg.keepAlive, dynamic: true}
	if s.method == "" {
		s.method = cfg.method
	}
	if strings.IndexFunc(s.method, func(r rune) bool { return r >= 0x80 || !parser.IsTokenChar(byte(r)) }) >= 0 {
		return s, fmt.Errorf("method %q: not a token", s.method)
	}
	uri, err := requestTarget(e.URL, t)
	if err != nil {
		return s, err
	}
	s.uri = uri
	s.headers = append(s.headers, cfg.headers...)
	for _, h := range e.Headers {
		hd, err := parseHeader(h)
		if err != nil {
			return s, err
		}
		s.headers = append(s.headers, hd)
	}
	if e.ChunkSize < 0 || (e.ChunkSize > 0 && !e.Chunked) {
		return s, fmt.Errorf("chunk_size %d: needs \"chunked\": true and a positive size", e.ChunkSize)
	}
	return s, nil
}

// requestTarget returns the request target of an entry's URL: a path as
// it is, or an absolute URL's path and query, which must be on the
// command line's host and port (all connections go there).
func requestTarget(raw string, t target) (string, error) {
	if raw == "" {
		return t.requestURI, nil
	}
	uri := raw
	if rest, ok := strings.CutPrefix(raw, "http://"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if host != t.host {
			return "", fmt.Errorf("url %q: not on %s, where the connections go", raw, t.host)
		}
		uri = "/" + path
	}
	// Check the target as it will be sent, placeholders filled in.
	sample := strings.NewReplacer("{seq}", "0", "{rand}", "0").Replace(uri)
	if !strings.HasPrefix(sample, "/") && sample != "*" {
		return "", fmt.Errorf("url %q: want a path starting with / or an http:// URL", raw)
	}
	if strings.ContainsAny(sample, " \t\r\n") || !parser.ValidFieldValue(sample) {
		return "", fmt.Errorf("url %q: white space or control characters", raw)
	}
	if _, err := url.ParseRequestURI(sample); err != nil && sample != "*" {
		return "", fmt.Errorf("url %q: %w", raw, err)
	}
	return uri, nil
}
