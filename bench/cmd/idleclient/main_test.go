package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// helloServer is a Hello World server that records the clients' addresses.
func helloServer(t *testing.T) (*httptest.Server, func() map[string]int) {
	var mu sync.Mutex
	hosts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		mu.Lock()
		hosts[host]++
		mu.Unlock()
		w.Write([]byte("Hello World"))
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range hosts {
			out[k] = v
		}
		return out
	}
}

func TestRun(t *testing.T) {
	srv, hosts := helloServer(t)
	addr := srv.Listener.Addr().String()
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(addr, 60, 3, 8, 30*time.Second, stdinR, stdoutW)
		stdoutW.CloseWithError(io.EOF)
		done <- err
	}()
	lines := bufio.NewScanner(stdoutR)
	if !lines.Scan() {
		t.Fatalf("no ready line: %v", <-done)
	}
	var r ready
	if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
		t.Fatalf("ready line %q: %v", lines.Text(), err)
	}
	if r.Connections != 60 || len(r.Sources) != 3 || r.NoFile < 124 {
		t.Errorf("ready = %+v", r)
	}
	got := hosts()
	for _, h := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		if got[h] != 20 {
			t.Errorf("requests from %s: %d, want 20 (all: %v)", h, got[h], got)
		}
	}
	stdinW.Close()
	if !lines.Scan() {
		t.Fatalf("no second line: %v", <-done)
	}
	var o openness
	if err := json.Unmarshal(lines.Bytes(), &o); err != nil || o != (openness{Open: 60}) {
		t.Errorf("second line %q (%v), want 60 open", lines.Text(), err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCheckOpenSeesClosed: connections the server closes are counted as
// closed, once the closes have arrived.
func TestCheckOpenSeesClosed(t *testing.T) {
	srv, _ := helloServer(t)
	server := netip.MustParseAddrPort(srv.Listener.Addr().String())
	srcs, _ := sourceAddrs(10, 0)
	conns, err := openAll(server, srcs, 10, 4, time.Now().Add(30*time.Second))
	defer closeAll(conns)
	if err != nil || len(conns) != 10 {
		t.Fatalf("openAll: %d, %v", len(conns), err)
	}
	if o := checkOpen(conns); o.Open != 10 {
		t.Fatalf("before the server closes: %+v", o)
	}
	srv.CloseClientConnections()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o := checkOpen(conns)
		if o.Closed == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the server closed them: %+v", o)
		}
		time.Sleep(5 * time.Millisecond) // polling the kernel's view, bounded by the deadline
	}
}

func TestOpenAllFailsOnWrongResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
	}))
	defer srv.Close()
	server := netip.MustParseAddrPort(srv.Listener.Addr().String())
	conns, err := openAll(server, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, 5, 2, time.Now().Add(10*time.Second))
	closeAll(conns)
	if err == nil {
		t.Fatal("a server answering 500 passed")
	}
}

func TestSourceAddrs(t *testing.T) {
	for _, tc := range []struct{ c, n, want int }{{100, 0, 2}, {15000, 0, 2}, {100000, 0, 5}, {10, 1, 1}} {
		got, err := sourceAddrs(tc.c, tc.n)
		if err != nil || len(got) != tc.want || got[0] != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("sourceAddrs(%d, %d) = %v, %v; want %d from 127.0.0.1", tc.c, tc.n, got, err, tc.want)
		}
	}
	if _, err := sourceAddrs(10, 300); err == nil {
		t.Error("300 sources accepted")
	}
}
