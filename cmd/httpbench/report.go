package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// schemaVersion is the version of the JSON report, documented in
// schema.json. Version 1 had no schema_version field and only the fields
// up to keep_alive; version 2 keeps every one of them, with the same
// meaning, and adds the rest. A change that removes or redefines a field
// gets a new version.
const schemaVersion = 2

// spectrumTicks is HdrHistogram's percentileTicksPerHalfDistance for the
// spectrum: 5, the default of its outputPercentileDistribution and wrk2.
const spectrumTicks = 5

// report is the summary of a run, and the JSON object -json prints. The
// first fields are the interface of the bench harness
// (bench/internal/loadgen): never rename them.
type report struct {
	SchemaVersion int       `json:"schema_version"`
	Requests      int64     `json:"requests"`
	DurationS     float64   `json:"duration_s"`
	RPS           float64   `json:"rps"`
	Bytes         int64     `json:"bytes"`
	TransferPerS  float64   `json:"transfer_per_s"`
	LatencyUS     latencyUS `json:"latency_us"`
	Errors        errorsOut `json:"errors"`

	// FirstErrors holds, for each kind of error that occurred, the first
	// error's message: what to look at when the counts are not zero.
	FirstErrors map[string]string `json:"first_errors,omitempty"`

	// Context, for whoever reads the JSON later.
	URL         string  `json:"url"`
	Connections int     `json:"connections"`
	Loops       int     `json:"loops"`
	Pipeline    int     `json:"pipeline"`
	KeepAlive   bool    `json:"keep_alive"`
	Mode        string  `json:"mode"` // "closed" or "rate"
	WarmupS     float64 `json:"warmup_s"`
	Templates   int     `json:"request_templates"`

	// LatencySpectrum is the full percentile distribution, the rows of
	// the .hgrm file.
	LatencySpectrum []spectrumStep `json:"latency_spectrum"`
	// Rate describes an open-loop run; absent in a closed loop.
	Rate *rateOut `json:"rate,omitempty"`
	// CPU is what the generator, and the server if named, spent.
	CPU cpuOut `json:"cpu"`
	// Seconds is the per-second time series.
	Seconds []secondRow `json:"seconds"`
	// Sweep is present after -sweep: every step, and the knee.
	Sweep *sweepOut `json:"sweep,omitempty"`

	hist *hist.Histogram // for the .hgrm file
}

// latencyUS holds latency figures in microseconds.
type latencyUS struct {
	Min    float64 `json:"min"`
	P50    float64 `json:"p50"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	P999   float64 `json:"p999"`
	P9999  float64 `json:"p9999"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
}

type errorsOut struct {
	Connect int64 `json:"connect"`
	Read    int64 `json:"read"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
	Parse   int64 `json:"parse"`
}

// spectrumStep is one row of the percentile spectrum.
type spectrumStep struct {
	Percentile float64 `json:"percentile"` // a fraction: 0.99 is p99
	US         float64 `json:"us"`
	Count      uint64  `json:"count"` // responses at or below us
}

// rateOut describes an open-loop run.
type rateOut struct {
	TargetRPS   float64 `json:"target_rps"`
	AchievedRPS float64 `json:"achieved_rps"` // responses per second
	SentRPS     float64 `json:"sent_rps"`
	// ShortfallPct is how far achieved_rps fell below the target, in per
	// cent of it (negative if above).
	ShortfallPct float64 `json:"shortfall_pct"`
	Sent         int64   `json:"sent"`
	Queued       int64   `json:"queued"`         // sent late: no connection was free when due
	Late         int64   `json:"late"`           // sent over 1 ms late with a connection free: the generator's delay
	Dropped      int64   `json:"dropped"`        // never sent within -t of their time (also counted as timeouts)
	BacklogAtEnd int64   `json:"backlog_at_end"` // due and unsent when the run ended
	// SendLagUS is how late requests left, from their intended time.
	SendLagUS latencyUS `json:"send_lag_us"`
	// ServiceUS is the latency from the actual send time: what a
	// closed-loop tool reports, kept beside the corrected figures.
	ServiceUS latencyUS `json:"service_time_us"`
}

// cpuOut is the CPU time spent during the measured part.
type cpuOut struct {
	SelfS            float64       `json:"self_s"`     // the generator process, user + system
	SelfCores        float64       `json:"self_cores"` // self_s per second of the run
	SelfUSPerRequest float64       `json:"self_us_per_request"`
	LoopsBusy        []float64     `json:"loops_busy"` // each loop thread's share of a core; empty where not measured
	Bottleneck       bool          `json:"bottleneck"` // the generator, not the server, probably set the pace
	Warning          string        `json:"warning,omitempty"`
	Server           *serverCPUOut `json:"server,omitempty"`
}

// serverCPUOut is the server's CPU time, from /proc/<pid>/stat (10 ms
// ticks).
type serverCPUOut struct {
	PID          int     `json:"pid"`
	S            float64 `json:"s"`
	Cores        float64 `json:"cores"`
	USPerRequest float64 `json:"us_per_request"`
}

// latencyFigures summarises a histogram of nanoseconds.
func latencyFigures(h *hist.Histogram) latencyUS {
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	return latencyUS{
		Min: us(h.Min()), P50: us(h.Quantile(0.5)), P75: us(h.Quantile(0.75)), P90: us(h.Quantile(0.9)),
		P99: us(h.Quantile(0.99)), P999: us(h.Quantile(0.999)), P9999: us(h.Quantile(0.9999)),
		Max: us(h.Max()), Mean: h.Mean() / 1e3, StdDev: h.StdDev() / 1e3,
	}
}

func newReport(cfg *config, r *result) report {
	h := &r.latency
	rep := report{
		SchemaVersion: schemaVersion,
		Requests:      r.requests,
		DurationS:     r.elapsed,
		Bytes:         r.bytes,
		LatencyUS:     latencyFigures(h),
		Errors: errorsOut{
			Connect: r.errors[kindConnect], Read: r.errors[kindRead], Timeout: r.errors[kindTimeout],
			Status: r.errors[kindStatus], Parse: r.errors[kindParse],
		},
		URL: cfg.url, Connections: cfg.conns, Loops: cfg.loops, Pipeline: cfg.pipeline, KeepAlive: cfg.keepAlive,
		Mode: "closed", WarmupS: cfg.warmup.Seconds(), Seconds: r.seconds, Templates: r.templates,
		LatencySpectrum: []spectrumStep{}, hist: h,
	}
	for _, s := range h.Spectrum(spectrumTicks) {
		rep.LatencySpectrum = append(rep.LatencySpectrum, spectrumStep{s.Percentile, float64(s.Value) / 1e3, s.Count})
	}
	if rep.Seconds == nil {
		rep.Seconds = []secondRow{}
	}
	for k, err := range r.first {
		if err != nil {
			if rep.FirstErrors == nil {
				rep.FirstErrors = make(map[string]string)
			}
			rep.FirstErrors[errKind(k).String()] = err.Error()
		}
	}
	if r.elapsed > 0 {
		rep.RPS = float64(r.requests) / r.elapsed
		rep.TransferPerS = float64(r.bytes) / r.elapsed
	}
	if r.rate != nil {
		rep.Mode = "rate"
		rep.Rate = newRateOut(r, rep.RPS)
	}
	rep.CPU = newCPUOut(cfg, r, rep)
	return rep
}

func newRateOut(r *result, achieved float64) *rateOut {
	rr := r.rate
	out := &rateOut{
		TargetRPS: rr.target, AchievedRPS: achieved, Sent: rr.sent, Queued: rr.queued, Late: rr.late,
		Dropped: rr.dropped, BacklogAtEnd: rr.backlog,
		SendLagUS: latencyFigures(&rr.lag), ServiceUS: latencyFigures(&r.service),
	}
	if r.elapsed > 0 {
		out.SentRPS = float64(rr.sent) / r.elapsed
	}
	if rr.target > 0 {
		out.ShortfallPct = 100 * (1 - achieved/rr.target)
	}
	return out
}

// newCPUOut works out the CPU figures and whether the generator was the
// bottleneck: a loop busy all the time, or (open loop) requests leaving
// late while connections sat free.
func newCPUOut(cfg *config, r *result, rep report) cpuOut {
	var c cpuOut
	c.LoopsBusy = []float64{}
	if r.elapsed <= 0 {
		return c
	}
	if r.procCPUOK {
		c.SelfS = r.procCPU.Seconds()
		c.SelfCores = c.SelfS / r.elapsed
		if r.requests > 0 {
			c.SelfUSPerRequest = 1e6 * c.SelfS / float64(r.requests)
		}
	}
	busiest, which := 0.0, 0
	if r.loopCPUOK {
		for i, d := range r.loopCPU {
			b := d.Seconds() / r.elapsed
			c.LoopsBusy = append(c.LoopsBusy, b)
			if b > busiest {
				busiest, which = b, i
			}
		}
	}
	switch {
	case busiest >= busyThreshold:
		c.Bottleneck = true
		c.Warning = fmt.Sprintf("httpbench's loop %d was busy %.0f%% of the run: the load generator, "+
			"not the server, may have set the pace; add -loops or give it a core of its own", which, 100*busiest)
	case rep.Rate != nil && rep.Rate.Sent > 0 && float64(rep.Rate.Late) > 0.01*float64(rep.Rate.Sent):
		c.Bottleneck = true
		c.Warning = fmt.Sprintf("httpbench sent %.1f%% of the requests over %v late with a connection free: "+
			"the load generator could not keep the schedule", 100*float64(rep.Rate.Late)/float64(rep.Rate.Sent), lateThreshold)
	}
	if cfg.serverPID > 0 && r.srvCPUOK {
		s := &serverCPUOut{PID: cfg.serverPID, S: r.srvCPU.Seconds()}
		s.Cores = s.S / r.elapsed
		if r.requests > 0 {
			s.USPerRequest = 1e6 * s.S / float64(r.requests)
		}
		c.Server = s
	}
	return c
}

// writeJSON prints the report as one JSON object on one line.
func writeJSON(w io.Writer, rep report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeHeader announces the run, as wrk does, before it starts.
func writeHeader(w io.Writer, cfg *config) {
	what := fmt.Sprintf("%v test", cfg.duration)
	if cfg.total > 0 {
		what = fmt.Sprintf("%d requests", cfg.total)
	}
	mode := "keep-alive"
	if !cfg.keepAlive {
		mode = "a new connection per request"
	}
	fmt.Fprintf(w, "Running %s @ %s\n  %d connections on %d %s, pipeline depth %d, %s\n",
		what, cfg.url, cfg.conns, cfg.loops, plural(cfg.loops, "loop", "loops"), cfg.pipeline, mode)
	if cfg.rate > 0 {
		fmt.Fprintf(w, "  open loop at %s requests/s, latency from each request's intended send time\n",
			groupDigits(int64(cfg.rate+0.5)))
	}
	if cfg.warmup > 0 {
		fmt.Fprintf(w, "  after a %v warm-up, not counted\n", cfg.warmup)
	}
	fmt.Fprintln(w)
}

// writeText prints the summary for people.
func writeText(w io.Writer, rep report) {
	l := rep.LatencyUS
	fmt.Fprintf(w, "  Latency  %10s %10s %10s %10s %10s %10s\n", "p50", "p90", "p99", "p99.9", "max", "mean")
	if rep.Requests == 0 {
		fmt.Fprintf(w, "           %10s (no responses)\n", "n/a")
	} else {
		fmt.Fprintf(w, "           %10s %10s %10s %10s %10s %10s\n",
			fmtMicros(l.P50), fmtMicros(l.P90), fmtMicros(l.P99), fmtMicros(l.P999), fmtMicros(l.Max), fmtMicros(l.Mean))
	}
	if r := rep.Rate; r != nil && rep.Requests > 0 {
		s := r.ServiceUS
		fmt.Fprintf(w, "  from send%10s %10s %10s %10s %10s %10s  (uncorrected: what a closed loop would show)\n",
			fmtMicros(s.P50), fmtMicros(s.P90), fmtMicros(s.P99), fmtMicros(s.P999), fmtMicros(s.Max), fmtMicros(s.Mean))
	}
	fmt.Fprintf(w, "  %s requests in %.2fs, %s read\n", groupDigits(rep.Requests), rep.DurationS, fmtBytes(float64(rep.Bytes)))
	fmt.Fprintf(w, "Requests/sec: %12.2f\n", rep.RPS)
	fmt.Fprintf(w, "Transfer/sec: %12s\n", fmtBytes(rep.TransferPerS))
	if r := rep.Rate; r != nil {
		short := fmt.Sprintf("%.2f%% short of it", max(r.ShortfallPct, 0))
		if r.ShortfallPct < 0 {
			short = fmt.Sprintf("%.2f%% over it", -r.ShortfallPct)
		}
		fmt.Fprintf(w, "Rate: target %s/s, achieved %s/s, %s; sent %s: %s waited for a connection, %s left over %v late with one free, %s dropped, %s due and unsent at the end\n",
			groupDigits(int64(r.TargetRPS+0.5)), groupDigits(int64(r.AchievedRPS+0.5)), short, groupDigits(r.Sent),
			groupDigits(r.Queued), groupDigits(r.Late), lateThreshold, groupDigits(r.Dropped), groupDigits(r.BacklogAtEnd))
	}
	e := rep.Errors
	fmt.Fprintf(w, "Errors: connect %d, read %d, timeout %d, status %d, parse %d\n",
		e.Connect, e.Read, e.Timeout, e.Status, e.Parse)
	for k := range numKinds {
		if msg, ok := rep.FirstErrors[k.String()]; ok {
			fmt.Fprintf(w, "  first %s error: %s\n", k, msg)
		}
	}
	writeCPUText(w, rep.CPU)
}

// writeCPUText prints the CPU line.
func writeCPUText(w io.Writer, c cpuOut) {
	fmt.Fprintf(w, "CPU: httpbench %.2f cores, %.1fµs per request", c.SelfCores, c.SelfUSPerRequest)
	if len(c.LoopsBusy) > 0 {
		fmt.Fprintf(w, " (loops busy")
		for _, b := range c.LoopsBusy {
			fmt.Fprintf(w, " %.0f%%", 100*b)
		}
		fmt.Fprintf(w, ")")
	}
	if s := c.Server; s != nil {
		fmt.Fprintf(w, "; server (pid %d) %.2f cores, %.1fµs per request", s.PID, s.Cores, s.USPerRequest)
	}
	fmt.Fprintln(w)
}

// fmtMicros prints a latency with a unit that suits it.
func fmtMicros(us float64) string {
	d := time.Duration(us * 1e3)
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", us)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", us/1e3)
	}
	return fmt.Sprintf("%.2fs", us/1e6)
}

// fmtBytes prints a byte count in binary units.
func fmtBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for ; n >= 1024 && i < len(units)-1; i++ {
		n /= 1024
	}
	if i == 0 {
		return fmt.Sprintf("%.0fB", n)
	}
	return fmt.Sprintf("%.2f%s", n, units[i])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
