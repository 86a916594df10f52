package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Wrk drives wrk (https://github.com/wg/wrk) with one thread.
//
// wrk has no pipelining or Connection: close option of its own; Lua scripts
// in ScriptDir provide both (pipeline.lua, close.lua). Its latency
// percentiles are not valid under pipelining (it reports 0), so a pipelined
// Result has HasP99 false. wrk takes whole seconds only, so durations are
// rounded up to at least one second.
type Wrk struct {
	Path      string   // the wrk binary
	ScriptDir string   // directory holding pipeline.lua and close.lua
	Prefix    []string // command prefix, e.g. taskset -c 1
}

// Name implements Generator.
func (w *Wrk) Name() string { return "wrk" }

// Version implements Generator: the first line of `wrk -v` up to the
// build details, e.g. "wrk 4.2.0".
func (w *Wrk) Version() string {
	out, _ := exec.Command(w.Path, "-v").CombinedOutput() // wrk -v exits with status 1
	line, _, _ := strings.Cut(string(out), "\n")
	line, _, _ = strings.Cut(line, " [")
	if line = strings.TrimSpace(line); line == "" {
		return "wrk (version unknown)"
	}
	return line
}

// Command implements Generator.
func (w *Wrk) Command(s Spec) []string {
	argv := append([]string{}, w.Prefix...)
	argv = append(argv, w.Path, fmt.Sprintf("-t%d", max(s.Threads, 1)), fmt.Sprintf("-c%d", s.Connections),
		fmt.Sprintf("-d%ds", wholeSeconds(s.Duration)), "--latency")
	switch {
	case s.Pipeline > 1:
		argv = append(argv, "-s", filepath.Join(w.ScriptDir, "pipeline.lua"), s.URL, "--", strconv.Itoa(s.Pipeline))
		return argv
	case s.Close:
		argv = append(argv, "-s", filepath.Join(w.ScriptDir, "close.lua"))
	}
	return append(argv, s.URL)
}

// wholeSeconds rounds d up to whole seconds, at least one.
func wholeSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// Run implements Generator.
func (w *Wrk) Run(ctx context.Context, s Spec) (Result, error) {
	out, cpu, wall, err := runCommand(ctx, w.Command(s), time.Duration(wholeSeconds(s.Duration))*time.Second)
	if err != nil {
		return Result{}, err
	}
	r, err := ParseWrk(out)
	if err != nil {
		return Result{}, fmt.Errorf("wrk output: %w\n%s", err, out)
	}
	r.HasP99 = r.HasP99 && s.Pipeline <= 1
	r.CPU, r.Wall = cpu, wall
	return r, nil
}

// ParseWrk reads the report wrk prints with --latency.
func ParseWrk(out []byte) (Result, error) {
	var r Result
	var haveCount, haveRPS bool
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) == 2 && f[0] == "99%":
			r.P99, err = parseWrkDuration(f[1])
			r.HasP99 = err == nil
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			r.Requests, err = strconv.ParseInt(f[0], 10, 64)
			if err == nil {
				r.Elapsed, err = parseWrkDuration(strings.TrimSuffix(f[3], ","))
			}
			haveCount = err == nil
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.RPS, err = strconv.ParseFloat(f[1], 64)
			haveRPS = err == nil
		case len(f) == 10 && f[0] == "Socket" && f[1] == "errors:":
			err = parseSocketErrors(f[2:], &r.Errors)
		case len(f) == 5 && strings.Join(f[:4], " ") == "Non-2xx or 3xx responses:":
			r.Errors.Status, err = strconv.ParseInt(f[4], 10, 64)
		}
		if err != nil {
			return r, fmt.Errorf("line %q: %w", sc.Text(), err)
		}
	}
	if !haveCount || !haveRPS {
		return r, fmt.Errorf("no request count or Requests/sec line")
	}
	return r, nil
}

// parseSocketErrors reads "connect 0, read 0, write 0, timeout 0".
func parseSocketErrors(f []string, e *Errors) error {
	for i := 0; i+1 < len(f); i += 2 {
		n, err := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
		if err != nil {
			return err
		}
		switch f[i] {
		case "connect":
			e.Connect += n
		case "read", "write":
			e.Read += n
		case "timeout":
			e.Timeout += n
		}
	}
	return nil
}

// wrkUnits are the suffixes wrk prints durations with, longest first among
// those sharing a last letter.
var wrkUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"us", time.Microsecond},
	{"ms", time.Millisecond},
	{"s", time.Second},
	{"m", time.Minute},
	{"h", time.Hour},
}

// parseWrkDuration parses durations as wrk prints them: "812.00us",
// "1.25ms", "5.00s", "1.00m".
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range wrkUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("duration %q: unknown unit", s)
}
