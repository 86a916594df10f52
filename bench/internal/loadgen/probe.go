package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"asynchttpserver.dev/bench/internal/verify"
)

// Probe is a small in-process load generator built on Go's net package and
// http.ReadResponse. It checks every response against what the URL's path
// should answer (verify.ForPath: status 200, the body "Hello World" at /, the
// JSON hello at /hello/world) and counts a wrong one as a status error. It is meant for the
// smoke run, which must not depend on wrk: it is not tuned for speed, and
// since it shares the harness's process its CPU time is not measured.
type Probe struct{}

// maxSamples bounds the latency samples each connection keeps.
const maxSamples = 10000

// Name implements Generator.
func (Probe) Name() string { return "probe" }

// Version implements Generator.
func (Probe) Version() string { return "probe (in-process Go client)" }

// Command implements Generator: Probe runs in-process.
func (Probe) Command(Spec) []string { return nil }

// Run implements Generator.
func (Probe) Run(ctx context.Context, s Spec) (Result, error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return Result{}, fmt.Errorf("probe: %w", err)
	}
	want, ok := verify.ForPath(u.Path)
	if !ok {
		return Result{}, fmt.Errorf("probe: no expected response for path %q", u.Path)
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
	if s.Close {
		req += "Connection: close\r\n"
	}
	batch := strings.Repeat(req+"\r\n", max(1, s.Pipeline))

	start := time.Now()
	end := start.Add(s.Duration)
	workers := make([]probeConn, s.Connections)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		w.addr, w.batch, w.depth, w.close, w.end, w.want = u.Host, []byte(batch), max(1, s.Pipeline), s.Close, end, want
		wg.Go(func() { w.run(ctx) })
	}
	wg.Wait()
	return probeResult(workers, time.Since(start)), nil
}

// probeResult adds up the connections' counts.
func probeResult(workers []probeConn, elapsed time.Duration) Result {
	r := Result{Elapsed: elapsed, Wall: elapsed}
	var samples []time.Duration
	for _, w := range workers {
		r.Requests += w.requests
		r.Errors.Connect += w.errs.Connect
		r.Errors.Read += w.errs.Read
		r.Errors.Timeout += w.errs.Timeout
		r.Errors.Status += w.errs.Status
		samples = append(samples, w.samples...)
	}
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	if len(samples) > 0 {
		slices.Sort(samples)
		r.P99, r.HasP99 = samples[(len(samples)*99)/100], true
	}
	return r
}

// probeConn is one connection's loop and its counts.
type probeConn struct {
	addr     string
	batch    []byte // depth requests, written at once
	depth    int
	close    bool
	end      time.Time
	want     verify.Want // the response every request must get
	requests int64
	errs     Errors
	samples  []time.Duration // latency of each batch, up to maxSamples
}

// run sends batches until the end time, reconnecting when the server
// closes the connection (always, under Connection: close).
func (w *probeConn) run(ctx context.Context) {
	var d net.Dialer
	for time.Now().Before(w.end) && ctx.Err() == nil {
		conn, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			w.errs.Connect++
			continue
		}
		conn.SetDeadline(w.end.Add(5 * time.Second))
		w.serve(conn)
		conn.Close()
	}
}

// serve sends batches on one connection until the end time or until the
// connection can no longer be used.
func (w *probeConn) serve(conn net.Conn) {
	br := bufio.NewReader(conn)
	for time.Now().Before(w.end) {
		t0 := time.Now()
		if _, err := conn.Write(w.batch); err != nil {
			w.count(err)
			return
		}
		for range w.depth {
			if err := w.readOne(br); err != nil {
				w.count(err)
				return
			}
			w.requests++
		}
		if len(w.samples) < maxSamples {
			w.samples = append(w.samples, time.Since(t0))
		}
		if w.close {
			return
		}
	}
}

// errWrongResponse marks a response that was read but was not right.
var errWrongResponse = errors.New("wrong response")

func (w *probeConn) readOne(br *bufio.Reader) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := w.want.Response(resp); err != nil {
		return fmt.Errorf("%w: %v", errWrongResponse, err)
	}
	return nil
}

// count files an error under its kind.
func (w *probeConn) count(err error) {
	switch {
	case errors.Is(err, errWrongResponse):
		w.errs.Status++
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.errs.Timeout++
	default:
		w.errs.Read++
	}
}
