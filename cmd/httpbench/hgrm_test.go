package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// hgrmFile is a .hgrm file read back.
type hgrmFile struct {
	rows              []hgrmRow
	mean, stddev, max float64
	total             uint64
	buckets, subs     int
}

type hgrmRow struct {
	value, percentile float64
	count             uint64
	inverse           float64 // 1/(1-percentile); NaN on the last row, which has none
}

// parseHgrm reads the text HdrHistogram's outputPercentileDistribution
// writes, strictly: the header, a blank line, rows of four columns (three
// on the last, at 100 %), and the three footer lines.
func parseHgrm(t *testing.T, r io.Reader) hgrmFile {
	t.Helper()
	sc := bufio.NewScanner(r)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 5 {
		t.Fatalf("%d lines", len(lines))
	}
	if want := fmt.Sprintf("%12s %14s %10s %14s", "Value", "Percentile", "TotalCount", "1/(1-Percentile)"); lines[0] != want || lines[1] != "" {
		t.Fatalf("header %q, %q; want %q and a blank line", lines[0], lines[1], want)
	}
	var f hgrmFile
	body, foot := lines[2:len(lines)-3], lines[len(lines)-3:]
	for i, l := range body {
		fs := strings.Fields(l)
		last := i == len(body)-1
		if want := 4; (last && len(fs) != 3) || (!last && len(fs) != want) {
			t.Fatalf("row %d %q: %d columns", i, l, len(fs))
		}
		var row hgrmRow
		var err error
		row.value, err = strconv.ParseFloat(fs[0], 64)
		if err == nil {
			row.percentile, err = strconv.ParseFloat(fs[1], 64)
		}
		if err == nil {
			row.count, err = strconv.ParseUint(fs[2], 10, 64)
		}
		row.inverse = math.NaN()
		if err == nil && !last {
			row.inverse, err = strconv.ParseFloat(fs[3], 64)
		}
		if err != nil {
			t.Fatalf("row %d %q: %v", i, l, err)
		}
		f.rows = append(f.rows, row)
	}
	if _, err := fmt.Sscanf(foot[0], "#[Mean    = %f, StdDeviation   = %f]", &f.mean, &f.stddev); err != nil {
		t.Fatalf("footer %q: %v", foot[0], err)
	}
	if _, err := fmt.Sscanf(foot[1], "#[Max     = %f, Total count    = %d]", &f.max, &f.total); err != nil {
		t.Fatalf("footer %q: %v", foot[1], err)
	}
	if _, err := fmt.Sscanf(foot[2], "#[Buckets = %d, SubBuckets     = %d]", &f.buckets, &f.subs); err != nil {
		t.Fatalf("footer %q: %v", foot[2], err)
	}
	return f
}

// TestHgrmParsedBack writes a known distribution (1 µs to 10 ms in 1 µs
// steps, in nanoseconds) and reads the file back: the levels are
// HdrHistogram's (0, 10, ... 50, 55, ... 75, 77.5 %, ...), the values are
// the distribution's own, and the footer adds up.
func TestHgrmParsedBack(t *testing.T) {
	var h hist.Histogram
	const n = 10000
	for i := int64(1); i <= n; i++ {
		h.Record(i * 1000)
	}
	var buf bytes.Buffer
	if err := writeHgrm(&buf, &h); err != nil {
		t.Fatal(err)
	}
	f := parseHgrm(t, &buf)
	wantLevels := []float64{0, .1, .2, .3, .4, .5, .55, .6, .65, .7, .75, .775, .8, .825, .85, .875, .8875, .9}
	for i, want := range wantLevels {
		if got := f.rows[i].percentile; math.Abs(got-want) > 1e-12 {
			t.Errorf("row %d at percentile %v, want %v", i, got, want)
		}
	}
	for i, r := range f.rows {
		// Each value is the top of the bucket holding the value of that
		// rank: within 1/128 above it (and the first row is the minimum).
		rank := math.Max(math.Ceil(r.percentile*n), 1)
		exact := rank / 1000 // milliseconds
		if r.value < exact-0.0005 || r.value > exact*(1+1.0/128)+0.0005 {
			t.Errorf("row %d: %v ms at %v, want %v ms (+0.8 %%)", i, r.value, r.percentile, exact)
		}
		if i > 0 && (r.value < f.rows[i-1].value || r.percentile < f.rows[i-1].percentile || r.count < f.rows[i-1].count) {
			t.Errorf("row %d goes backwards: %+v after %+v", i, r, f.rows[i-1])
		}
		if uint64(rank) > r.count {
			t.Errorf("row %d: count %d below the rank %v of its percentile", i, r.count, rank)
		}
		if !math.IsNaN(r.inverse) && math.Abs(r.inverse-1/(1-r.percentile)) > 0.006 {
			t.Errorf("row %d: 1/(1-p) = %v for p = %v", i, r.inverse, r.percentile)
		}
	}
	last := f.rows[len(f.rows)-1]
	if last.percentile != 1 || last.count != n || last.value != 10 {
		t.Errorf("last row %+v, want 10 ms at 1.0 with count %d", last, n)
	}
	if f.total != n || f.max != 10 || math.Abs(f.mean-5.0005) > 0.001 || f.buckets != 37 || f.subs != 256 {
		t.Errorf("footer: mean %v, max %v, total %d, buckets %d/%d", f.mean, f.max, f.total, f.buckets, f.subs)
	}
	// Uniform on [0, 10 ms]: standard deviation 10/√12.
	if want := 10 / math.Sqrt(12); math.Abs(f.stddev-want) > 0.01 {
		t.Errorf("stddev %v ms, want %v", f.stddev, want)
	}
}

// TestHgrmFromARun writes -hgrm after a real run and reads it back: its
// total is the run's request count.
func TestHgrmFromARun(t *testing.T) {
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	path := filepath.Join(t.TempDir(), "run.hgrm")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-c", "2", "-n", "500", "-hgrm", path, url}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f := parseHgrm(t, fh)
	if f.total != 500 || f.rows[len(f.rows)-1].count != 500 {
		t.Errorf("total %d, last row %+v; want 500", f.total, f.rows[len(f.rows)-1])
	}
	if f.max <= 0 || f.max > float64(5*time.Second/time.Millisecond) {
		t.Errorf("max %v ms", f.max)
	}
}

func TestHgrmEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := writeHgrm(&buf, new(hist.Histogram)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n"); got != 5 {
		t.Errorf("empty histogram: %d lines, want header, blank and 3 footer lines:\n%s", got, buf.String())
	}
}
