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
