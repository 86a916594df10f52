// Command httpbench is an HTTP/1.1 load generator built on the project's
// own event loop (internal/poller), the client side of the same reactor
// the server runs on. It measures how many requests a server answers per
// second over a fixed set of connections, and how long each one takes.
//
// Usage:
//
//	httpbench [flags] http://host[:port]/path[?query]
//
// The flags are:
//
//	-c N        connections (default 64), spread over the loops
//	-d D        how long to run (default 10s), e.g. 500ms, 30s
//	-n N        run until N requests have been issued and answered
//	            (or failed) instead; -n wins over -d
//	-p N        pipeline depth: requests written at once per connection
//	            (default 1)
//	-k=false    a new connection per request, with Connection: close
//	            (connection churn); default true, keep-alive
//	-H "N: v"   an extra request header (repeatable)
//	-m METHOD   request method (default GET)
//	-body S     request body, sent with Content-Length
//	-t D        timeout per request, and per connect (default 5s)
//	-loops N    event loops, each on its own goroutine and OS thread
//	            (default 1)
//	-json       print one JSON object on standard output instead of the
//	            text summary
//
// On a terminal, a status line (elapsed time, requests, current req/s,
// errors) is redrawn on standard error four times a second; when standard
// error is not a terminal the run is silent until the summary. The
// summary gives requests per second, bytes per second, latency
// percentiles (p50, p90, p99, p99.9, max) and errors by kind. With -json
// it is one object:
//
//	{"requests":N,"duration_s":F,"rps":F,"bytes":N,"transfer_per_s":F,
//	 "latency_us":{"p50":F,"p90":F,"p99":F,"p999":F,"max":F,"mean":F},
//	 "errors":{"connect":N,"read":N,"timeout":N,"status":N,"parse":N},
//	 "first_errors":{"KIND":"message",...},
//	 "url":S,"connections":N,"loops":N,"pipeline":N,"keep_alive":B}
//
// first_errors, present only when errors occurred, gives the first error
// of each kind that did, to show what went wrong.
//
// # What is counted
//
// Every response is parsed: status line, headers, and body framing by
// Content-Length, chunked encoding, or end of file, so that a request
// counts only when its own response has arrived whole (bytes are never
// counted blindly). "requests" counts complete responses of any status, as
// wrk does; those not 2xx are also counted as status errors (wrk counts
// only 4xx and 5xx). The other
// errors count requests that got no valid response: connect (a connect
// that failed or took longer than -t), read (lost to a failed read or
// write, or to the server closing first), timeout (in flight on a
// connection whose oldest request waited longer than -t), parse (a
// malformed response). With -n N, requests plus these errors add up to N.
// When a server answers with Connection: close, the requests pipelined
// behind that response are sent again on a new connection, not counted
// as errors: the server has not processed them.
//
// # Latency under pipelining
//
// A connection writes -p requests at once and writes the next batch when
// all of them are answered (wrk's pipelining). It keeps the send time of
// each request in flight in a small ring; since responses come back in
// request order, the oldest entry belongs to the response being parsed,
// and a request's latency runs from when it was queued for writing to
// when its own response was completely parsed. Requests are written the
// moment they are queued (the kernel takes them at once unless the
// socket's buffer is full, and then the wait is rightly part of the
// latency). So the i-th response of a batch shows the time the server
// took to answer i requests, and the percentiles stay meaningful under
// pipelining; wrk, which times a connection rather than a request, reads
// 0 there. The mean latency obeys Little's law: it is close to the
// requests in flight (-c × -p) divided by the rate.
//
// Times come from the event loop's clock, read once per wake-up rather
// than once per request (Loop.Nanotime): a request's send time is when
// the loop woke up to write it, and its receive time when the loop woke
// up to read it. A latency can therefore be off by the time the loop
// spends handling one batch of events, a few microseconds per ready
// connection. Latencies go to a log-linear histogram (internal/hist) of
// fixed size, 38 KiB per loop, exact below 256 ns and within 0.4 % above;
// no per-request record is kept.
//
// # Differences from wrk
//
//   - Latency is per request and valid under pipelining (above); wrk
//     records one sample per batch, when its last response arrives, and
//     with a pipelining script its percentiles read 0.
//   - Responses are validated and framed (Content-Length, chunked,
//     close-delimited, 1xx, HEAD, 204/304), never counted by bytes.
//   - Connect time is not part of a request's latency (as in wrk), but
//     with -k=false each request gets a fresh connection, so churn
//     throughput is measured.
//   - A run stops counting at the deadline: responses to requests still
//     in flight then are neither counted nor errors, as in wrk.
//   - There is no scripting; -H, -m and -body cover the usual needs.
//
// # Cost
//
// It allocates nothing per request in steady state: the request bytes are
// formatted once, sockets run in the poller's owner mode (no future or
// callback per request), the histogram is preallocated, and a loop's
// connections share one 64 KiB read buffer: they read one at a time, and
// the rare partial head left over by a read is kept in a small
// per-connection buffer. A connection thus costs about 200 bytes plus
// what the kernel keeps for its socket. Requests are written as soon as
// they are due, without waiting for write readiness (wrk arms and disarms
// write interest for each request, two epoll_ctl calls more).
//
// Exit status is 0 after a run, whatever errors it counted; 1 when the run
// could not start; 2 for a bad command line or URL. Traffic goes only to
// the URL given; only http:// is supported.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
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
	timeout   time.Duration
	json      bool
	loops     int
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
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, "duration of the run")
	fs.Int64Var(&cfg.total, "n", 0, "number of requests (instead of -d)")
	fs.IntVar(&cfg.pipeline, "p", 1, "pipeline depth: requests written at once per connection")
	fs.BoolVar(&cfg.keepAlive, "k", true, "keep connections alive; false: a new connection per request")
	var hdrs headerFlags
	fs.Var(&hdrs, "H", "extra request header \"Name: value\" (repeatable)")
	fs.StringVar(&cfg.method, "m", "GET", "request method")
	fs.StringVar(&cfg.body, "body", "", "request body")
	fs.DurationVar(&cfg.timeout, "t", 5*time.Second, "timeout per request and per connect")
	fs.BoolVar(&cfg.json, "json", false, "print a JSON object instead of the text summary")
	fs.IntVar(&cfg.loops, "loops", 1, "number of event loops (threads)")
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
	}
	cfg.loops = min(cfg.loops, cfg.conns) // a loop without connections would idle
	return nil
}

// run is main with its inputs and outputs passed in, for tests. It
// returns the exit status: 0 after a run, whatever errors it counted; 1
// when the run could not start; 2 for a bad command line or URL.
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
	if !cfg.json {
		writeHeader(stdout, cfg)
	}
	res, err := bench(cfg, t, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "httpbench: %v\n", err)
		return 1
	}
	rep := newReport(cfg, res)
	if cfg.json {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "httpbench: %v\n", err)
			return 1
		}
		return 0
	}
	writeText(stdout, rep)
	return 0
}

// bench performs the run against t: one worker per loop, each on its own
// goroutine, the connections and any -n budget shared out among them.
func bench(cfg *config, t target, progressOut io.Writer) (*result, error) {
	p := newPlan(cfg, t)
	workers := make([]*worker, cfg.loops)
	for i := range workers {
		conns := share(int64(cfg.conns), cfg.loops, i)
		budget := int64(-1)
		if cfg.total > 0 {
			budget = budgetShare(cfg.total, cfg.conns, cfg.loops, i)
		}
		w, err := newWorker(p, int(conns), budget)
		if err != nil {
			for _, w := range workers[:i] {
				w.loop.Close()
			}
			return nil, err
		}
		workers[i] = w
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(start) })
	}
	prog := startProgress(progressOut, workers, start)
	wg.Wait()
	prog.Stop()

	res := &result{}
	var end time.Time
	for _, w := range workers {
		if w.err != nil {
			return nil, w.err
		}
		res.add(&w.counts)
		res.latency.Merge(&w.latency)
		if w.end.After(end) {
			end = w.end
		}
	}
	res.elapsed = end.Sub(start).Seconds()
	return res, nil
}

// share returns part i of n split into k near-equal parts.
func share(n int64, k, i int) int64 {
	part := n / int64(k)
	if int64(i) < n%int64(k) {
		part++
	}
	return part
}

// budgetShare splits -n among the loops in proportion to their
// connections, so that no loop runs long after the others.
func budgetShare(total int64, conns, loops, i int) int64 {
	var given int64
	parts := make([]int64, loops)
	for j := range parts {
		parts[j] = total * share(int64(conns), loops, j) / int64(conns)
		given += parts[j]
	}
	for j := 0; given < total; j++ {
		parts[j]++
		given++
	}
	return parts[i]
}
