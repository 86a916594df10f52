package main

import "sync/atomic"

// errKind classifies failed requests. Errors count requests, not events:
// when a connection fails, every request in flight on it fails with it.
type errKind int

const (
	// kindConnect counts connection attempts that failed or did not
	// finish within -t. Each uses up one request of an -n budget, so that
	// a run against a dead server ends.
	kindConnect errKind = iota
	// kindRead counts requests lost to a failed read or write, or to the
	// server closing the connection before answering them.
	kindRead
	// kindTimeout counts requests in flight on a connection whose oldest
	// request waited longer than -t; the connection is then replaced.
	kindTimeout
	// kindStatus counts complete responses whose status is not 2xx. They
	// are also counted as requests (as wrk does).
	kindStatus
	// kindParse counts malformed responses, and response bytes that
	// arrive with no request outstanding.
	kindParse
	numKinds
)

var kindNames = [numKinds]string{"connect", "read", "timeout", "status", "parse"}

func (k errKind) String() string { return kindNames[k] }

// counts is what a worker tallies during a run.
type counts struct {
	requests int64 // complete, well-formed responses, whatever their status
	bytes    int64 // their bytes, heads and bodies, as framed by the parser
	errors   [numKinds]int64
	first    [numKinds]error // the first error of each kind
}

func (c *counts) add(o *counts) {
	c.requests += o.requests
	c.bytes += o.bytes
	for k := range c.errors {
		c.errors[k] += o.errors[k]
		if c.first[k] == nil {
			c.first[k] = o.first[k]
		}
	}
}

// failed returns the number of requests that got no valid response:
// every error except status errors, whose responses were valid.
func (c *counts) failed() int64 {
	var n int64
	for k, v := range c.errors {
		if errKind(k) != kindStatus {
			n += v
		}
	}
	return n
}

// errorTotal returns the sum of all error counts.
func (c *counts) errorTotal() int64 { return c.failed() + c.errors[kindStatus] }

// liveCounts is a worker's progress, published for the terminal line,
// which is drawn on another goroutine. The worker alone writes it.
type liveCounts struct {
	requests atomic.Int64
	errors   atomic.Int64
}
