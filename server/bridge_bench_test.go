package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"golang.org/x/sys/unix"
)

// benchMux is the bridge benchmark's handler: a Go 1.22 pattern with a
// path value, answering a JSON hello.
func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Hello string `json:"hello"`
		}{r.PathValue("name")})
	})
	return mux
}

// benchmarkBridge sends b.N requests over one keep-alive connection, one
// at a time, each read in full before the next. The client uses raw
// system calls and a fixed buffer, so that the allocations counted are
// the server's.
func benchmarkBridge(b *testing.B, opts ...BridgeOption) {
	br := NewBridge(benchMux(), opts...)
	ts := startServer(b, br.Serve, StreamBodies(br.StreamBody))
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: ts.Port(), Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		b.Fatal(err)
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})
	req := []byte("GET /hello/world HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n")
	buf := make([]byte, 4096)
	end := []byte("{\"hello\":\"world\"}\n")
	roundTrip := func() {
		if _, err := writeRetry(fd, req); err != nil {
			b.Fatal(err)
		}
		got := 0
		for !bytes.HasSuffix(buf[:got], end) {
			n, err := readRetry(fd, buf[got:])
			if err != nil || n == 0 {
				b.Fatalf("read: %d %v", n, err)
			}
			got += n
		}
	}
	for range 1000 {
		roundTrip()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
}

func BenchmarkBridgeGoroutine(b *testing.B) { benchmarkBridge(b) }
func BenchmarkBridgeInline(b *testing.B)    { benchmarkBridge(b, Inline()) }
