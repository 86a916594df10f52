package loadgen

import (
	"slices"
	"testing"
	"time"
)

const wrkOutput = `Running 1s test @ http://127.0.0.1:18080/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   425.82us    0.94ms   8.24ms   89.22%
    Req/Sec    75.02k    13.77k   89.97k    70.00%
  Latency Distribution
     50%   83.00us
     75%  148.00us
     90%    1.55ms
     99%    4.08ms
  74483 requests in 1.00s, 9.09MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  74433.58
Transfer/sec:      9.09MB
`

func TestParseWrk(t *testing.T) {
	r, err := ParseWrk([]byte(wrkOutput))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Requests: 74483,
		Elapsed:  time.Second,
		RPS:      74433.58,
		P99:      4080 * time.Microsecond,
		HasP99:   true,
		Errors:   Errors{Connect: 1, Read: 5, Timeout: 4, Status: 5},
	}
	if r != want {
		t.Errorf("ParseWrk =\n%+v, want\n%+v", r, want)
	}
}

func TestParseWrkIncomplete(t *testing.T) {
	if _, err := ParseWrk([]byte("unable to connect to 127.0.0.1:1 Connection refused\n")); err == nil {
		t.Error("want an error")
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"812.00us": 812 * time.Microsecond,
		"0.00us":   0,
		"1.25ms":   1250 * time.Microsecond,
		"5.00s":    5 * time.Second,
		"1.50m":    90 * time.Second,
	} {
		got, err := parseWrkDuration(in)
		if err != nil || got != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseWrkDuration("3x"); err == nil {
		t.Error("unknown unit: want an error")
	}
}

func TestWrkCommand(t *testing.T) {
	w := &Wrk{Path: "wrk", ScriptDir: "/b/wrk", Prefix: []string{"taskset", "-c", "1"}}
	url := "http://127.0.0.1:1/"
	for _, tc := range []struct {
		spec Spec
		want []string
	}{
		{Spec{URL: url, Connections: 64, Duration: 5 * time.Second, Pipeline: 1},
			[]string{"taskset", "-c", "1", "wrk", "-t1", "-c64", "-d5s", "--latency", url}},
		{Spec{URL: url, Connections: 64, Duration: 300 * time.Millisecond, Pipeline: 16},
			[]string{"taskset", "-c", "1", "wrk", "-t1", "-c64", "-d1s", "--latency", "-s", "/b/wrk/pipeline.lua", url, "--", "16"}},
		{Spec{URL: url, Connections: 8, Duration: 2 * time.Second, Close: true},
			[]string{"taskset", "-c", "1", "wrk", "-t1", "-c8", "-d2s", "--latency", "-s", "/b/wrk/close.lua", url}},
		{Spec{URL: url, Connections: 256, Duration: time.Second, Threads: 2},
			[]string{"taskset", "-c", "1", "wrk", "-t2", "-c256", "-d1s", "--latency", url}},
	} {
		if got := w.Command(tc.spec); !slices.Equal(got, tc.want) {
			t.Errorf("Command(%+v) =\n%q, want\n%q", tc.spec, got, tc.want)
		}
	}
}
