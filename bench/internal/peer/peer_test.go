package peer

import "testing"

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.2:0", true},
		{"[::1]:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"10.0.0.1:80", false},
		{"localhost:80", false},
		{"127.0.0.1", false},
	} {
		err := checkLoopback(tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
		}
	}
}

func TestCoreCount(t *testing.T) {
	for _, tc := range []struct {
		flag, ncpu, want int
		ok               bool
	}{
		{1, 8, 1, true},
		{3, 2, 3, true},
		{0, 8, 8, true},
		{0, 0, 1, true},
		{-1, 8, 0, false},
	} {
		got, err := coreCount(tc.flag, tc.ncpu)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("coreCount(%d, %d) = %d, %v; want %d, ok=%v", tc.flag, tc.ncpu, got, err, tc.want, tc.ok)
		}
	}
}
