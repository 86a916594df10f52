package loadgen

import (
	"slices"
	"testing"
	"time"
)

func TestParseHttpbench(t *testing.T) {
	out := `{"requests":700000,"duration_s":5.0,"rps":140000.5,"bytes":84000000,"transfer_per_s":16800000,
"latency_us":{"p50":410,"p90":520,"p99":812.5,"p999":2000,"max":9000},
"errors":{"connect":1,"read":2,"timeout":3,"status":4,"parse":5},"url":"x","loops":1}` + "\n"
	r, err := ParseHttpbench([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Requests: 700000,
		Elapsed:  5 * time.Second,
		RPS:      140000.5,
		P99:      812500 * time.Nanosecond,
		HasP99:   true,
		Errors:   Errors{Connect: 1, Read: 2, Timeout: 3, Status: 9},
	}
	if r != want {
		t.Errorf("ParseHttpbench =\n%+v, want\n%+v", r, want)
	}
}

func TestParseHttpbenchRejects(t *testing.T) {
	for _, out := range []string{"", "requests: 5", `{"requests":5}`} {
		if _, err := ParseHttpbench([]byte(out)); err == nil {
			t.Errorf("ParseHttpbench(%q): want an error", out)
		}
	}
}

func TestHttpbenchCommand(t *testing.T) {
	h := &Httpbench{Path: "bin/httpbench", Prefix: []string{"taskset", "-c", "1"}}
	url := "http://127.0.0.1:1/"
	for _, tc := range []struct {
		spec Spec
		want []string
	}{
		{Spec{URL: url, Connections: 64, Duration: 5 * time.Second, Pipeline: 1},
			[]string{"taskset", "-c", "1", "bin/httpbench", "-c", "64", "-d", "5s", "-json", url}},
		{Spec{URL: url, Connections: 64, Duration: 300 * time.Millisecond, Pipeline: 16},
			[]string{"taskset", "-c", "1", "bin/httpbench", "-c", "64", "-d", "300ms", "-p", "16", "-json", url}},
		{Spec{URL: url, Connections: 64, Duration: time.Second, Pipeline: 1, Close: true},
			[]string{"taskset", "-c", "1", "bin/httpbench", "-c", "64", "-d", "1s", "-k=false", "-json", url}},
		{Spec{URL: url, Connections: 256, Duration: time.Second, Pipeline: 1, Threads: 2},
			[]string{"taskset", "-c", "1", "bin/httpbench", "-c", "256", "-d", "1s", "-loops", "2", "-json", url}},
	} {
		if got := h.Command(tc.spec); !slices.Equal(got, tc.want) {
			t.Errorf("Command(%+v) =\n%q, want\n%q", tc.spec, got, tc.want)
		}
	}
}
