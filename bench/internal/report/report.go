// Package report turns the benchmark's measured runs into its outputs: a
// Markdown report with a table per scenario, CSV files, and an SVG bar chart
// drawn with gonum.org/v1/plot.
package report

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Run is one measured run: one server, one scenario, one round.
type Run struct {
	Round     int
	Scenario  string // Scenario.Key
	Server    string // Server.Key
	Requests  int64
	RPS       float64       // responses per second, as the load generator counted them
	ServerCPU float64       // server's CPU time ÷ wall time of the run (1 = one core busy)
	LoadCPU   float64       // the same for the load generator; 0 if not measured
	OtherCPU  float64       // CPU used by every other process on the machine ÷ wall time
	P99       time.Duration // valid if HasP99
	HasP99    bool
	PeakRSS   int64 // server's VmHWM in bytes at the end of the run
	Errors    int64 // failed requests of every kind
	BadStatus int64 // of which responses with a wrong status (or body, as far as the generator checks)
}

// PerCore returns req/s per server core: RPS ÷ ServerCPU, or 0 if the CPU
// share is unknown.
func (r Run) PerCore() float64 {
	if r.ServerCPU <= 0 {
		return 0
	}
	return r.RPS / r.ServerCPU
}

// CPUPerRequest returns the server's CPU time per request: its CPU share
// ÷ req/s (the reciprocal of PerCore), or 0 if either is unknown.
func (r Run) CPUPerRequest() time.Duration {
	if r.ServerCPU <= 0 || r.RPS <= 0 {
		return 0
	}
	return time.Duration(r.ServerCPU / r.RPS * float64(time.Second))
}

// Scenario describes a load pattern.
type Scenario struct {
	Key         string // short name, e.g. "keepalive-c64"
	Title       string // heading, e.g. "keep-alive, 64 connections"
	Description string // what it measures
	Command     string // the load generator's command line, for the report
	// Reference is the Server.Key this scenario's ratios are relative to,
	// when not the report's Reference (a scenario of other servers).
	Reference string
	// Group is the heading of the summary grid the scenario belongs to;
	// "" for the main one. The servers of a group (Server.Group) are the
	// rows of its grid.
	Group string
}

// Server describes a benchmarked server.
type Server struct {
	Key     string // short name, e.g. "gnet"
	Label   string // name in tables, e.g. "gnet v2.9.7"
	Command string // how it was started, for the report
	// AllCoresCommand is how it was started in the all-cores scenario; ""
	// when that scenario is not run.
	AllCoresCommand string
	// Group is the summary grid the server is a row of (Scenario.Group);
	// "" for the main one.
	Group string
}

// Machine describes where the benchmark ran.
type Machine struct {
	NProc    int
	CPUModel string
	Kernel   string
	Go       string
}

// Report is everything the outputs are made of.
type Report struct {
	Title     string
	Date      string // YYYY-MM-DD
	Command   string // how the harness was run, for the report
	Commit    string // the repository's commit, for the report
	Machine   Machine
	Pinning   string // how processes were placed on CPUs
	LoadGen   string // load generator name and version
	Rounds    int
	Duration  time.Duration
	Warmup    time.Duration
	Reference string // Server.Key that ratios are relative to (unless a Scenario names its own); "" for none
	Scenarios []Scenario
	Servers   []Server
	Notes     []string // skipped servers and other remarks
	Runs      []Run
	ChartFile string // file name of the SVG chart, linked from the Markdown
}

// Summary is a server's medians over the rounds of one scenario.
type Summary struct {
	Scenario     string
	Server       string
	Runs         int
	RPS          float64       // median req/s
	PerCore      float64       // median of each run's req/s per server core
	CPUPerReq    time.Duration // median of each run's server CPU time per request
	ServerCPU    float64       // median server CPU share
	LoadCPU      float64       // median load generator CPU share; 0 if not measured
	OtherCPU     float64       // median CPU share of all other processes
	P99          time.Duration
	HasP99       bool
	PeakRSS      int64   // largest VmHWM over the rounds
	Errors       int64   // total over the rounds
	RatioRPS     float64 // RPS ÷ the reference server's; NaN without one
	RatioPerCore float64 // PerCore ÷ the reference server's; NaN without one
}

// Summaries returns one Summary per scenario and server that has runs, in
// the report's scenario and server order.
func (r *Report) Summaries() []Summary {
	var out []Summary
	for _, sc := range r.Scenarios {
		first := len(out)
		for _, sv := range r.Servers {
			if s, ok := summarize(r.Runs, sc.Key, sv.Key); ok {
				out = append(out, s)
			}
		}
		setRatios(out[first:], r.ReferenceOf(sc))
	}
	return out
}

// ReferenceOf returns the Server.Key that scenario sc's ratios are
// relative to: its own Reference, or the report's.
func (r *Report) ReferenceOf(sc Scenario) string {
	if sc.Reference != "" {
		return sc.Reference
	}
	return r.Reference
}

// Groups returns the scenarios' groups (Scenario.Group) in the order they
// first appear, the main group ("") first if it has scenarios.
func (r *Report) Groups() []string {
	var out []string
	for _, sc := range r.Scenarios {
		if !slices.Contains(out, sc.Group) {
			out = append(out, sc.Group)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case a == "" && b != "":
			return -1
		case b == "" && a != "":
			return 1
		}
		return 0
	})
	return out
}

// summarize computes the medians of the runs of one server in one scenario.
func summarize(runs []Run, scenario, server string) (Summary, bool) {
	s := Summary{Scenario: scenario, Server: server}
	var rps, perCore, cpuReq, cpu, load, other, p99 []float64
	for _, r := range runs {
		if r.Scenario != scenario || r.Server != server {
			continue
		}
		s.Runs++
		rps = append(rps, r.RPS)
		perCore = append(perCore, r.PerCore())
		cpuReq = append(cpuReq, float64(r.CPUPerRequest()))
		cpu = append(cpu, r.ServerCPU)
		load = append(load, r.LoadCPU)
		other = append(other, r.OtherCPU)
		if r.HasP99 {
			p99 = append(p99, float64(r.P99))
		}
		s.PeakRSS = max(s.PeakRSS, r.PeakRSS)
		s.Errors += r.Errors
	}
	if s.Runs == 0 {
		return s, false
	}
	s.RPS, s.PerCore, s.ServerCPU, s.LoadCPU = Median(rps), Median(perCore), Median(cpu), Median(load)
	s.OtherCPU, s.CPUPerReq = Median(other), time.Duration(Median(cpuReq))
	if len(p99) > 0 {
		s.P99, s.HasP99 = time.Duration(Median(p99)), true
	}
	return s, true
}

// setRatios fills the ratio fields of one scenario's summaries relative to
// the reference server's; they are NaN when the reference has no summary.
func setRatios(sums []Summary, reference string) {
	i := slices.IndexFunc(sums, func(s Summary) bool { return s.Server == reference })
	for j := range sums {
		sums[j].RatioRPS, sums[j].RatioPerCore = math.NaN(), math.NaN()
		if i >= 0 {
			sums[j].RatioRPS = ratio(sums[j].RPS, sums[i].RPS)
			sums[j].RatioPerCore = ratio(sums[j].PerCore, sums[i].PerCore)
		}
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// Background returns the median and the largest CPU share that other
// processes used during the runs: how quiet the machine was.
func (r *Report) Background() (median, largest float64) {
	var xs []float64
	for _, run := range r.Runs {
		xs = append(xs, run.OtherCPU)
		largest = max(largest, run.OtherCPU)
	}
	return Median(xs), largest
}

// Median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none. It does not modify xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// server returns the Server with the given key, or one labelled by the key.
func (r *Report) server(key string) Server {
	for _, s := range r.Servers {
		if s.Key == key {
			return s
		}
	}
	return Server{Key: key, Label: key}
}

// Short formats a rate compactly: 151234 → "151k", 2102000 → "2102k",
// 950 → "950".
func Short(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.0fk", v/1000)
	}
	if v >= 1000 {
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}

// Thousands formats v rounded to an integer with comma separators.
func Thousands(v float64) string {
	s := fmt.Sprintf("%.0f", math.Round(v))
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Latency formats a latency for tables: "812 µs", "1.25 ms".
func Latency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// PerRequest formats a CPU time per request: "6.21 µs", or "n/a" for 0.
func PerRequest(d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f µs", float64(d)/float64(time.Microsecond))
}

// MiB formats a byte count in mebibytes.
func MiB(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// Ratio formats a ratio to two decimals, or "—" when it is undefined.
func Ratio(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f", v)
}

// Percent0 formats a CPU share as a percentage of one core, 0 included.
func Percent0(v float64) string {
	return fmt.Sprintf("%.0f %%", max(v, 0)*100)
}

// Percent formats a CPU share as a percentage of one core, or "n/a" for 0.
func Percent(v float64) string {
	if v <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f %%", v*100)
}
