package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The responses of the bridge's ResponseWriter are net/http's: every case
// is served by net/http's own server and by the bridge (in goroutines and
// inline), the same raw request is sent to each, and what a client reads
// (status, headers but Date, body, framing, trailers, whether the
// connection stays open) must be the same.

// Content-Type sniffing: a handler that sets no Content-Type gets one
// detected from the first 512 bytes of its body (none for an empty body).
func TestBridgeSniffsContentTypeAsNetHTTP(t *testing.T) {
	bodies := map[string]string{
		"empty":     "",
		"html":      "<!DOCTYPE html><html><body>hi</body></html>",
		"html-ws":   "\r\n  <HTML><p>x",
		"text":      "just some words, and a snowman ☃",
		"xml":       "<?xml version=\"1.0\"?><a/>",
		"png":       "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
		"gif":       "GIF89a\x01\x00\x01\x00",
		"pdf":       "%PDF-1.7\n",
		"binary":    "\x00\x01\x02\x03\xff",
		"json-ish":  `{"a": [1, 2, 3]}`,
		"late-html": strings.Repeat(" ", 600) + "<html>", // past the 512 sniffed bytes
		"big-html":  "<html>" + strings.Repeat("x", 5000),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			compareWithNetHTTP(t, h, bothModes, get("/"), "GET", 1)
		})
	}
}

// A Content-Type the handler set, even empty or nil, is not sniffed over;
// nor is a body with a Content-Encoding (net/http issues 5953, 31753).
func TestBridgeDoesNotSniffOverTheHandler(t *testing.T) {
	cases := map[string]func(http.Header){
		"set":      func(h http.Header) { h.Set("Content-Type", "application/x-mine") },
		"empty":    func(h http.Header) { h.Set("Content-Type", "") },
		"nil":      func(h http.Header) { h["Content-Type"] = nil },
		"encoding": func(h http.Header) { h.Set("Content-Encoding", "gzip") },
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				set(w.Header())
				io.WriteString(w, "<html><body>sniff me</body></html>")
			})
			compareWithNetHTTP(t, h, bothModes, get("/"), "GET", 1)
		})
	}
}

// Framing: a body complete when the handler returns gets a Content-Length
// while it fits net/http's 2 KiB buffer, in however many writes; past it,
// or once flushed, it is chunked; a nil Content-Length asks for none.
func TestBridgeFramesBodiesAsNetHTTP(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter){
		"nothing":         func(w http.ResponseWriter) {},
		"status only":     func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) },
		"2048":            func(w http.ResponseWriter) { io.WriteString(w, strings.Repeat("a", 2048)) },
		"2049":            func(w http.ResponseWriter) { io.WriteString(w, strings.Repeat("a", 2049)) },
		"1000+1048":       func(w http.ResponseWriter) { w.Write(make([]byte, 1000)); w.Write(make([]byte, 1048)) },
		"1000+1100":       func(w http.ResponseWriter) { w.Write(make([]byte, 1000)); w.Write(make([]byte, 1100)) },
		"300 KiB":         func(w http.ResponseWriter) { io.WriteString(w, strings.Repeat("0123456789abcdef", 300<<6)) },
		"many small":      func(w http.ResponseWriter) { manyWrites(w, 5000) },
		"flushed":         func(w http.ResponseWriter) { io.WriteString(w, "a"); w.(http.Flusher).Flush(); io.WriteString(w, "b") },
		"flushed empty":   func(w http.ResponseWriter) { w.(http.Flusher).Flush() },
		"nil length":      func(w http.ResponseWriter) { w.Header()["Content-Length"] = nil; io.WriteString(w, "OK") },
		"chunked asked":   func(w http.ResponseWriter) { w.Header().Set("Transfer-Encoding", "chunked"); io.WriteString(w, "hi") },
		"length exact":    func(w http.ResponseWriter) { w.Header().Set("Content-Length", "5"); io.WriteString(w, "hello") },
		"length big body": func(w http.ResponseWriter) { w.Header().Set("Content-Length", "5000"); w.Write(make([]byte, 5000)) },
		"length too long": func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "3")
			if n, err := io.WriteString(w, "hello"); n != 0 || err != http.ErrContentLength {
				panic(fmt.Sprintf("Write past Content-Length: %d, %v", n, err))
			}
		},
		"length short": func(w http.ResponseWriter) { w.Header().Set("Content-Length", "10"); io.WriteString(w, "hello") },
		"length bad":   func(w http.ResponseWriter) { w.Header().Set("Content-Length", "x1"); io.WriteString(w, "hello") },
		"http.Error":   func(w http.ResponseWriter) { http.Error(w, "nope", http.StatusTeapot) },
		"http.Error with length": func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			http.Error(w, "an error occurred", http.StatusBadRequest)
		},
		"redirect": func(w http.ResponseWriter) {
			http.Redirect(w, &http.Request{Method: "GET", URL: mustURL("/a")}, "/b?x=1", http.StatusFound)
		},
		"204 with body": func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "12")
			w.WriteHeader(http.StatusNoContent)
			if _, err := io.WriteString(w, "not allowed"); err != http.ErrBodyNotAllowed {
				panic(fmt.Sprintf("Write on 204: %v", err))
			}
		},
		"304 with type": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "12")
			w.Header().Set("ETag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
		},
		"header after WriteHeader": func(w http.ResponseWriter) {
			w.Header().Set("X-Before", "1")
			w.WriteHeader(http.StatusCreated)
			w.Header().Set("X-After", "2")
			w.WriteHeader(http.StatusInternalServerError) // superfluous: ignored
			io.WriteString(w, "created")
		},
		"multi-valued and odd headers": func(w http.ResponseWriter) {
			h := w.Header()
			h.Add("Set-Cookie", "a=1")
			h.Add("Set-Cookie", "b=2")
			h.Set("X-Split", "line\r\nbreak")
			h["x-not-canonical"] = []string{"kept"}
			h["Bad Name"] = []string{"dropped"}
			h.Set("Connection", "close")
			io.WriteString(w, "odd")
		},
		"trailers declared": func(w http.ResponseWriter) {
			w.Header().Set("Trailer", "X-Sum, X-Count")
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "42")
			w.Header().Set("X-Count", "1")
		},
		"trailers prefixed": func(w http.ResponseWriter) {
			io.WriteString(w, "body")
			w.(http.Flusher).Flush()
			w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
		},
		"trailers with length": func(w http.ResponseWriter) {
			w.Header().Set("Trailer", "X-Sum")
			w.Header().Set("Content-Length", "4")
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "42")
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(w) })
			compareWithNetHTTP(t, h, bothModes, get("/"), "GET", 1)
		})
	}
}

// manyWrites writes n short lines.
func manyWrites(w io.Writer, n int) {
	for i := range n {
		fmt.Fprintf(w, "line %d\n", i)
	}
}

// HEAD: the head a GET would get, without the body: a Content-Length for
// what the handler wrote when it fits the buffer, none when it wrote
// nothing (it may have known it was HEAD), and none of the bytes
// (net/http's TestHeadResponses, TestHeadReaderFrom).
func TestBridgeAnswersHEADAsNetHTTP(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter){
		"small": func(w http.ResponseWriter) {
			io.WriteString(w, "<html>")
			io.Copy(w, struct{ io.Reader }{strings.NewReader("789a")})
		},
		"nothing":    func(w http.ResponseWriter) {},
		"large":      func(w http.ResponseWriter) { io.WriteString(w, strings.Repeat("a", 5000)) },
		"readfrom":   func(w http.ResponseWriter) { w.(io.ReaderFrom).ReadFrom(strings.NewReader(strings.Repeat("a", 4096))) },
		"length set": func(w http.ResponseWriter) { w.Header().Set("Content-Length", "1234") },
		"flushed":    func(w http.ResponseWriter) { io.WriteString(w, "x"); w.(http.Flusher).Flush() },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(w) })
			compareWithNetHTTP(t, h, bothModes, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD", 1)
		})
	}
}

// HTTP/1.0 clients: a small body with a Content-Length (the connection
// kept only if they asked for keep-alive), a large one delimited by
// closing the connection.
func TestBridgeAnswersHTTP10AsNetHTTP(t *testing.T) {
	small := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "small") })
	large := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Repeat("L", 10000)) })
	for _, raw := range []string{
		"GET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	} {
		compareWithNetHTTP(t, small, bothModes, raw, "GET", 1)
		compareWithNetHTTP(t, large, bothModes, raw, "GET", 1)
	}
}

// 1xx: WriteHeader(103) sends Early Hints at once with the header set so
// far, and the final response follows with its own (RFC 8297); an
// explicit 100 Continue before reading a body is one too.
func TestBridgeSendsEarlyHintsAsNetHTTP(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Add("Link", "</script.js>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>")
	})
	out := compareWithNetHTTP(t, h, bothModes, get("/"), "GET", 3)
	if out[0].Status != "103" || out[2].Status != "200" {
		t.Fatalf("statuses %q %q %q", out[0].Status, out[1].Status, out[2].Status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
