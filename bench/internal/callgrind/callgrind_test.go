package callgrind

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfl=(1) a.go\nfn=(1) main\n3 10\nsummary: 123456\n\n\ntotals: 123456\n", 123456},
		{"events: Ir Dr\nsummary: 99 5\n", 99},
		{"events: Ir\ntotals: 7\nsummary: 8\n", 7},
	} {
		got, err := Parse([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	if _, err := Parse([]byte("events: Ir\n")); err == nil {
		t.Error("no totals: want an error")
	}
}
