package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// report is the summary of a run, and the JSON object -json prints. The
// first fields are the interface of the bench harness
// (bench/internal/loadgen): never rename them.
type report struct {
	Requests     int64     `json:"requests"`
	DurationS    float64   `json:"duration_s"`
	RPS          float64   `json:"rps"`
	Bytes        int64     `json:"bytes"`
	TransferPerS float64   `json:"transfer_per_s"`
	LatencyUS    latencyUS `json:"latency_us"`
	Errors       errorsOut `json:"errors"`

	// FirstErrors holds, for each kind of error that occurred, the first
	// error's message: what to look at when the counts are not zero.
	FirstErrors map[string]string `json:"first_errors,omitempty"`

	// Context, for whoever reads the JSON later.
	URL         string `json:"url"`
	Connections int    `json:"connections"`
	Loops       int    `json:"loops"`
	Pipeline    int    `json:"pipeline"`
	KeepAlive   bool   `json:"keep_alive"`
}

// latencyUS holds latency figures in microseconds.
type latencyUS struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

type errorsOut struct {
	Connect int64 `json:"connect"`
	Read    int64 `json:"read"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
	Parse   int64 `json:"parse"`
}

func newReport(cfg *config, r *result) report {
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	h := &r.latency
	rep := report{
		Requests:  r.requests,
		DurationS: r.elapsed,
		Bytes:     r.bytes,
		LatencyUS: latencyUS{
			P50: us(h.Quantile(0.5)), P90: us(h.Quantile(0.9)), P99: us(h.Quantile(0.99)),
			P999: us(h.Quantile(0.999)), Max: us(h.Max()), Mean: h.Mean() / 1e3,
		},
		Errors: errorsOut{
			Connect: r.errors[kindConnect], Read: r.errors[kindRead], Timeout: r.errors[kindTimeout],
			Status: r.errors[kindStatus], Parse: r.errors[kindParse],
		},
		URL: cfg.url, Connections: cfg.conns, Loops: cfg.loops, Pipeline: cfg.pipeline, KeepAlive: cfg.keepAlive,
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
	return rep
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
	fmt.Fprintf(w, "Running %s @ %s\n  %d connections on %d %s, pipeline depth %d, %s\n\n",
		what, cfg.url, cfg.conns, cfg.loops, plural(cfg.loops, "loop", "loops"), cfg.pipeline, mode)
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
	fmt.Fprintf(w, "  %s requests in %.2fs, %s read\n", groupDigits(rep.Requests), rep.DurationS, fmtBytes(float64(rep.Bytes)))
	fmt.Fprintf(w, "Requests/sec: %12.2f\n", rep.RPS)
	fmt.Fprintf(w, "Transfer/sec: %12s\n", fmtBytes(rep.TransferPerS))
	e := rep.Errors
	fmt.Fprintf(w, "Errors: connect %d, read %d, timeout %d, status %d, parse %d\n",
		e.Connect, e.Read, e.Timeout, e.Status, e.Parse)
	for k := range numKinds {
		if msg, ok := rep.FirstErrors[k.String()]; ok {
			fmt.Fprintf(w, "  first %s error: %s\n", k, msg)
		}
	}
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
