package server

import (
	"bytes"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHelloWorldAllocatesNothingPerRequest measures the whole process's
// allocations over 10,000 keep-alive requests on a real connection, after
// a warm-up. The client uses raw system calls and fixed buffers, so that
// whatever allocates is the server.
func TestHelloWorldAllocatesNothingPerRequest(t *testing.T) {
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
	t.Logf("%d allocations over %d requests (%.4f per request)", allocs, requests, float64(allocs)/requests)
	if allocs > requests/100 {
		t.Fatalf("%d allocations over %d requests: the steady state allocates", allocs, requests)
	}
}
