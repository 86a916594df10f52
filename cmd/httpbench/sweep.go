package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds -sweep: open-loop runs at rising rates until one breaks
// the latency objective or the error budget. The knee is the highest rate
// that did not: what the server sustains while keeping its promise, a
// better figure of capacity than a closed loop's maximum throughput, which
// is measured with latencies no user would accept.

// maxSweepSteps bounds a sweep, so that a typo cannot start a day's run.
const maxSweepSteps = 200

// minAchieved is the share of the target rate a step must reach: below
// it, the server (or the generator, which the step's warning says) could
// not keep up, whatever the latency of what it did answer.
const minAchieved = 0.95

// sweepSpec is a parsed -sweep, -slo and -error-budget.
type sweepSpec struct {
	from, to    float64
	add, mul    float64 // the step: add (linear) or multiply (geometric)
	slo         []objective
	errorBudget float64
}

// objective is one latency objective: quantile q at most limit (q = 1
// is the maximum).
type objective struct {
	name  string // as given: "p99", "max"
	q     float64
	limit time.Duration
}

// parseSweep reads "from:to:step" (step "N" adds N, "xF" multiplies by
// F), the objectives "p99=10ms,p50=1ms,max=1s", and the error budget.
func parseSweep(spec, slo, budget string) (*sweepSpec, error) {
	s := &sweepSpec{}
	parts := strings.Split(spec, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("-sweep %q: want from:to:step, e.g. 1000:50000:1000 or 1000:1000000:x2", spec)
	}
	var err error
	if s.from, err = strconv.ParseFloat(parts[0], 64); err != nil || s.from <= 0 {
		return nil, fmt.Errorf("-sweep %q: bad starting rate %q", spec, parts[0])
	}
	if s.to, err = strconv.ParseFloat(parts[1], 64); err != nil || s.to < s.from {
		return nil, fmt.Errorf("-sweep %q: bad final rate %q", spec, parts[1])
	}
	if f, ok := strings.CutPrefix(parts[2], "x"); ok {
		if s.mul, err = strconv.ParseFloat(f, 64); err != nil || s.mul <= 1 {
			return nil, fmt.Errorf("-sweep %q: step %q: want a factor above 1", spec, parts[2])
		}
	} else if s.add, err = strconv.ParseFloat(parts[2], 64); err != nil || s.add <= 0 {
		return nil, fmt.Errorf("-sweep %q: step %q: want a positive increment or xFACTOR", spec, parts[2])
	}
	if n := len(s.rates()); n > maxSweepSteps {
		return nil, fmt.Errorf("-sweep %q: %d steps, more than %d", spec, n, maxSweepSteps)
	}
	if slo == "" {
		slo = "p99=10ms"
	}
	for _, o := range strings.Split(slo, ",") {
		ob, err := parseObjective(strings.TrimSpace(o))
		if err != nil {
			return nil, fmt.Errorf("-slo %q: %w", slo, err)
		}
		s.slo = append(s.slo, ob)
	}
	if budget == "" {
		budget = "0.1%"
	}
	if s.errorBudget, err = parseRatio(budget); err != nil {
		return nil, fmt.Errorf("-error-budget %w", err)
	}
	return s, nil
}

// parseObjective reads "p99=10ms", "p99.9=50ms" or "max=1s".
func parseObjective(s string) (objective, error) {
	name, limit, ok := strings.Cut(s, "=")
	if !ok {
		return objective{}, fmt.Errorf("%q: want pNN=DURATION", s)
	}
	o := objective{name: name}
	switch {
	case name == "max":
		o.q = 1
	case strings.HasPrefix(name, "p"):
		p, err := strconv.ParseFloat(name[1:], 64)
		if err != nil || p <= 0 || p >= 100 {
			return objective{}, fmt.Errorf("%q: want a percentile such as p99 or p99.9", name)
		}
		o.q = math.Round(p*1e10) / 1e12 // 99.9/100 is 0.9990000000000001, whose rank rounds up

	default:
		return objective{}, fmt.Errorf("%q: want pNN or max", name)
	}
	d, err := time.ParseDuration(limit)
	if err != nil || d <= 0 {
		return objective{}, fmt.Errorf("%q: want a duration such as 10ms", limit)
	}
	o.limit = d
	return o, nil
}

// rates returns the rate of every step.
func (s *sweepSpec) rates() []float64 {
	var rs []float64
	for r := s.from; r <= s.to*(1+1e-9) && len(rs) <= maxSweepSteps; {
		rs = append(rs, r)
		if s.mul > 0 {
			r *= s.mul
		} else {
			r += s.add
		}
	}
	return rs
}

// sweepOut is the sweep's part of the JSON report.
type sweepOut struct {
	SLO         map[string]float64 `json:"slo_us"` // objective name to limit in microseconds
	ErrorBudget float64            `json:"error_budget"`
	KneeRPS     float64            `json:"knee_rps"` // the highest target rate that passed; 0 if none did
	Steps       []sweepStep        `json:"steps"`
}

// sweepStep is one step of a sweep.
type sweepStep struct {
	TargetRPS   float64 `json:"target_rps"`
	AchievedRPS float64 `json:"achieved_rps"`
	P50US       float64 `json:"p50_us"`
	P99US       float64 `json:"p99_us"`
	P999US      float64 `json:"p999_us"`
	MaxUS       float64 `json:"max_us"`
	ErrorRatio  float64 `json:"error_ratio"`
	Bottleneck  bool    `json:"generator_bottleneck"`
	Pass        bool    `json:"pass"`
	Reason      string  `json:"reason,omitempty"` // why it failed
}

// judge decides whether a step's run kept the objectives.
func (s *sweepSpec) judge(rep report) sweepStep {
	st := sweepStep{
		TargetRPS: rep.Rate.TargetRPS, AchievedRPS: rep.Rate.AchievedRPS, P50US: rep.LatencyUS.P50,
		P99US: rep.LatencyUS.P99, P999US: rep.LatencyUS.P999, MaxUS: rep.LatencyUS.Max,
		Bottleneck: rep.CPU.Bottleneck, Pass: true,
	}
	e := rep.Errors
	failed := e.Connect + e.Read + e.Timeout + e.Parse
	if n := rep.Requests + failed; n > 0 {
		st.ErrorRatio = float64(failed+e.Status) / float64(n)
	}
	var why []string
	for _, o := range s.slo {
		got := time.Duration(rep.hist.Quantile(o.q))
		if rep.Requests > 0 && got > o.limit {
			why = append(why, fmt.Sprintf("%s %v > %v", o.name, got.Round(time.Microsecond), o.limit))
		}
	}
	if st.ErrorRatio > s.errorBudget {
		why = append(why, fmt.Sprintf("errors %.3f%% > %.3f%%", 100*st.ErrorRatio, 100*s.errorBudget))
	}
	if rep.Requests == 0 || st.AchievedRPS < minAchieved*st.TargetRPS {
		why = append(why, fmt.Sprintf("achieved %.0f/s, under %.0f%% of the target", st.AchievedRPS, 100*minAchieved))
	}
	if len(why) > 0 {
		st.Pass = false
		st.Reason = strings.Join(why, "; ")
		if st.Bottleneck {
			st.Reason += " (the generator was the bottleneck: " + rep.CPU.Warning + ")"
		}
	}
	return st
}

// runSweep runs a step per rate until one fails, and returns the report
// of the knee (the last step that passed, or the first step if none did)
// with the sweep attached.
func runSweep(cfg *config, t target, reqs *templateSet, s *sweepSpec, stdout, stderr io.Writer) (report, error) {
	out := &sweepOut{SLO: map[string]float64{}, ErrorBudget: s.errorBudget}
	for _, o := range s.slo {
		out.SLO[o.name] = float64(o.limit) / 1e3
	}
	var knee, first *report
	for _, rate := range s.rates() {
		step := *cfg
		step.rate = rate
		res, err := bench(&step, t, reqs, stderr)
		if err != nil {
			return report{}, fmt.Errorf("sweep step at %.0f/s: %w", rate, err)
		}
		rep := newReport(&step, res)
		st := s.judge(rep)
		out.Steps = append(out.Steps, st)
		if !cfg.json {
			writeStep(stdout, st)
		}
		if first == nil {
			first = &rep
		}
		if !st.Pass {
			break
		}
		knee = &rep
		out.KneeRPS = rate
	}
	rep := first
	if knee != nil {
		rep = knee
	}
	rep.Sweep = out
	if !cfg.json {
		if knee == nil {
			fmt.Fprintf(stdout, "\nNo step passed: below %.0f requests/s, or no knee within the sweep. The first step:\n\n", s.from)
		} else {
			fmt.Fprintf(stdout, "\nKnee: %.0f requests/s, the highest rate that kept %s and errors ≤ %.3f%%. That step:\n\n",
				out.KneeRPS, sloText(s.slo), 100*s.errorBudget)
		}
	}
	return *rep, nil
}

// writeStep prints one line per step.
func writeStep(w io.Writer, st sweepStep) {
	verdict := "ok"
	if !st.Pass {
		verdict = "FAIL: " + st.Reason
	}
	fmt.Fprintf(w, "  rate %10s/s  achieved %10s/s  p50 %9s  p99 %9s  errors %.3f%%  %s\n",
		groupDigits(int64(st.TargetRPS+0.5)), groupDigits(int64(st.AchievedRPS+0.5)),
		fmtMicros(st.P50US), fmtMicros(st.P99US), 100*st.ErrorRatio, verdict)
}

func sloText(slo []objective) string {
	var parts []string
	for _, o := range slo {
		parts = append(parts, fmt.Sprintf("%s ≤ %v", o.name, o.limit))
	}
	return strings.Join(parts, ", ")
}
