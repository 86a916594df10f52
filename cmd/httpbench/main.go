package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"asynchttpserver.dev/internal/parser"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	url       string
	conns     int
	duration  time.Duration
	total     int64 // -n; 0 means the run lasts duration
	pipeline  int
	keepAlive bool
	headers   []header
	method    string
	body      string
	chunked   bool
	timeout   time.Duration
	json      bool
	loops     int

	rate      float64       // -rate: requests per second, open loop; 0: closed loop
	warmup    time.Duration // -warmup: load before the measured part
	requests  string        // -requests: a file of request templates
	hgrmFile  string        // -hgrm: where to write the percentile distribution
	csvFile   string        // -csv: where to write the per-second series
	serverPID int           // -server-pid: whose CPU time to report

	sweep       string // -sweep from:to:step
	slo         string // -slo p99=10ms,...
	errorBudget string // -error-budget 0.1%
}

// headerFlags collects repeated -H flags.
type headerFlags []header

func (h *headerFlags) String() string { return fmt.Sprint(*h) }

func (h *headerFlags) Set(s string) error {
	hd, err := parseHeader(s)
	if err != nil {
		return err
	}
	*h = append(*h, hd)
	return nil
}

// parseFlags reads the command line. Flags may come before or after the
// URL, as with wrk.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("httpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.conns, "c", 64, "number of connections")
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, "duration of the run (of each step, with -sweep)")
	fs.Int64Var(&cfg.total, "n", 0, "number of requests (instead of -d)")
	fs.IntVar(&cfg.pipeline, "p", 1, "pipeline depth: requests written at once per connection (with -rate: at most in flight)")
	fs.BoolVar(&cfg.keepAlive, "k", true, "keep connections alive; false: a new connection per request")
	var hdrs headerFlags
	fs.Var(&hdrs, "H", "extra request header \"Name: value\" (repeatable)")
	fs.StringVar(&cfg.method, "m", "GET", "request method")
	fs.StringVar(&cfg.body, "body", "", "request body")
	fs.BoolVar(&cfg.chunked, "chunked", false, "send -body with Transfer-Encoding: chunked instead of Content-Length")
	fs.DurationVar(&cfg.timeout, "t", 5*time.Second, "timeout per request and per connect")
	fs.BoolVar(&cfg.json, "json", false, "print a JSON object instead of the text summary")
	fs.IntVar(&cfg.loops, "loops", 1, "number of event loops (threads)")
	fs.Float64Var(&cfg.rate, "rate", 0, "open loop: send `N` requests per second on schedule, latency from each one's intended send time (0: closed loop)")
	fs.DurationVar(&cfg.warmup, "warmup", 0, "load for this long before measuring; excluded from every figure")
	fs.StringVar(&cfg.requests, "requests", "", "`file` of request templates, one JSON object a line (see the package documentation)")
	fs.StringVar(&cfg.hgrmFile, "hgrm", "", "write the latency percentile distribution to `file` (HdrHistogram .hgrm, milliseconds)")
	fs.StringVar(&cfg.csvFile, "csv", "", "write the per-second series to `file` (CSV)")
	fs.IntVar(&cfg.serverPID, "server-pid", 0, "report this process's CPU time per request (Linux /proc)")
	fs.StringVar(&cfg.sweep, "sweep", "", "open loop at rising rates `from:to:step` (step N adds, xF multiplies) until -slo or -error-budget breaks")
	fs.StringVar(&cfg.slo, "slo", "", "latency objective for -sweep, e.g. p99=10ms or p50=1ms,p99=10ms (default p99=10ms)")
	fs.StringVar(&cfg.errorBudget, "error-budget", "", "largest share of failed requests a -sweep step may have, e.g. 0.1% (default 0.1%)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: httpbench [flags] http://host[:port]/path\n")
		fs.PrintDefaults()
	}
	var urls []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		urls = append(urls, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(urls) != 1 {
		fs.Usage()
		return nil, fmt.Errorf("want one URL, got %d", len(urls))
	}
	cfg.url, cfg.headers = urls[0], hdrs
	return cfg, cfg.check()
}

// check rejects settings that cannot work.
func (cfg *config) check() error {
	switch {
	case cfg.conns < 1:
		return fmt.Errorf("-c %d: need at least one connection", cfg.conns)
	case cfg.total < 0:
		return fmt.Errorf("-n %d: must not be negative", cfg.total)
	case cfg.total == 0 && cfg.duration <= 0:
		return fmt.Errorf("-d %v: must be positive", cfg.duration)
	case cfg.pipeline < 1 || cfg.pipeline > 1024:
		return fmt.Errorf("-p %d: want 1 to 1024", cfg.pipeline)
	case !cfg.keepAlive && cfg.pipeline > 1:
		return errors.New("-k=false sends one request per connection: it cannot pipeline (-p)")
	case cfg.timeout <= 0:
		return fmt.Errorf("-t %v: must be positive", cfg.timeout)
	case cfg.loops < 1:
		return fmt.Errorf("-loops %d: need at least one", cfg.loops)
	case cfg.method == "" || strings.IndexFunc(cfg.method, func(r rune) bool { return r >= 0x80 || !parser.IsTokenChar(byte(r)) }) >= 0:
		return fmt.Errorf("-m %q: not a valid method", cfg.method)
	case cfg.rate < 0 || cfg.rate > 1e8:
		return fmt.Errorf("-rate %v: want 0 (closed loop) to 100000000 requests per second", cfg.rate)
	case cfg.warmup < 0:
		return fmt.Errorf("-warmup %v: must not be negative", cfg.warmup)
	case cfg.warmup > 0 && cfg.total > 0:
		return errors.New("-warmup needs a timed run (-d), not -n: requests answered after the warm-up would not add up to -n")
	case cfg.sweep != "" && cfg.total > 0:
		return errors.New("-sweep runs each step for -d; it cannot take -n")
	case cfg.sweep == "" && (cfg.slo != "" || cfg.errorBudget != ""):
		return errors.New("-slo and -error-budget judge the steps of a -sweep")
	case cfg.serverPID < 0:
		return fmt.Errorf("-server-pid %d: not a process id", cfg.serverPID)
	}
	cfg.loops = min(cfg.loops, cfg.conns) // a loop without connections would idle
	return nil
}

// run is main with its inputs and outputs passed in, for tests. It
// returns the exit status: 0 after a run, whatever errors it counted; 1
// when the run could not start or its output could not be written; 2 for
// a bad command line, URL or request file.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 2
	}
	t, err := parseTarget(cfg.url)
	if err != nil {
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 2
	}
	templates, err := loadTemplates(cfg, t)
	if err != nil {
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 2
	}
	var sw *sweepSpec
	if cfg.sweep != "" {
		if sw, err = parseSweep(cfg.sweep, cfg.slo, cfg.errorBudget); err != nil {
			fmt.Fprintf(stderr, "httpbench: %v\n", err)
			return 2
		}
	}
	if !cfg.json {
		writeHeader(stdout, cfg)
	}
	var rep report
	if sw != nil {
		rep, err = runSweep(cfg, t, templates, sw, stdout, stderr)
	} else {
		var res *result
		if res, err = bench(cfg, t, templates, stderr); err == nil {
			rep = newReport(cfg, res)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 1
	}
	if err := writeFiles(cfg, rep); err != nil {
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 1
	}
	if cfg.json {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "httpbench: %v\n", err)
			return 1
		}
		return 0
	}
	writeText(stdout, rep)
	if rep.CPU.Warning != "" {
		fmt.Fprintf(stderr, "httpbench: warning: %s\n", rep.CPU.Warning)
	}
	return 0
}

// writeFiles writes the -hgrm and -csv files of a run.
func writeFiles(cfg *config, rep report) error {
	if cfg.hgrmFile != "" {
		if err := writeFileWith(cfg.hgrmFile, func(w io.Writer) error { return writeHgrm(w, rep.hist) }); err != nil {
			return err
		}
	}
	if cfg.csvFile != "" {
		if err := writeFileWith(cfg.csvFile, func(w io.Writer) error { return writeSeriesCSV(w, rep.Seconds) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFileWith creates path and fills it with write.
func writeFileWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// parseRatio reads "0.1%" or "0.001" as a fraction.
func parseRatio(s string) (float64, error) {
	scale := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, scale = t, 0.01
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v*scale > 1 {
		return 0, fmt.Errorf("%q: want a fraction such as 0.001 or 0.1%%", s)
	}
	return v * scale, nil
}
