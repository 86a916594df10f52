package peer

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestWantsClose(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"GET / HTTP/1.1\r\nHost: x", false},
		{"GET / HTTP/1.1\r\nConnection: close", true},
		{"GET / HTTP/1.1\r\nconnection:Close\r\nHost: x", true},
		{"GET / HTTP/1.1\r\nCONNECTION:  close  \r\nHost: x", true},
		{"GET / HTTP/1.1\r\nConnection: keep-alive\r\nHost: x", false},
		{"GET / HTTP/1.1\r\nX-Connection: close", false},
	} {
		if got := WantsClose([]byte(tc.head)); got != tc.want {
			t.Errorf("WantsClose(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

// readAll parses every response in b with net/http's reader.
func readAll(t *testing.T, b []byte) []*http.Response {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(b))
	var out []*http.Response
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return out
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", len(out)+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != Body || resp.Header.Get("Date") == "" {
			t.Fatalf("response %d: %d %q, Date %q", len(out)+1, resp.StatusCode, body, resp.Header.Get("Date"))
		}
		out = append(out, resp)
	}
}

func TestAnswer(t *testing.T) {
	f := NewFixed("test")
	get := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	closing := "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		name, in       string
		responses      int
		consumed       int
		close, lastEnd bool
	}{
		{"one", get, 1, len(get), false, false},
		{"pipelined", strings.Repeat(get, 16), 16, 16 * len(get), false, false},
		{"partial head left", get + "GET / HT", 1, len(get), false, false},
		{"close stops", get + closing + get, 2, len(get) + len(closing), true, true},
		{"nothing", "GET /", 0, 0, false, false},
	} {
		out, consumed, closeAfter := f.Answer(nil, []byte(tc.in))
		resps := readAll(t, out)
		if len(resps) != tc.responses || consumed != tc.consumed || closeAfter != tc.close {
			t.Errorf("%s: %d responses, consumed %d, close %v; want %d, %d, %v",
				tc.name, len(resps), consumed, closeAfter, tc.responses, tc.consumed, tc.close)
		}
		if tc.lastEnd && !resps[len(resps)-1].Close {
			t.Errorf("%s: the last response does not say Connection: close", tc.name)
		}
	}
}

func BenchmarkWantsClose(b *testing.B) {
	head := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk")
	for b.Loop() {
		WantsClose(head)
	}
}

func BenchmarkAnswer(b *testing.B) {
	f := NewFixed("bench")
	in := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out, _, _ = f.Answer(out[:0], in)
	}
}
