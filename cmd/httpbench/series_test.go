package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// readSeriesCSV reads the -csv file back.
func readSeriesCSV(t *testing.T, path string) []secondRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t", "requests", "errors", "rps", "p50_us", "p99_us", "max_us"}; len(recs) == 0 || !equalStrings(recs[0], want) {
		t.Fatalf("CSV header %v, want %v", recs, want)
	}
	var rows []secondRow
	for _, r := range recs[1:] {
		var row secondRow
		var errs [7]error
		row.T, errs[0] = strconv.Atoi(r[0])
		row.Requests, errs[1] = strconv.ParseInt(r[1], 10, 64)
		row.Errors, errs[2] = strconv.ParseInt(r[2], 10, 64)
		row.RPS, errs[3] = strconv.ParseFloat(r[3], 64)
		row.P50US, errs[4] = strconv.ParseFloat(r[4], 64)
		row.P99US, errs[5] = strconv.ParseFloat(r[5], 64)
		row.MaxUS, errs[6] = strconv.ParseFloat(r[6], 64)
		for _, err := range errs {
			if err != nil {
				t.Fatalf("CSV row %v: %v", r, err)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSeriesSumsToTotal runs for 2.1 s after a warm-up, closed and open
// loop, against a server that answers every seventh request with a 500,
// and checks the CSV: one row per second in order, whose requests and
// errors add up to the report's totals, with the warm-up in none of them.
func TestSeriesSumsToTotal(t *testing.T) {
	var n atomic.Int64
	url := startRawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			if _, err := http.ReadRequest(r); err != nil {
				return
			}
			if n.Add(1)%7 == 0 {
				io.WriteString(c, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n")
			} else {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		}
	})
	for name, mode := range map[string][]string{"closed": {"-c", "2"}, "rate": {"-c", "2", "-rate", "3000"}} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			csvPath := filepath.Join(dir, "series.csv")
			args := append(mode, "-d", "2100ms", "-warmup", "200ms", "-json", "-csv", csvPath, url)
			var stdout, stderr bytes.Buffer
			before := n.Load()
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit status %d: %s", code, stderr.String())
			}
			served := n.Load() - before
			var rep report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			rows := readSeriesCSV(t, csvPath)
			var reqs, errs int64
			for i, r := range rows {
				if r.T != i {
					t.Errorf("row %d has t = %d", i, r.T)
				}
				reqs += r.Requests
				errs += r.Errors
			}
			e := rep.Errors
			total := e.Connect + e.Read + e.Timeout + e.Status + e.Parse
			if reqs != rep.Requests || errs != total || len(rows) != len(rep.Seconds) {
				t.Errorf("rows add up to %d requests, %d errors; report has %d, %d (%d rows in CSV, %d in JSON)",
					reqs, errs, rep.Requests, total, len(rows), len(rep.Seconds))
			}
			if len(rows) < 2 || len(rows) > 3 || e.Status == 0 {
				t.Errorf("%d rows for 2.1 s, %d status errors", len(rows), e.Status)
			}
			// The warm-up's requests reached the server but none of the
			// figures.
			if rep.Requests >= served || rep.WarmupS != 0.2 || rep.DurationS < 2.1 || rep.DurationS > 4 {
				t.Errorf("counted %d of %d served; warmup_s %v, duration_s %v", rep.Requests, served, rep.WarmupS, rep.DurationS)
			}
		})
	}
}

// TestSeriesMergesWorkers: seconds reported by several workers become
// one row each, with percentiles of the merged histograms.
func TestSeriesMergesWorkers(t *testing.T) {
	s := newSeries(2)
	var a, b hist.Histogram
	for range 99 {
		a.Record(1000)
	}
	b.Record(5_000_000)
	s.add(0, &a, 99, 1)
	s.add(1, &a, 99, 0) // worker 0 is a second ahead
	s.add(0, &b, 1, 0)
	rows := s.finish(1.6) // worker 1 stopped before reporting second 1
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	if r := rows[0]; r.T != 0 || r.Requests != 100 || r.Errors != 1 || r.P50US < 1 || r.P50US > 1.01 || r.MaxUS != 5000 || r.RPS != 100 {
		t.Errorf("second 0: %+v", r)
	}
	if r := rows[1]; r.T != 1 || r.Requests != 99 || r.RPS < 99/0.6-1 || r.RPS > 99/0.6+1 {
		t.Errorf("second 1 (0.6 s long): %+v", r)
	}
}
