package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func sample() *Report {
	r := &Report{
		Title: "asynchttpserver bench", Date: "2026-11-25", Rounds: 3,
		Duration: 5 * time.Second, Warmup: time.Second, Reference: "ours",
		LoadGen: "wrk 4.1.0", Pinning: "server on CPU 0, load generator on CPU 1",
		Machine: Machine{NProc: 2, CPUModel: "AMD EPYC", Kernel: "6.1", Go: "go1.26.8"},
		Scenarios: []Scenario{
			{Key: "ka", Title: "keep-alive", Description: "d", Command: "wrk -c64 URL"},
			{Key: "pipe", Title: "pipelined", Description: "d"},
		},
		Servers:   []Server{{Key: "ours", Label: "ours"}, {Key: "gnet", Label: "gnet v2"}},
		ChartFile: "2026-11-25.svg",
	}
	for round, f := range []float64{1, 2, 3} {
		r.Runs = append(r.Runs,
			Run{Round: round + 1, Scenario: "ka", Server: "ours", RPS: 100 * f, ServerCPU: 0.5, HasP99: true, P99: time.Duration(f) * time.Millisecond, PeakRSS: int64(f) << 20},
			Run{Round: round + 1, Scenario: "ka", Server: "gnet", RPS: 150 * f, ServerCPU: 0.5, PeakRSS: 1 << 20, Errors: 1},
			Run{Round: round + 1, Scenario: "pipe", Server: "gnet", RPS: 1000, ServerCPU: 1},
		)
	}
	return r
}

func TestSummaries(t *testing.T) {
	sums := sample().Summaries()
	if len(sums) != 3 {
		t.Fatalf("got %d summaries, want 3", len(sums))
	}
	ours, gnet, pipe := sums[0], sums[1], sums[2]
	if ours.Server != "ours" || ours.RPS != 200 || ours.PerCore != 400 || ours.P99 != 2*time.Millisecond || ours.PeakRSS != 3<<20 {
		t.Errorf("ours = %+v", ours)
	}
	if gnet.RatioRPS != 1.5 || gnet.RatioPerCore != 1.5 || gnet.Errors != 3 || gnet.HasP99 {
		t.Errorf("gnet = %+v", gnet)
	}
	if !math.IsNaN(pipe.RatioRPS) {
		t.Errorf("ratio without the reference = %v, want NaN", pipe.RatioRPS)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	for got, want := range map[string]string{
		Short(151234): "151k", Short(2102000): "2102k", Short(1500): "1.5k", Short(950): "950",
		Thousands(1234567.6): "1,234,568", Thousands(12): "12", Thousands(-1234): "-1,234",
		Latency(812 * time.Microsecond): "812 µs", Latency(1250 * time.Microsecond): "1.25 ms",
		MiB(3 << 20): "3.0 MiB", Ratio(math.NaN()): "—", Ratio(0.9412): "0.94",
		Percent(0): "n/a", Percent(0.994): "99 %",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestOutputs(t *testing.T) {
	r := sample()
	var md, csv, runs, svg bytes.Buffer
	for name, err := range map[string]error{
		"markdown": r.WriteMarkdown(&md),
		"csv":      r.WriteCSV(&csv),
		"runs":     r.WriteRunsCSV(&runs),
		"chart":    r.WriteChart(&svg),
	} {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, want := range []string{"| gnet v2 | 300 | 600 | 1666.67 µs | 50 % | n/a | 0 % |", "wrk -c64 URL", "AMD EPYC", "| ours | 400 (1.00) |", "2026-11-25.svg"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "all-cores") {
		t.Error("markdown mentions an all-cores scenario that was not run")
	}
	if n := strings.Count(csv.String(), "\n"); n != 4 {
		t.Errorf("csv has %d lines, want 4:\n%s", n, csv.String())
	}
	if n := strings.Count(runs.String(), "\n"); n != 10 {
		t.Errorf("runs csv has %d lines, want 10", n)
	}
	if !strings.Contains(svg.String(), "<svg") {
		t.Error("chart is not SVG")
	}
}

func TestAllCoresCommands(t *testing.T) {
	r := sample()
	r.Servers[0].AllCoresCommand = "bin/hello -addr 127.0.0.1:PORT -loops 0"
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"except in the all-cores scenario", "| server | command | all-cores scenario |", "`bin/hello -addr 127.0.0.1:PORT -loops 0` |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestCPUPerRequest(t *testing.T) {
	if got := (Run{RPS: 100000, ServerCPU: 0.5}).CPUPerRequest(); got != 5*time.Microsecond {
		t.Errorf("CPUPerRequest = %v, want 5µs", got)
	}
	if got := (Run{RPS: 100000}).CPUPerRequest(); got != 0 {
		t.Errorf("CPUPerRequest without CPU = %v, want 0", got)
	}
	if PerRequest(0) != "n/a" || PerRequest(5*time.Microsecond) != "5.00 µs" {
		t.Errorf("PerRequest: %q, %q", PerRequest(0), PerRequest(5*time.Microsecond))
	}
}

// TestGroups: a scenario of other servers (the net/http bridge's) has its
// own reference and its own summary grid; the main grid keeps its rows and
// columns, and the CSV names each scenario's reference.
func TestGroups(t *testing.T) {
	r := sample()
	r.Scenarios = append(r.Scenarios, Scenario{Key: "mux", Title: "mux json", Description: "d", Reference: "nethttp-mux", Group: "handlers"})
	r.Servers = append(r.Servers,
		Server{Key: "bridge", Label: "bridge", Group: "handlers"},
		Server{Key: "nethttp-mux", Label: "net/http mux", Group: "handlers"})
	for round := 1; round <= 3; round++ {
		r.Runs = append(r.Runs,
			Run{Round: round, Scenario: "mux", Server: "bridge", RPS: 300, ServerCPU: 1},
			Run{Round: round, Scenario: "mux", Server: "nethttp-mux", RPS: 100, ServerCPU: 1})
	}
	if g := r.Groups(); len(g) != 2 || g[0] != "" || g[1] != "handlers" {
		t.Errorf("Groups = %q", g)
	}
	var md, csv, svg bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteChart(&svg); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"| server | keep-alive | pipelined |\n|---|---:|---:|\n| ours | 400 (1.00) | — |\n| gnet v2 | 600 (1.50) | 1.0k (—) |\n\n",
		"## Throughput per server core: handlers\n",
		"| server | mux json |\n|---|---:|\n| bridge | 300 (3.00) |\n| net/http mux | 100 (1.00) |\n\n",
		"| server | req/s | req/s per server core | server CPU / request | server CPU | load gen CPU | other CPU | p99 | peak RSS | req/s × nethttp-mux | per core × nethttp-mux | errors |",
		"; in mux json, each server's figure ÷ that of net/http mux |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(csv.String(), ",mux,bridge,3,300.0000,300.0000,") || !strings.Contains(csv.String(), ",3.0000,3.0000,nethttp-mux,") {
		t.Errorf("csv:\n%s", csv.String())
	}
}

// TestGroupOnly: a report of the other group alone does not call itself
// Hello World and names only that group's reference.
func TestGroupOnly(t *testing.T) {
	r := sample()
	r.Reference = ""
	r.Scenarios = []Scenario{{Key: "mux", Title: "mux json", Reference: "nethttp-mux", Group: "handlers"}}
	r.Servers = []Server{{Key: "nethttp-mux", Label: "net/http mux", Group: "handlers"}}
	r.Runs = []Run{{Round: 1, Scenario: "mux", Server: "nethttp-mux", RPS: 100, ServerCPU: 1}}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{"\n“handlers”, one core per server", "| ratios | in mux json, each server's figure ÷ that of net/http mux |", "| net/http mux | 100 (1.00) |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Hello World") || strings.Contains(out, "none (no reference") {
		t.Errorf("markdown:\n%s", out)
	}
}
