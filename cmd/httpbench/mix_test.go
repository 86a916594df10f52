package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// seenRequest is what a test server noted about one request.
type seenRequest struct {
	method, uri, body, key string
	chunked                bool
	length                 int64
}

// recordingServer answers every request with 200 and notes it.
func recordingServer(t *testing.T) (*httptest.Server, func() []seenRequest) {
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, seenRequest{r.Method, r.RequestURI, string(b), r.Header.Get("X-Key"),
			slices.Contains(r.TransferEncoding, "chunked"), r.ContentLength})
		mu.Unlock()
		w.Header().Set("Content-Length", "0")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// TestRequestMix sends a mix of three requests, weighted 3:1:1, with
// placeholders, a Content-Length body and a chunked one, and checks what
// the server received.
func TestRequestMix(t *testing.T) {
	srv, seen := recordingServer(t)
	file := filepath.Join(t.TempDir(), "mix.jsonl")
	mix := `# a comment, then a blank line

{"url": "/get/{seq}", "weight": 3}
{"method": "POST", "url": "/items?id={seq}", "headers": ["X-Key: k{rand}"], "body": "{\"id\": {seq}, \"r\": \"{rand}\"}"}
{"method": "PUT", "url": "` + srv.URL + `/up/{seq}", "body": "0123456789abcdef-{seq}", "chunked": true, "chunk_size": 5}
`
	if err := os.WriteFile(file, []byte(mix), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runBench(t, "-c", "3", "-p", "2", "-n", "50", "-requests", file, srv.URL)
	wantCounts(t, res, 50, nil)
	got := seen()
	kinds := map[string]int{}
	seqs := map[int]bool{}
	for _, r := range got {
		kinds[r.method]++
		var seq int
		switch r.method {
		case "GET":
			seq = atoi(t, strings.TrimPrefix(r.uri, "/get/"))
		case "POST":
			seq = atoi(t, strings.TrimPrefix(r.uri, "/items?id="))
			// One {rand} per request: the header and the body agree.
			want := `{"id": ` + strconv.Itoa(seq) + `, "r": "` + strings.TrimPrefix(r.key, "k") + `"}`
			if r.body != want || r.chunked || r.length != int64(len(want)) || len(r.key) < 2 {
				t.Errorf("POST %s: body %q (length %d, chunked %v), X-Key %q; want %q", r.uri, r.body, r.length, r.chunked, r.key, want)
			}
		case "PUT":
			seq = atoi(t, strings.TrimPrefix(r.uri, "/up/"))
			if want := "0123456789abcdef-" + strconv.Itoa(seq); r.body != want || !r.chunked {
				t.Errorf("PUT %s: body %q, chunked %v; want %q chunked", r.uri, r.body, r.chunked, want)
			}
		}
		if seqs[seq] {
			t.Errorf("{seq} %d sent twice", seq)
		}
		seqs[seq] = true
	}
	if kinds["GET"] != 30 || kinds["POST"] != 10 || kinds["PUT"] != 10 {
		t.Errorf("mix %v, want 30 GET, 10 POST, 10 PUT (weights 3:1:1)", kinds)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Errorf("%q: %v", s, err)
	}
	return n
}

// TestMixWithHead: HEAD requests in a mix get responses without bodies;
// the parser must know which response answers which request.
func TestMixWithHead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "11")
		io.WriteString(w, "Hello World")
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "mix.jsonl")
	os.WriteFile(file, []byte(`{"method": "HEAD"}`+"\n"+`{"method": "GET"}`+"\n"), 0o644)
	res := runBench(t, "-c", "2", "-p", "4", "-n", "40", "-t", "2s", "-requests", file, srv.URL)
	wantCounts(t, res, 40, nil)
}

// TestChunkedFlag sends -body chunked.
func TestChunkedFlag(t *testing.T) {
	srv, seen := recordingServer(t)
	res := runBench(t, "-c", "1", "-n", "3", "-m", "POST", "-body", "hello", "-chunked", srv.URL)
	wantCounts(t, res, 3, nil)
	for _, r := range seen() {
		if r.body != "hello" || !r.chunked {
			t.Errorf("got %+v, want a chunked hello", r)
		}
	}
}

func TestBadMixes(t *testing.T) {
	tg, err := parseTarget("http://127.0.0.1:8080/")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config{method: "GET", keepAlive: true, pipeline: 1}
	for _, c := range []struct{ mix, err string }{
		{`{"url": "/", "speed": 3}`, "unknown field"},
		{`{"url": "http://elsewhere:1/"}`, "not on 127.0.0.1:8080"},
		{`{"url": "no-slash"}`, "want a path"},
		{`{"url": "/a b"}`, "white space"},
		{`{"method": "G T"}`, "not a token"},
		{`{"headers": ["Content-Length: 3"]}`, "frames the body"},
		{`{"chunk_size": 4}`, "needs \"chunked\""},
		{`{"weight": -1}`, "weight"},
		{`# nothing`, "no requests"},
		{`{"url": `, "line 1"},
	} {
		if _, _, err := parseMix([]byte(c.mix), cfg, tg); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseMix(%s): error %v, want one containing %q", c.mix, err, c.err)
		}
	}
}

func TestSplitPlaceholders(t *testing.T) {
	got := splitPlaceholders(`{"a": {seq}, "b": {rand}{seq}} {x`)
	want := []piece{{lit: `{"a": `}, {ph: phSeq}, {lit: `, "b": `}, {ph: phRand}, {ph: phSeq}, {lit: `} {x`}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
