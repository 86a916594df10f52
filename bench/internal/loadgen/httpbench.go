package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Httpbench drives the project's own load generator, cmd/httpbench, which
// is invoked as
//
//	httpbench -c N -d DURATION [-loops THREADS] [-p DEPTH] [-k=false] -json URL
//
// and prints one JSON object on standard output (see HttpbenchReport).
// Its latency percentiles stay valid under pipelining. Malformed responses
// ("parse" errors) count as wrong responses, like a status that is not 2xx.
type Httpbench struct {
	Path   string   // the httpbench binary
	Prefix []string // command prefix, e.g. taskset -c 1
}

// HttpbenchReport is the JSON object httpbench -json prints.
type HttpbenchReport struct {
	Requests     int64   `json:"requests"`
	DurationS    float64 `json:"duration_s"`
	RPS          float64 `json:"rps"`
	Bytes        int64   `json:"bytes"`
	TransferPerS float64 `json:"transfer_per_s"`
	LatencyUS    struct {
		P50  float64 `json:"p50"`
		P90  float64 `json:"p90"`
		P99  float64 `json:"p99"`
		P999 float64 `json:"p999"`
		Max  float64 `json:"max"`
	} `json:"latency_us"`
	Errors struct {
		Connect int64 `json:"connect"`
		Read    int64 `json:"read"`
		Timeout int64 `json:"timeout"`
		Status  int64 `json:"status"`
		Parse   int64 `json:"parse"` // malformed responses; optional
	} `json:"errors"`
}

// Name implements Generator.
func (h *Httpbench) Name() string { return "httpbench" }

// Version implements Generator. httpbench has no version flag; the binary
// is built from this repository, so the report names the commit instead.
func (h *Httpbench) Version() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "httpbench (this repository)"
	}
	return "httpbench at commit " + strings.TrimSpace(string(out))
}

// Command implements Generator.
func (h *Httpbench) Command(s Spec) []string {
	argv := append([]string{}, h.Prefix...)
	argv = append(argv, h.Path, "-c", strconv.Itoa(s.Connections), "-d", s.Duration.String())
	if s.Threads > 1 {
		argv = append(argv, "-loops", strconv.Itoa(s.Threads))
	}
	if s.Pipeline > 1 {
		argv = append(argv, "-p", strconv.Itoa(s.Pipeline))
	}
	if s.Close {
		argv = append(argv, "-k=false")
	}
	return append(argv, "-json", s.URL)
}

// Run implements Generator.
func (h *Httpbench) Run(ctx context.Context, s Spec) (Result, error) {
	out, cpu, wall, err := runCommand(ctx, h.Command(s), s.Duration)
	if err != nil {
		return Result{}, err
	}
	r, err := ParseHttpbench(out)
	if err != nil {
		return Result{}, err
	}
	r.CPU, r.Wall = cpu, wall
	return r, nil
}

// ParseHttpbench reads httpbench's JSON report.
func ParseHttpbench(out []byte) (Result, error) {
	var rep HttpbenchReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return Result{}, fmt.Errorf("httpbench -json output: %w: %.200q", err, out)
	}
	if rep.DurationS <= 0 {
		return Result{}, fmt.Errorf("httpbench -json output: duration_s is %v", rep.DurationS)
	}
	return Result{
		Requests: rep.Requests,
		Elapsed:  time.Duration(rep.DurationS * float64(time.Second)),
		RPS:      rep.RPS,
		P99:      time.Duration(rep.LatencyUS.P99 * float64(time.Microsecond)),
		HasP99:   rep.Requests > 0,
		Errors: Errors{
			Connect: rep.Errors.Connect,
			Read:    rep.Errors.Read,
			Timeout: rep.Errors.Timeout,
			Status:  rep.Errors.Status + rep.Errors.Parse,
		},
	}, nil
}
