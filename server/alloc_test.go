package server

import (
	"bytes"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHelloWorldAllocationsPerRequest measures the whole process's
// allocations over 10,000 keep-alive requests on a real connection, after
// a warm-up. The client uses raw system calls and fixed buffers, so that
// whatever allocates is the server.
//
// A request's memory is its own and never reused (its Request, header
// list and input bytes), but it comes from slabs: a Request slab every 64
// requests, a header slab every 256 header fields, an input block every
// 16 KiB of requests. So a request costs a small fraction of an
// allocation, and its bytes are what the garbage collector sees.
func TestHelloWorldAllocationsPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	ts := startServer(t, hello)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: ts.Port(), Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	buf := make([]byte, 4096)
	roundTrip := func() {
		if _, err := writeRetry(fd, req); err != nil {
			t.Fatal(err)
		}
		got := 0
		for !bytes.HasSuffix(buf[:got], []byte("Hello World")) {
			n, err := readRetry(fd, buf[got:])
			if err != nil || n == 0 {
				t.Fatalf("read: %d %v", n, err)
			}
			got += n
		}
	}
	for i := 0; i < 1000; i++ { // warm up: buffers, pools, the Date line
		roundTrip()
	}
	const requests = 10000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < requests; i++ {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	allocs := after.Mallocs - before.Mallocs
	bytes := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d allocations, %d bytes over %d requests (%.4f allocations, %.0f bytes per request)",
		allocs, bytes, requests, float64(allocs)/requests, float64(bytes)/requests)
	if allocs > requests/20 {
		t.Fatalf("%d allocations over %d requests: more than one per 20 requests", allocs, requests)
	}
	if bytes > 512*requests {
		t.Fatalf("%d bytes over %d requests: more than 512 per request", bytes, requests)
	}
}
