package main

import (
	"fmt"
	"io"
	"testing"
)

// benchmarkRun measures whole runs of b.N requests against an in-process
// server on its own loop (and so its own thread): ns/op is the time per
// request of client and server together. allocs/op are the client's on
// keep-alive connections, where the server allocates nothing per request;
// with churn they include the server's per connection.
func benchmarkRun(b *testing.B, args ...string) {
	_, url := startLoopServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHello World")
	b.ReportAllocs()
	cfg, err := parseFlags(append(args, "-n", fmt.Sprint(b.N), url), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	tg, err := parseTarget(url)
	if err != nil {
		b.Fatal(err)
	}
	reqs, err := loadTemplates(cfg, tg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	res, err := bench(cfg, tg, reqs, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	if res.requests != int64(b.N) {
		b.Fatalf("requests = %d, want %d", res.requests, b.N)
	}
}

func BenchmarkKeepAlive(b *testing.B) { benchmarkRun(b, "-c", "64") }

func BenchmarkPipelined16(b *testing.B) { benchmarkRun(b, "-c", "64", "-p", "16") }

func BenchmarkChurn(b *testing.B) { benchmarkRun(b, "-c", "64", "-k=false") }
