// Command httpbench is an HTTP/1.1 load generator built on the project's
// own event loop (internal/poller), the client side of the same reactor
// the server runs on. It measures how many requests a server answers per
// second, how long each one takes, and what that costs the server and
// itself, in a closed loop (as wrk) or on a fixed schedule (as wrk2 and
// vegeta).
//
// Usage:
//
//	httpbench [flags] http://host[:port]/path[?query]
//
// The flags are:
//
//	-c N        connections (default 64), spread over the loops
//	-d D        how long to measure (default 10s), e.g. 500ms, 30s
//	-n N        run until N requests have been issued and answered
//	            (or failed) instead; -n wins over -d
//	-p N        pipeline depth: requests written at once per connection
//	            (default 1); with -rate, the most in flight on one
//	-k=false    a new connection per request, with Connection: close
//	            (connection churn); default true, keep-alive
//	-H "N: v"   an extra request header (repeatable)
//	-m METHOD   request method (default GET)
//	-body S     request body, sent with Content-Length
//	-chunked    send -body with Transfer-Encoding: chunked instead
//	-requests F a mix of requests from file F (below)
//	-t D        timeout per request, and per connect (default 5s)
//	-loops N    event loops, each on its own goroutine and OS thread
//	            (default 1)
//	-rate R     open loop: R requests per second on schedule (below)
//	-warmup D   load for D before measuring; nothing of it is counted
//	-json       print one JSON object on standard output instead of the
//	            text summary (schema.json describes it)
//	-hgrm F     write the latency percentile distribution to F in
//	            HdrHistogram's .hgrm text form, in milliseconds
//	-csv F      write the per-second series to F: t, requests, errors,
//	            rps, p50_us, p99_us, max_us
//	-server-pid P  report the CPU time process P (the server) spent
//	            during the run, per request (Linux: /proc/P/stat)
//	-sweep A:B:S   open loop at rates A, A+S, ... up to B (S may be xF:
//	            multiply by F), -d each, until a step breaks -slo
//	            (default p99=10ms; e.g. p50=1ms,p99=10ms,max=1s) or
//	            -error-budget (default 0.1%); reports the knee
//
// On a terminal, a status line (elapsed time, requests, current req/s,
// errors) is redrawn on standard error four times a second; when standard
// error is not a terminal the run is silent until the summary. The
// summary gives requests per second, bytes per second, latency
// percentiles (p50, p90, p99, p99.9, max, mean), errors by kind, and CPU
// use; with -rate also the uncorrected latency and how far the achieved
// rate fell short of the target.
//
// # Closed and open loop
//
// By default each connection sends its next request (or -p of them) when
// the last is answered: a closed loop, which measures the most a server
// can do. While a server stalls, a closed loop stops sending, so a 100 ms
// stall costs one slow request per connection where real users, who do
// not wait for each other, would have queued a hundred: its percentiles
// omit exactly the waits that matter (coordinated omission).
//
// With -rate R the requests follow a schedule fixed before the run: one
// every 1/R seconds, whatever the server does. Each loop takes every
// loops-th slot of it, and a due request leaves on the connection that
// has been free the longest, so the load spreads over all of them. A
// request that finds every connection busy waits for one, and its latency
// runs from when it was meant to leave, not from when it did: the
// correction wrk2 makes, here by construction. A request that waits
// longer than -t for a connection is dropped and counted as a timeout.
// On Linux the schedule is kept by a timerfd on the loop, to the
// microsecond; elsewhere by the loop's millisecond timers.
//
// The rate report gives the target, the achieved rate (responses per
// second) and the shortfall in per cent; how many requests waited for a
// connection (the server's doing), how many left over a millisecond late
// with a connection free (the generator's), how many were dropped, and
// how many were still due at the end. Beside the corrected latency it
// prints the uncorrected one, from the actual send time.
//
// # What is counted
//
// Every response is parsed: status line, headers, and body framing by
// Content-Length, chunked encoding, or end of file, so that a request
// counts only when its own response has arrived whole (bytes are never
// counted blindly). "requests" counts complete responses of any status, as
// wrk does; those not 2xx are also counted as status errors (wrk counts
// only 4xx and 5xx). The other errors count requests that got no valid
// response: connect (a connect that failed or took longer than -t), read
// (lost to a failed read or write, or to the server closing first),
// timeout (in flight on a connection whose oldest request waited longer
// than -t; with -rate also a request that found no free connection within
// -t), parse (a malformed response). With -n N in a closed loop, requests
// plus these errors add up to N; with -rate, requests plus the errors
// other than connect do (a failed connect costs no request of the
// schedule). When a server answers with Connection: close, the requests
// pipelined behind that response are sent again on a new connection, not
// counted as errors: the server has not processed them.
//
// With -warmup D the load runs for D before anything is counted: the
// figures, the time series, the CPU times and the duration all begin at
// its end. A response counts when its last byte arrives, so requests sent
// in the warm-up and answered after it count.
//
// # Latency under pipelining
//
// A connection writes -p requests at once and writes the next batch when
// all of them are answered (wrk's pipelining). It keeps the send time of
// each request in flight in a small ring; since responses come back in
// request order, the oldest entry belongs to the response being parsed,
// and a request's latency runs from when it was queued for writing to
// when its own response was completely parsed. So the i-th response of a
// batch shows the time the server took to answer i requests, and the
// percentiles stay meaningful under pipelining; wrk, which times a
// connection rather than a request, reads 0 there.
//
// Times come from the event loop's clock, read once per wake-up rather
// than once per request (Loop.Nanotime). A latency can therefore be off
// by the time the loop spends handling one batch of events, a few
// microseconds per ready connection. Latencies go to a log-linear
// histogram (internal/hist) of fixed size, 38 KiB per loop, exact below
// 256 ns and within 0.4 % above; no per-request record is kept. Its
// layout is HdrHistogram's with 256 sub-buckets, which is why the .hgrm
// export and the JSON's latency_spectrum are the rows HdrHistogram's
// outputPercentileDistribution would print for the same values.
//
// # Request mixes
//
// -requests F reads one JSON object a line (blank lines and lines
// starting with # are skipped):
//
//	{"url": "/"}
//	{"method": "POST", "url": "/items?id={seq}", "headers": ["Content-Type: application/json"],
//	 "body": "{\"id\": {seq}, \"key\": \"k{rand}\"}", "weight": 3}
//	{"method": "PUT", "url": "/upload/{rand}", "body": "...", "chunked": true, "chunk_size": 512}
//
// (each object on one line). Fields: method (default -m), url (a path, or
// an http:// URL on the command line's host and port), headers ("Name:
// value", after any -H), body (with Content-Length, or chunked, split
// into chunk_size pieces if given), weight (default 1: how often the
// request comes relative to the others, in a fixed interleaved order).
// In the url, header values and body, {seq} becomes the request's number
// in the run (0, 1, 2, ...; with several loops they interleave) and
// {rand} a random 64-bit number, the same for every {rand} of one
// request. Requests are formatted into the socket's buffer as they are
// sent: a mix costs no allocation per request.
//
// # Knowing its limits
//
// httpbench reports its own CPU time over the measured part (the whole
// process, and each loop's thread), and warns, on standard error and in
// the JSON's cpu.warning, when a loop was busy 90 % of the time or more,
// or, with -rate, when over 1 % of requests left late with a connection
// free: then the generator, not the server, set the pace, and the figures
// understate the server. Given -server-pid, it reads the server's CPU
// time from /proc and reports it per request: a figure that, unlike
// requests per second, does not depend on how fast the generator is.
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
//   - There is no scripting; -H, -m, -body and -requests cover the usual
//     needs.
//
// # Cost
//
// It allocates nothing per request in steady state: a request that never
// varies is formatted once, sockets run in the poller's owner mode (no
// future or callback per request), the histograms are preallocated, and
// a loop's connections share one 64 KiB read buffer: they read one at a
// time, and the rare partial head left over by a read is kept in a small
// per-connection buffer. A connection thus costs about 250 bytes plus
// what the kernel keeps for its socket. Requests are written as soon as
// they are due, without waiting for write readiness (wrk arms and disarms
// write interest for each request, two epoll_ctl calls more).
//
// An open loop sleeps twice per request at moderate rates (until the
// request is due, until its response arrives), and a blocking system
// call made through Go's scheduler wakes the runtime's sysmon and a
// spare thread each time. So on Linux an open-loop worker sleeps in a raw
// epoll_wait on its own set of its sockets and its timerfd, and then
// polls the loop without blocking: one context switch per wake-up
// instead of about four (see rawwait_linux.go). For that it runs with
// GOMAXPROCS one above -loops.
//
// Exit status is 0 after a run, whatever errors it counted; 1 when the run
// could not start or its files could not be written; 2 for a bad command
// line, URL or request file. Traffic goes only to the URL given; only
// http:// is supported.
package main
