package main

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"sync"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// This file holds the per-second time series: requests, errors and
// latency percentiles for every second of the measured run, which is
// what shows a stall, a slow start or a collapse that the totals hide.

// secondAcc is what a worker gathers during the current second.
type secondAcc struct {
	index    int   // seconds since the measured part began
	end      int64 // when this second ends, on the worker's loop clock
	h        hist.Histogram
	requests int64
	errors   int64
}

// secondRow is one second of a run, as the report, the JSON and the CSV
// give it. A response counts in the second its last byte was read; an
// error in the second it was noticed.
type secondRow struct {
	T        int     `json:"t"`        // the row covers [t, t+1) seconds after the measured part began
	Requests int64   `json:"requests"` // complete responses, whatever their status
	Errors   int64   `json:"errors"`   // every error counted in this second, status errors included
	RPS      float64 `json:"rps"`      // requests per second over the row's span (the last row's is what is left, 0.25 to 1.25 s)
	P50US    float64 `json:"p50_us"`
	P99US    float64 `json:"p99_us"`
	MaxUS    float64 `json:"max_us"`
}

// series merges the workers' seconds as they end. Percentiles cannot be
// combined from the workers' own percentiles, so each worker hands over
// its histogram of the second; once every worker has, the second becomes
// a row and its histogram is reused. A run thus holds a few histograms
// however long it lasts.
type series struct {
	mu      sync.Mutex
	workers int
	open    map[int]*openSecond
	rows    []secondRow
	spare   []*hist.Histogram
}

type openSecond struct {
	h        *hist.Histogram
	requests int64
	errors   int64
	reports  int
}

func newSeries(workers int) *series {
	return &series{workers: workers, open: make(map[int]*openSecond)}
}

// add merges one worker's second index. It runs once per second per
// worker, so the lock is never contended enough to matter.
func (s *series) add(index int, h *hist.Histogram, requests, errors int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.open[index]
	if o == nil {
		o = &openSecond{h: s.histogram()}
		s.open[index] = o
	}
	o.h.Merge(h)
	o.requests += requests
	o.errors += errors
	if o.reports++; o.reports == s.workers {
		s.close(index, o)
	}
}

// histogram returns an empty histogram, reusing a spare one.
func (s *series) histogram() *hist.Histogram {
	if n := len(s.spare); n > 0 {
		h := s.spare[n-1]
		s.spare = s.spare[:n-1]
		return h
	}
	return new(hist.Histogram)
}

// close turns an open second into a row.
func (s *series) close(index int, o *openSecond) {
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	s.rows = append(s.rows, secondRow{
		T: index, Requests: o.requests, Errors: o.errors, RPS: float64(o.requests),
		P50US: us(o.h.Quantile(0.5)), P99US: us(o.h.Quantile(0.99)), MaxUS: us(o.h.Max()),
	})
	delete(s.open, index)
	o.h.Reset()
	s.spare = append(s.spare, o.h)
}

// finish closes the seconds some worker never reported (it stopped
// first) and returns the rows in time order. elapsed, the measured part's
// length in seconds, gives the last row's rate.
func (s *series) finish(elapsed float64) []secondRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	for index, o := range s.open {
		s.close(index, o)
	}
	slices.SortFunc(s.rows, func(a, b secondRow) int { return a.T - b.T })
	// A last second that began less than a quarter of a second before the
	// end (or after it: a worker's clock read a little late) holds a few
	// stragglers: its rate would be noise. It folds into the one before,
	// whose percentiles stand for both.
	for len(s.rows) > 1 && float64(s.rows[len(s.rows)-1].T) > elapsed-0.25 {
		last := s.rows[len(s.rows)-1]
		s.rows = s.rows[:len(s.rows)-1]
		prev := &s.rows[len(s.rows)-1]
		prev.Requests += last.Requests
		prev.Errors += last.Errors
		prev.MaxUS = max(prev.MaxUS, last.MaxUS)
	}
	// Every row but the last spans one second; the last spans what is
	// left, up to 1.25 s.
	if n := len(s.rows); n > 0 {
		last := &s.rows[n-1]
		if span := elapsed - float64(last.T); span > 0 {
			last.RPS = float64(last.Requests) / span
		}
	}
	return s.rows
}

// writeSeriesCSV writes the rows as CSV with a header line.
func writeSeriesCSV(w io.Writer, rows []secondRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"t", "requests", "errors", "rps", "p50_us", "p99_us", "max_us"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		cw.Write([]string{strconv.Itoa(r.T), strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Errors, 10),
			f(r.RPS), f(r.P50US), f(r.P99US), f(r.MaxUS)})
	}
	cw.Flush()
	return cw.Error()
}
