package main

import "testing"

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
		if got := wantsClose([]byte(tc.head)); got != tc.want {
			t.Errorf("wantsClose(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

func BenchmarkWantsClose(b *testing.B) {
	head := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk")
	for b.Loop() {
		wantsClose(head)
	}
}
