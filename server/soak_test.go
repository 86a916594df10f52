package server

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// soakStats counts what the soak's clients saw, by kind.
type soakStats struct {
	start      time.Time
	mu         sync.Mutex
	counts     map[string]int
	unexpected []string
}

func (s *soakStats) add(kind string) {
	s.mu.Lock()
	s.counts[kind]++
	s.mu.Unlock()
}

func (s *soakStats) fail(format string, args ...any) {
	s.mu.Lock()
	if len(s.unexpected) < 20 {
		at := time.Since(s.start).Round(time.Millisecond)
		s.unexpected = append(s.unexpected, fmt.Sprintf("at %v: ", at)+fmt.Sprintf(format, args...))
	}
	s.counts["unexpected"]++
	s.mu.Unlock()
}

// soakHandler: /echo answers the body's length, /later answers from a
// goroutine, /panic panics; the rest is Hello World.
func soakHandler(req *Request) *Future {
	switch req.URL.Path {
	case "/echo":
		return req.Respond(200, fmt.Sprint(len(req.Body)), nil)
	case "/later":
		go func() {
			time.Sleep(time.Duration(rand.Intn(3)) * time.Millisecond) // simulated work
			req.Respond(200, "later", nil)
		}()
		return nil
	case "/panic":
		panic("soak")
	}
	return hello(req)
}

// TestSoak runs a mix of good, pipelining, deferred, slow, malformed and
// vanishing clients against one server for SOAK_DURATION (default 5s;
// `make soak` runs 60s), then checks that nothing unexpected happened and
// that descriptors and heap are back to their baseline.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak skipped in -short mode")
	}
	d := 5 * time.Second
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("SOAK_DURATION: %v", err)
		}
	}
	// HeaderTimeout is short: the slow clients expect their 408. The other
	// timeouts are long: on a saturated machine (the soak saturates two
	// cores by itself) a goroutine can wait a second or more for a CPU,
	// and the server would rightly time out a client that did not read,
	// or a handler goroutine that did not run.
	ts := startServer(t, soakHandler, HeaderTimeout(200*time.Millisecond), IdleTimeout(10*time.Second),
		WriteTimeout(10*time.Second), HandlerTimeout(10*time.Second), MaxBody(1<<20), Logger(discardLogger()))
	liveness(t, ts)
	fdsBefore, heapBefore := openFDs(t), heapInUse()

	stats := &soakStats{start: time.Now(), counts: map[string]int{}}
	deadline := time.Now().Add(d)
	clients := []struct {
		n   int
		run func(addr string, rng *rand.Rand, s *soakStats)
	}{
		{6, soakGood}, {2, soakPipelined}, {2, soakDeferred},
		{2, soakSlow}, {2, soakMalformed}, {2, soakVanishing},
	}
	var wg sync.WaitGroup
	for ci, c := range clients {
		for i := 0; i < c.n; i++ {
			wg.Add(1)
			go func(seed int64) {
				defer wg.Done()
				rng := rand.New(rand.NewSource(seed))
				for time.Now().Before(deadline) {
					c.run(ts.addr, rng, stats)
				}
			}(int64(ci*100 + i))
		}
	}
	wg.Wait()

	liveness(t, ts)
	waitNoConnections(t, ts)
	fdsAfter, heapAfter := openFDs(t), heapInUse()
	served := 0
	for k, n := range stats.counts {
		if strings.HasPrefix(k, "ok") {
			served += n
		}
	}
	t.Logf("soak %v: %d requests served; outcomes %v; descriptors %d -> %d; heap in use %.1f -> %.1f MiB",
		d, served, stats.counts, fdsBefore, fdsAfter, float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20))
	for _, u := range stats.unexpected {
		t.Error(u)
	}
	if fdsAfter > fdsBefore {
		t.Errorf("descriptors leaked: %d -> %d", fdsBefore, fdsAfter)
	}
	if heapAfter > heapBefore+16<<20 {
		t.Errorf("heap grew from %d to %d bytes", heapBefore, heapAfter)
	}
	if served == 0 {
		t.Error("nothing was served")
	}
}

func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func soakConn(addr string, s *soakStats) (net.Conn, *bufio.Reader) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		s.fail("dial: %v", err)
		return nil, nil
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// soakGood sends keep-alive requests, some with bodies, some panicking.
func soakGood(addr string, rng *rand.Rand, s *soakStats) {
	c, br := soakConn(addr, s)
	if c == nil {
		return
	}
	defer c.Close()
	for i := 0; i < 20; i++ {
		body := strings.Repeat("b", rng.Intn(3)*rng.Intn(5000))
		path, want := "/echo", fmt.Sprint(len(body))
		if rng.Intn(50) == 0 {
			path, want = "/panic", "Internal Server Error"
		}
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			s.fail("good client: %v", err)
			return
		}
		got, _ := io.ReadAll(resp.Body)
		if string(got) != want {
			s.fail("good client: %s got %d %q, want %q", path, resp.StatusCode, got, want)
			return
		}
		if path == "/panic" {
			s.add("ok-500-panic")
		} else {
			s.add("ok-keepalive")
		}
	}
}

func soakPipelined(addr string, rng *rand.Rand, s *soakStats) {
	c, br := soakConn(addr, s)
	if c == nil {
		return
	}
	defer c.Close()
	depth := 1 + rng.Intn(16)
	io.WriteString(c, strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", depth))
	for i := 0; i < depth; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			s.fail("pipelined client: %v %v", resp, err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		s.add("ok-pipelined")
	}
}

func soakDeferred(addr string, rng *rand.Rand, s *soakStats) {
	c, br := soakConn(addr, s)
	if c == nil {
		return
	}
	defer c.Close()
	io.WriteString(c, "GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /later HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := 0; i < 2; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			s.fail("deferred client: %v", err)
			return
		}
		if got, _ := io.ReadAll(resp.Body); string(got) != "later" {
			s.fail("deferred client: %q", got)
			return
		}
		s.add("ok-deferred")
	}
}

// soakSlow trickles a head more slowly than HeaderTimeout allows.
func soakSlow(addr string, rng *rand.Rand, s *soakStats) {
	c, br := soakConn(addr, s)
	if c == nil {
		return
	}
	defer c.Close()
	go func() {
		for _, b := range []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890\r\n\r\n") {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond) // the slow client's pace
		}
	}()
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 408 {
		s.fail("slow client: %v %v", resp, err)
		return
	}
	s.add("expected-408")
}

func soakMalformed(addr string, rng *rand.Rand, s *soakStats) {
	c, br := soakConn(addr, s)
	if c == nil {
		return
	}
	defer c.Close()
	junk := make([]byte, 1+rng.Intn(200))
	rng.Read(junk)
	bad := []string{
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
		"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
		string(junk) + "\r\n\r\n",
	}[rng.Intn(4)]
	io.WriteString(c, bad)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		s.fail("malformed client: %v (sent %q)", err, bad)
		return
	}
	if resp.StatusCode < 400 {
		s.fail("malformed client: %d for %q", resp.StatusCode, bad)
		return
	}
	s.add(fmt.Sprintf("expected-%d", resp.StatusCode))
}

// soakVanishing connects, sends part of a request, and resets.
func soakVanishing(addr string, rng *rand.Rand, s *soakStats) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		s.fail("dial: %v", err)
		return
	}
	partial := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nsome of the body"
	io.WriteString(c, partial[:rng.Intn(len(partial))])
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	s.add("vanished")
}
