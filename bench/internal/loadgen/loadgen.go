// Package loadgen drives HTTP load at a server through a pluggable load
// generator: wrk, the project's own cmd/httpbench, or Probe, a small
// in-process client used when neither is wanted (the smoke run).
//
// Every generator takes the same Spec and returns the same Result, so the
// harness can switch between them with one setting.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Spec describes one load run.
type Spec struct {
	URL         string        // target, e.g. http://127.0.0.1:8080/
	Connections int           // concurrent connections
	Duration    time.Duration // how long to send requests
	Pipeline    int           // requests written at once per connection; 1 means no pipelining
	Close       bool          // send "Connection: close": a new connection per request
	Threads     int           // the generator's threads or event loops; 0 or 1: one
}

// Errors counts failed requests by kind.
type Errors struct {
	Connect int64 // connections that could not be opened
	Read    int64 // read or write failures and malformed responses
	Timeout int64 // requests that got no answer in time
	Status  int64 // wrong responses: status not 2xx, unparseable, or (for Probe) a wrong body
}

// Total returns the sum of all error counts.
func (e Errors) Total() int64 { return e.Connect + e.Read + e.Timeout + e.Status }

// Result is what one load run measured.
type Result struct {
	Requests int64         // responses received
	Elapsed  time.Duration // the generator's own measure of the run's length
	RPS      float64       // responses per second
	P99      time.Duration // 99th percentile latency; valid only if HasP99
	HasP99   bool          // false when the generator cannot measure it (wrk under pipelining)
	Errors   Errors
	CPU      time.Duration // the generator process's user+system CPU time; 0 if not measured
	Wall     time.Duration // wall time of the generator process (or call)
}

// CPUShare returns the fraction of one core the generator used, or 0 if its
// CPU time was not measured.
func (r Result) CPUShare() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.CPU) / float64(r.Wall)
}

// Generator is a load generator.
type Generator interface {
	// Name identifies the generator in reports, e.g. "wrk".
	Name() string
	// Version describes the generator's version, for the report.
	Version() string
	// Command returns the command line that runs spec, or nil if the
	// generator runs in-process. The report prints it.
	Command(spec Spec) []string
	// Run performs the load run.
	Run(ctx context.Context, spec Spec) (Result, error)
}

// runCommand runs argv, bounded by ctx and by the run's duration plus a
// grace period, and returns its standard output, its CPU and wall time.
func runCommand(ctx context.Context, argv []string, d time.Duration) (stdout []byte, cpu, wall time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return out.Bytes(), cpu, wall, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, bytes.TrimSpace(errb.Bytes()))
	}
	return out.Bytes(), cpu, wall, nil
}
