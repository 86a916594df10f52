package nginx

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNginxInFront starts two instances (cmd/instance) and real nginx in
// front of them, with nginx.conf as shipped (only its addresses and worker
// count changed: testConf), and checks what the config promises, from a
// client's side and from the instances'. The subtests run in order: the
// first ones rely on each instance having a single upstream connection
// (sequential requests, one worker), and the last one kills an instance.
func TestNginxInFront(t *testing.T) {
	findNginx(t) // skip before building anything
	dir := t.TempDir()
	bin := buildInstance(t, dir)
	a := startInstance(t, bin, dir, "a")
	b := startInstance(t, bin, dir, "b")
	f := startNginx(t, dir, a.addr, b.addr)

	t.Run("ProxyHeaders", func(t *testing.T) {
		c := newClient(t)
		req, _ := http.NewRequest("GET", f.base+"/whoami", nil)
		req.Host = "app.example"
		req.Header.Set("X-Forwarded-For", "203.0.113.7") // what the client claims
		resp, w := whoami(t, c, req)
		if !strings.HasPrefix(resp.Header.Get("Server"), "nginx") {
			t.Errorf("Server: %q: the response did not come through nginx", resp.Header.Get("Server"))
		}
		for _, check := range []struct{ what, got, want string }{
			{"Host", w.Host, "app.example"}, // the client's, not the upstream's name
			{"X-Real-IP", w.XRealIP, "127.0.0.1"},
			{"X-Forwarded-For", w.XForwardedFor, "203.0.113.7, 127.0.0.1"}, // nginx appends the client's address
			{"X-Forwarded-Proto", w.XForwardedProto, "http"},
			{"protocol", w.Proto, "HTTP/1.1"},                    // proxy_http_version 1.1
			{"Connection", w.Connection, ""},                     // dropped: the upstream connection stays open
			{"peer", strings.Split(w.Peer, ":")[0], "127.0.0.1"}, // nginx
		} {
			if check.got != check.want {
				t.Errorf("the instance's %s is %q, want %q", check.what, check.got, check.want)
			}
		}
	})

	t.Run("KeepAliveClientBalancedOverReusedUpstreamConnections", func(t *testing.T) {
		const n = 100
		c := newClient(t)
		served := map[string]int{}
		upstream := map[string]map[string]bool{a.id: {}, b.id: {}}
		for range n {
			_, w := whoami(t, c, get(f.base+"/whoami"))
			served[w.Instance]++
			upstream[w.Instance][w.Peer] = true
		}
		t.Logf("%d requests over %d client connection(s): a served %d over %d upstream connection(s), b %d over %d",
			n, c.dials.Load(), served[a.id], len(upstream[a.id]), served[b.id], len(upstream[b.id]))
		if d := c.dials.Load(); d != 1 {
			t.Errorf("the client opened %d connections to nginx for %d sequential requests, want 1", d, n)
		}
		for _, id := range []string{a.id, b.id} {
			if served[id] < n/4 {
				t.Errorf("instance %s served %d of %d requests: not balanced (round-robin gives each half)", id, served[id], n)
			}
			// Sequential requests need one connection per instance; without
			// keep-alive upstream, every request would open its own.
			if len(upstream[id]) != 1 {
				t.Errorf("instance %s saw %d upstream connections for %d sequential requests, want 1: nginx does not reuse them", id, len(upstream[id]), served[id])
			}
		}
	})

	t.Run("ConnectionCloseFromTheClient", func(t *testing.T) {
		// By hand, to see the connection end: nginx answers, says close,
		// and closes; the instance sees none of it, and its connection
		// stays in nginx's pool. That pool holds one connection per
		// instance (the requests so far came one at a time).
		c := newClient(t)
		pooled := map[string]bool{}
		for range 4 {
			_, w := whoami(t, c, get(f.base+"/whoami"))
			pooled[w.Instance+" "+w.Peer] = true
		}
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(f.base, "http://"), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(conn, "GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(conn) // returns at the end of the connection
		if err != nil {
			t.Fatalf("reading until nginx closes the connection: %v (after %d bytes): it stayed open", err, len(raw))
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("parsing %q: %v", raw, err)
		}
		body, _ := io.ReadAll(resp.Body)
		var w Whoami
		if err := json.Unmarshal(body, &w); resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET /whoami with Connection: close: %s %q", resp.Status, body)
		}
		if !resp.Close {
			t.Errorf("nginx answered without Connection: close: %q", resp.Header.Get("Connection"))
		}
		if w.Connection != "" {
			t.Errorf("the client's Connection: %q reached the instance", w.Connection)
		}
		if !pooled[w.Instance+" "+w.Peer] {
			t.Errorf("instance %s answered on a new upstream connection (%s), not the one nginx keeps for it", w.Instance, w.Peer)
		}
		// The upstream connections survive the client's close: the next
		// requests still come on them.
		for range 10 {
			if _, w := whoami(t, c, get(f.base+"/whoami")); !pooled[w.Instance+" "+w.Peer] {
				t.Errorf("after a client's Connection: close, instance %s was reached over a new upstream connection (%s)", w.Instance, w.Peer)
			}
		}
	})

	t.Run("ConnectionCloseFromAnInstance", func(t *testing.T) {
		// The instance ends its upstream connection after the response:
		// nginx must drop it from the pool (a POST sent on it would get a
		// 502: nginx does not retry one), and the client's connection to
		// nginx stays open. Round-robin sends the POSTs to both instances.
		c := newClient(t)
		resp, closed := whoami(t, c, get(f.base+"/close"))
		if resp.Close {
			t.Errorf("instance %s's Connection: close reached the client", closed.Instance)
		}
		served := map[string]int{}
		for i := range 10 {
			body := fmt.Sprintf("post %d after instance %s closed a connection", i, closed.Instance)
			resp, got := send(t, c, post(f.base+"/echo", strings.NewReader(body)))
			if string(got) != body {
				t.Errorf("POST /echo %d: %q", i, got)
			}
			served[resp.Header.Get("X-Instance")]++
		}
		if served[closed.Instance] == 0 {
			t.Errorf("no POST reached instance %s: %v", closed.Instance, served)
		}
		if d := c.dials.Load(); d != 1 {
			t.Errorf("the client needed %d connections to nginx, want 1", d)
		}
	})

	t.Run("ConcurrentClientsShareTheUpstreamPool", func(t *testing.T) {
		const workers, each = 8, 50
		c := newClient(t)
		var mu sync.Mutex
		served := map[string]int{}
		upstream := map[string]bool{}
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					resp, body, err := fetch(c, get(f.base+"/whoami"))
					var w Whoami
					if err == nil && (resp.StatusCode != http.StatusOK || json.Unmarshal(body, &w) != nil) {
						err = fmt.Errorf("%s %q", resp.Status, body)
					}
					if err != nil {
						t.Errorf("GET /whoami: %v", err)
						return
					}
					mu.Lock()
					served[w.Instance]++
					upstream[w.Instance+" "+w.Peer] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		t.Logf("%d requests from %d concurrent clients over %d client connections: a served %d, b %d, over %d upstream connections",
			workers*each, workers, c.dials.Load(), served[a.id], served[b.id], len(upstream))
		for _, id := range []string{a.id, b.id} {
			if served[id] < workers*each/4 {
				t.Errorf("instance %s served %d of %d requests: not balanced", id, served[id], workers*each)
			}
		}
		// At most one upstream connection per request in flight, per
		// instance; the pool (keepalive 32) keeps them all.
		if len(upstream) > 2*workers {
			t.Errorf("%d upstream connections for %d requests, %d at a time: nginx does not reuse them", len(upstream), workers*each, workers)
		}
	})

	t.Run("LargeBodies", func(t *testing.T) {
		c := newClient(t)
		up := make([]byte, 20<<20)
		rand.NewChaCha8([32]byte{1}).Read(up)
		want := sha256.Sum256(up)
		for _, chunked := range []bool{false, true} {
			var body io.Reader = bytes.NewReader(up)
			if chunked {
				body = struct{ io.Reader }{body} // a length Go cannot see: Transfer-Encoding: chunked
			}
			req := post(f.base+"/echo", body)
			if chunked {
				req.ContentLength = -1
			}
			resp, got := send(t, c, req)
			if sha256.Sum256(got) != want {
				t.Errorf("a %d MiB upload (chunked: %v) came back as %d bytes (%s) that differ", len(up)>>20, chunked, len(got), resp.Status)
			}
		}
		const n = 50 << 20
		resp, body, err := fetch(c, get(fmt.Sprintf("%s/bytes?n=%d", f.base, n)))
		if err != nil {
			t.Fatal(err)
		}
		sent := make([]byte, n)
		io.ReadFull(Bytes(), sent)
		if resp.StatusCode != http.StatusOK || resp.ContentLength != n || sha256.Sum256(body) != sha256.Sum256(sent) {
			t.Errorf("a %d MiB download: %s, Content-Length %d, %d bytes, not what the instance sent", n>>20, resp.Status, resp.ContentLength, len(body))
		}
		if d := c.dials.Load(); d != 1 {
			t.Errorf("the client needed %d connections to nginx for the large bodies, want 1", d)
		}
	})

	t.Run("KilledInstanceRoutedAround", func(t *testing.T) {
		b.cmd.Process.Kill() // SIGKILL: a crash, no goodbye
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			t.Fatal("instance b survived SIGKILL for 10 s")
		}
		c := newClient(t)
		const tag = "after-the-kill" // in the query: these requests' lines in nginx's access log
		requests := 0
		check := func(resp *http.Response, err error) {
			if err != nil {
				t.Error(err)
			} else if id := resp.Header.Get("X-Instance"); resp.StatusCode != http.StatusOK || id != a.id {
				t.Errorf("with instance b killed: %s from instance %q, want 200 from a", resp.Status, id)
			}
		}
		// GETs first: on a connection the dead instance left in the pool, a
		// GET is retried on the other instance, a POST would not be.
		for range 20 {
			resp, _, err := fetch(c, get(f.base+"/whoami?"+tag))
			check(resp, err)
			requests++
		}
		for i := range 10 {
			body := fmt.Sprintf("post %d with one instance down", i)
			resp, got, err := fetch(c, post(f.base+"/echo?"+tag, strings.NewReader(body)))
			if err == nil && string(got) != body {
				err = fmt.Errorf("POST /echo: %q", got)
			}
			check(resp, err)
			requests++
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 10 {
					resp, _, err := fetch(c, get(f.base+"/whoami?"+tag))
					check(resp, err)
				}
			})
		}
		wg.Wait()
		requests += 40

		// nginx's access log shows it tried the dead instance and went on
		// to the live one within the same request. Its lines are written
		// as requests end, maybe just after the client has its response.
		var lines []string
		deadline := time.Now().Add(5 * time.Second)
		for {
			lines = lines[:0]
			for _, l := range strings.Split(f.read("logs/access.log"), "\n") {
				if strings.Contains(l, tag) {
					lines = append(lines, l)
				}
			}
			if len(lines) >= requests || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond) // polling a file nginx appends to
		}
		if len(lines) != requests {
			t.Fatalf("nginx logged %d requests after the kill, want %d", len(lines), requests)
		}
		upstreamField := regexp.MustCompile(`upstream=(.*) upstream_status=(.*) connect=`)
		rerouted := ""
		for _, l := range lines {
			m := upstreamField.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("access log line without the upstream fields: %q", l)
			}
			if m[1] == b.addr+", "+a.addr {
				rerouted = l
			}
		}
		if rerouted == "" {
			t.Errorf("no request went to the dead instance b and on to a: %d log lines, the first %q", len(lines), lines[0])
		} else {
			t.Logf("routed around instance b: %s", rerouted)
		}
	})
}

// client is a keep-alive HTTP client of its own (no proxy from the
// environment: only 127.0.0.1 is spoken to), which counts the connections
// it opens.
type client struct {
	*http.Client
	dials atomic.Int32
}

func newClient(t *testing.T) *client {
	c := &client{}
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c.dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 16,
		DisableCompression:  true,
	}
	c.Client = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

func get(url string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		panic(err)
	}
	return req
}

func post(url string, body io.Reader) *http.Request {
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		panic(err)
	}
	return req
}

// fetch sends req and reads the whole response; safe in goroutines.
func fetch(c *client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading the body: %w", req.Method, req.URL.Path, err)
	}
	return resp, body, nil
}

// send is fetch for the test's goroutine: anything but a 200 fails it.
func send(t *testing.T, c *client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := fetch(c, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s %.200q", req.Method, req.URL.Path, resp.Status, body)
	}
	return resp, body
}

// whoami sends req (GET /whoami or /close) and decodes the instance's
// answer, which must name the instance the X-Instance header names.
func whoami(t *testing.T, c *client, req *http.Request) (*http.Response, Whoami) {
	t.Helper()
	resp, body := send(t, c, req)
	var w Whoami
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatalf("%s %s: %v in %q", req.Method, req.URL.Path, err, body)
	}
	if w.Instance == "" || w.Instance != resp.Header.Get("X-Instance") {
		t.Fatalf("%s %s: instance %q, X-Instance %q", req.Method, req.URL.Path, w.Instance, resp.Header.Get("X-Instance"))
	}
	return resp, w
}
