package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runBench runs httpbench in-process with a command line and returns what
// it measured.
func runBench(t *testing.T, args ...string) *result {
	t.Helper()
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags(%q): %v", args, err)
	}
	tg, err := parseTarget(cfg.url)
	if err != nil {
		t.Fatalf("parseTarget(%q): %v", cfg.url, err)
	}
	reqs, err := loadTemplates(cfg, tg)
	if err != nil {
		t.Fatalf("loadTemplates: %v", err)
	}
	res, err := bench(cfg, tg, reqs, io.Discard)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	return res
}

// wantCounts checks a result's request and error counts.
func wantCounts(t *testing.T, res *result, requests int64, errs map[errKind]int64) {
	t.Helper()
	if res.requests != requests {
		t.Errorf("requests = %d, want %d", res.requests, requests)
	}
	for k := range numKinds {
		if res.errors[k] != errs[k] {
			t.Errorf("%s errors = %d, want %d", k, res.errors[k], errs[k])
		}
	}
	if got := res.latency.Count(); got != uint64(res.requests) {
		t.Errorf("latency histogram holds %d values for %d requests", got, res.requests)
	}
}

// helloHandler answers like cmd/hello and counts what it answers.
func helloHandler(n *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Length", "11")
		io.WriteString(w, "Hello World")
	}
}

func TestKeepAliveExactCount(t *testing.T) {
	var served atomic.Int64
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(helloHandler(&served))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	res := runBench(t, "-c", "8", "-n", "1000", srv.URL+"/x?y=1")
	wantCounts(t, res, 1000, nil)
	if served.Load() != 1000 {
		t.Errorf("server answered %d requests, want 1000", served.Load())
	}
	if conns.Load() != 8 {
		t.Errorf("server saw %d connections, want 8 (keep-alive)", conns.Load())
	}
	// net/http adds a Date header of fixed length: every response is the
	// same size, and the bytes counted are exactly 1000 of them.
	resp := responseSize(t, srv.URL)
	if res.bytes != 1000*resp {
		t.Errorf("bytes = %d, want 1000 × %d", res.bytes, resp)
	}
	if res.elapsed <= 0 {
		t.Errorf("elapsed = %v", res.elapsed)
	}
}

// responseSize returns the length of one raw response from url.
func responseSize(t *testing.T, url string) int64 {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	// Connection: close adds its own header; take it out again.
	return int64(len(b) - len("Connection: close\r\n"))
}

func TestMultipleLoopsShareTheBudget(t *testing.T) {
	srv, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	res := runBench(t, "-c", "7", "-loops", "3", "-n", "1001", "-p", "3", url)
	wantCounts(t, res, 1001, nil)
	if srv.requests.Load() != 1001 {
		t.Errorf("server answered %d requests, want 1001", srv.requests.Load())
	}
}

func TestPipelining(t *testing.T) {
	srv, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	res := runBench(t, "-c", "4", "-p", "16", "-n", "1000", url)
	wantCounts(t, res, 1000, nil)
	if srv.requests.Load() != 1000 {
		t.Errorf("server answered %d requests, want 1000", srv.requests.Load())
	}
	if b := srv.maxBatch.Load(); b < 2 || b > 16 {
		t.Errorf("server read at most %d requests at once, want 2 to 16", b)
	}
	if want := int64(1000 * len("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")); res.bytes != want {
		t.Errorf("bytes = %d, want %d", res.bytes, want)
	}
}

// TestPipelinedLatencies: a server that answers the requests of a batch
// one by one, 10 ms apart, must show latencies of about 10, 20, 30 and
// 40 ms, not the batch's single figure (nor wrk's 0).
func TestPipelinedLatencies(t *testing.T) {
	const gap = 10 * time.Millisecond
	url := startRawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			for i := 1; i <= 4; i++ {
				if _, err := http.ReadRequest(r); err != nil {
					return
				}
			}
			for i := 0; i < 4; i++ {
				time.Sleep(gap) // the server's pace is what is measured
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			}
		}
	})
	res := runBench(t, "-c", "1", "-p", "4", "-n", "8", url)
	wantCounts(t, res, 8, nil)
	h := &res.latency
	// Only lower bounds are firm: a busy machine makes everything later.
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0, gap}, {0.25, gap}, {0.5, 2 * gap}, {0.75, 3 * gap}, {1, 4 * gap}} {
		if got := time.Duration(h.Quantile(c.q)); got < c.want {
			t.Errorf("latency quantile %v = %v, want at least %v", c.q, got, c.want)
		}
	}
}

func TestChurnOpensAConnectionPerRequest(t *testing.T) {
	var served, conns, closeHeaders atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Close {
			closeHeaders.Add(1)
		}
		helloHandler(&served)(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	res := runBench(t, "-c", "4", "-k=false", "-n", "200", srv.URL)
	wantCounts(t, res, 200, nil)
	if conns.Load() != 200 || closeHeaders.Load() != 200 {
		t.Errorf("server saw %d connections, %d requests with Connection: close; want 200, 200",
			conns.Load(), closeHeaders.Load())
	}
}

func TestStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	defer srv.Close()
	res := runBench(t, "-c", "2", "-n", "50", srv.URL)
	wantCounts(t, res, 50, map[errKind]int64{kindStatus: 50})
	var stdout bytes.Buffer
	if code := run([]string{"-c", "2", "-n", "5", srv.URL}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	for _, want := range []string{"status 5, parse 0", "first status error: status 500"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestHeadRequests: a response to HEAD carries Content-Length but no
// body; waiting for one would time out.
func TestHeadRequests(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(helloHandler(&served))
	defer srv.Close()
	res := runBench(t, "-c", "2", "-n", "20", "-m", "HEAD", "-t", "2s", srv.URL)
	wantCounts(t, res, 20, nil)
}

func TestTimeouts(t *testing.T) {
	url := startRawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) }) // never answers
	start := time.Now()
	res := runBench(t, "-c", "2", "-p", "2", "-n", "8", "-t", "100ms", url)
	wantCounts(t, res, 0, map[errKind]int64{kindTimeout: 8})
	// Two rounds of two connections, each timing out after 100 ms (noticed
	// within 10 ms more); allow plenty for a busy machine, but not 5 s.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("run took %v", d)
	}
}

func TestTimedRunAgainstSilentServerEnds(t *testing.T) {
	url := startRawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	start := time.Now()
	res := runBench(t, "-c", "2", "-d", "300ms", "-t", "100ms", url)
	if res.requests != 0 || res.errors[kindTimeout] < 2 {
		t.Errorf("requests %d, timeouts %d; want 0 and at least 2", res.requests, res.errors[kindTimeout])
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a 300ms run took %v", d)
	}
}

func TestConnectErrors(t *testing.T) {
	url := closedPortURL(t)
	res := runBench(t, "-c", "3", "-p", "4", "-n", "10", url)
	wantCounts(t, res, 0, map[errKind]int64{kindConnect: 10})
	if err := res.first[kindConnect]; err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("first connect error = %v, want connection refused", err)
	}
}

func TestTimedRun(t *testing.T) {
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	res := runBench(t, "-c", "4", "-d", "1s", url)
	// Some requests within a second, unless the machine is starving us.
	if res.requests == 0 || res.errorTotal() != 0 {
		t.Errorf("requests %d, errors %d", res.requests, res.errorTotal())
	}
	if res.elapsed < 1 || res.elapsed > 5 {
		t.Errorf("elapsed %.3fs for -d 1s", res.elapsed)
	}
}

// TestFramings runs against servers that frame their bodies in each of
// the ways HTTP/1.1 allows, and close connections in each of the ways it
// allows; counts must stay exact.
func TestFramings(t *testing.T) {
	cases := []struct {
		name string
		resp string // the answer to every request
		conn bool   // the server closes the connection after each answer
	}{
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", true},
		{"body to end of file", "HTTP/1.0 200 OK\r\n\r\nuntil the end", true},
		{"interim 100", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var served atomic.Int64
			url := startRawServer(t, func(c net.Conn) {
				r := bufio.NewReader(c)
				for {
					if _, err := http.ReadRequest(r); err != nil {
						return
					}
					served.Add(1)
					io.WriteString(c, tc.resp)
					if tc.conn {
						return
					}
				}
			})
			// Pipelining 3 deep: after a closing answer, the two requests
			// behind it must be sent again, not counted as errors.
			res := runBench(t, "-c", "2", "-p", "3", "-n", "30", url)
			wantCounts(t, res, 30, nil)
			if served.Load() != 30 {
				t.Errorf("server answered %d requests, want 30", served.Load())
			}
			if res.bytes != int64(30*len(tc.resp)) {
				t.Errorf("bytes = %d, want 30 × %d", res.bytes, len(tc.resp))
			}
		})
	}
}

func TestMalformedResponses(t *testing.T) {
	url := startRawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			if _, err := http.ReadRequest(r); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
		}
	})
	res := runBench(t, "-c", "2", "-n", "10", url)
	wantCounts(t, res, 0, map[errKind]int64{kindParse: 10})
}

func TestServerClosingEarlyIsAReadError(t *testing.T) {
	url := startRawServer(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n') // read a little, then hang up
	})
	res := runBench(t, "-c", "2", "-n", "10", url)
	wantCounts(t, res, 0, map[errKind]int64{kindRead: 10})
}

func TestRequestOnTheWire(t *testing.T) {
	got := make(chan *http.Request, 1)
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		got <- r
	}))
	defer srv.Close()
	res := runBench(t, "-c", "1", "-n", "1", "-m", "POST", "-body", "a=1",
		"-H", "X-One: 1", "-H", "X-Two:  two ", srv.URL+"/p/a%20th?q=1&r")
	wantCounts(t, res, 1, nil)
	r := <-got
	if r.Method != "POST" || r.RequestURI != "/p/a%20th?q=1&r" || string(body) != "a=1" ||
		r.Header.Get("X-One") != "1" || r.Header.Get("X-Two") != "two" ||
		r.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("server got %s %s Host %s headers %v body %q", r.Method, r.RequestURI, r.Host, r.Header, body)
	}
}

// TestJSONOutput checks the schema the bench harness parses: exactly one
// JSON object on stdout, with these keys and types.
func TestJSONOutput(t *testing.T) {
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-c", "2", "-n", "100", "-json", url}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if dec.More() {
		t.Fatal("more than one JSON value on stdout")
	}
	numbers := []string{"requests", "duration_s", "rps", "bytes", "transfer_per_s"}
	for _, k := range numbers {
		if _, ok := obj[k].(float64); !ok {
			t.Errorf("%q is %T, want a number", k, obj[k])
		}
	}
	wantKeys := map[string][]string{
		"latency_us": {"p50", "p90", "p99", "p999", "max"},
		"errors":     {"connect", "read", "timeout", "status", "parse"},
	}
	for outer, inner := range wantKeys {
		m, ok := obj[outer].(map[string]any)
		if !ok {
			t.Fatalf("%q is %T, want an object", outer, obj[outer])
		}
		for _, k := range inner {
			if _, ok := m[k].(float64); !ok {
				t.Errorf("%s.%s is %T, want a number", outer, k, m[k])
			}
		}
	}
	if obj["requests"] != 100.0 || obj["duration_s"].(float64) <= 0 || obj["rps"].(float64) <= 0 {
		t.Errorf("requests %v, duration_s %v, rps %v", obj["requests"], obj["duration_s"], obj["rps"])
	}
	if l := obj["latency_us"].(map[string]any); !(l["p50"].(float64) > 0 && l["p50"].(float64) <= l["max"].(float64)) {
		t.Errorf("latency_us = %v", l)
	}
}

func TestTextOutput(t *testing.T) {
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-c", "2", "-n", "100", url}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", stderr.String())
	}
	for _, want := range []string{"Running 100 requests @ " + url, "p99.9", "100 requests in",
		"Requests/sec:", "Transfer/sec:", "Errors: connect 0, read 0, timeout 0, status 0, parse 0"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestZeroAllocationsPerRequest measures the marginal allocations of a
// request in steady state: the difference between a long and a short run,
// divided by the difference in requests, so that start-up cancels out.
func TestZeroAllocationsPerRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("counts allocations over 24,000 requests")
	}
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	mallocs := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res := runBench(t, "-c", "4", "-p", "2", "-n", fmt.Sprint(n), url)
		runtime.ReadMemStats(&after)
		if res.requests != int64(n) {
			t.Fatalf("requests = %d, want %d", res.requests, n)
		}
		return after.Mallocs - before.Mallocs
	}
	mallocs(1000) // warm up: first-use allocations of the runtime and poller
	// The smaller of a few tries, as anything else in the process (the
	// testing package, the garbage collector) may allocate meanwhile.
	var per []float64
	for range 3 {
		short, long := mallocs(2000), mallocs(22000)
		per = append(per, (float64(long)-float64(short))/20000)
	}
	sort.Float64s(per)
	t.Logf("allocations per request: %v", per)
	if per[0] > 0.01 {
		t.Fatalf("%.3f allocations per request in steady state (tries: %v), want 0", per[0], per)
	}
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		args []string
		want config
		err  string
	}{
		{args: []string{"http://127.0.0.1:1/"}, want: config{url: "http://127.0.0.1:1/", conns: 64,
			duration: 10 * time.Second, pipeline: 1, keepAlive: true, method: "GET", timeout: 5 * time.Second, loops: 1}},
		{args: []string{"http://127.0.0.1:1/", "-c", "3", "-n", "9", "-d", "1s", "-loops", "8"},
			want: config{url: "http://127.0.0.1:1/", conns: 3, total: 9, duration: time.Second, pipeline: 1,
				keepAlive: true, method: "GET", timeout: 5 * time.Second, loops: 3}},
		{args: []string{"-k=false", "-p", "2", "http://x/"}, err: "cannot pipeline"},
		{args: []string{"-H", "bad header", "http://x/"}, err: "bad header"},
		{args: []string{"-H", "Content-Length: 3", "http://x/"}, err: "frames the body"},
		{args: []string{"-m", "G T", "http://x/"}, err: "not a valid method"},
		{args: []string{"-c", "0", "http://x/"}, err: "at least one connection"},
		{args: []string{}, err: "want one URL"},
		{args: []string{"http://a/", "http://b/"}, err: "want one URL"},
	}
	for _, tc := range cases {
		cfg, err := parseFlags(tc.args, io.Discard)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseFlags(%q): error %v, want one containing %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFlags(%q): %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(*cfg, tc.want) {
			t.Errorf("parseFlags(%q) = %+v, want %+v", tc.args, *cfg, tc.want)
		}
	}
}

func TestBadURLs(t *testing.T) {
	for _, u := range []string{"https://127.0.0.1/", "127.0.0.1:80", "http:///x", "http://127.0.0.1:99999/", "http://u:p@127.0.0.1/"} {
		if _, err := parseTarget(u); err == nil {
			t.Errorf("parseTarget(%q) succeeded", u)
		}
	}
	tg, err := parseTarget("http://[::1]:8080/a?b")
	if err != nil || tg.ip.String() != "::1" || tg.port != 8080 || tg.host != "[::1]:8080" || tg.requestURI != "/a?b" {
		t.Errorf("parseTarget(IPv6) = %+v, %v", tg, err)
	}
}

func TestBudgetShare(t *testing.T) {
	for _, c := range []struct {
		total        int64
		conns, loops int
	}{{10, 3, 3}, {1001, 7, 3}, {5, 64, 2}, {1, 2, 2}} {
		var sum int64
		for i := range c.loops {
			sum += budgetShare(c.total, c.conns, c.loops, i)
		}
		if sum != c.total {
			t.Errorf("budgetShare(%d, %d conns, %d loops) sums to %d", c.total, c.conns, c.loops, sum)
		}
	}
}
