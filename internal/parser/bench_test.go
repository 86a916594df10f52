package parser

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// The benchmarks parse the same bytes with this package and with net/http's
// ReadRequest (over a bufio.Reader on a bytes.Reader, both reset per
// iteration, as a net/http server reuses them), so one run shows the ratio:
//
//	go test -run '^$' -bench . -benchmem -count 10 ./internal/parser > /tmp/parser.bench
//	benchstat -col /impl /tmp/parser.bench

var benchInputs = []struct {
	name  string
	data  string
	count int // requests in data
}{
	{"wrk", wrkRequest, 1},
	{"browser", browserRequest, 1},
	{"pipeline16", strings.Repeat(wrkRequest, 16), 16},
}

func BenchmarkHead(b *testing.B) {
	for _, in := range benchInputs {
		data := []byte(in.data)
		b.Run("req="+in.name+"/impl=parser", func(b *testing.B) {
			p := New(Limits{})
			var r Head
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				off := 0
				for range in.count {
					n, err := p.Parse(data[off:], &r)
					if n == 0 || err != nil {
						b.Fatal(n, err)
					}
					off += n
				}
			}
		})
		b.Run("req="+in.name+"/impl=nethttp", func(b *testing.B) {
			rd := bytes.NewReader(data)
			br := bufio.NewReader(rd)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(data)
				br.Reset(rd)
				for range in.count {
					if _, err := http.ReadRequest(br); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkChunked decodes a 64 KiB body in 4 KiB chunks, in place.
func BenchmarkChunked(b *testing.B) {
	wire, _ := bigChunked(64<<10, 4<<10)
	buf := make([]byte, len(wire))
	var d ChunkedDecoder
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, wire)
		d.Init(0)
		if _, done, err := d.Decode(buf); !done || err != nil {
			b.Fatal(done, err)
		}
	}
}
