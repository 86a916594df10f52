package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{fmtMicros(0.25), "0.2µs"},
		{fmtMicros(463.9), "463.9µs"},
		{fmtMicros(5690), "5.69ms"},
		{fmtMicros(2.5e6), "2.50s"},
		{fmtBytes(512), "512B"},
		{fmtBytes(1536), "1.50KiB"},
		{fmtBytes(21.35 * (1 << 20)), "21.35MiB"},
		{groupDigits(0), "0"},
		{groupDigits(999), "999"},
		{groupDigits(1000), "1,000"},
		{groupDigits(1234567), "1,234,567"},
		{groupDigits(-1234), "-1,234"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	line := progressLine(2500*time.Millisecond, 1234567, 98765.4, 3)
	if !strings.HasPrefix(line, "\r") || !strings.HasSuffix(line, "\x1b[K") {
		t.Errorf("line %q must start with CR and end by erasing the rest", line)
	}
	for _, want := range []string{"2.5s", "1,234,567 requests", "98,765 req/s", "3 errors"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}

// TestProgressQuietOffTerminal: output that is not a terminal (a file, a
// pipe, a buffer) gets no progress line.
func TestProgressQuietOffTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(int(f.Fd())) {
		t.Fatal("a regular file counts as a terminal")
	}
	if p := startProgress(f, nil, time.Now()); p != nil {
		p.Stop()
		t.Fatal("progress started on a regular file")
	}
	var sb strings.Builder
	if p := startProgress(&sb, nil, time.Now()); p != nil {
		p.Stop()
		t.Fatal("progress started on a strings.Builder")
	}
}
