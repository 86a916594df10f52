package main

import (
	"bufio"
	"fmt"
	"io"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// writeHgrm writes h (nanoseconds) in the text form of HdrHistogram's
// outputPercentileDistribution, values in milliseconds with three
// decimals (as wrk2 prints them), so that HdrHistogram's plotter
// (hdrhistogram.github.io/HdrHistogram/plotFiles.html) and the tools
// built for wrk2's output read it:
//
//	       Value     Percentile TotalCount 1/(1-Percentile)
//
//	       0.051 0.000000000000          1           1.00
//	       ...
//	     101.311 1.000000000000      10000
//	#[Mean    =        1.234, StdDeviation   =        9.876]
//	#[Max     =      101.311, Total count    =        10000]
//	#[Buckets =           37, SubBuckets     =          256]
//
// The last row, at 100 %, has no fourth column, as in HdrHistogram's Java
// original. An empty histogram gets the header and footer only.
func writeHgrm(w io.Writer, h *hist.Histogram) error {
	const scale = 1e6 // nanoseconds to milliseconds
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)")
	for _, s := range h.Spectrum(spectrumTicks) {
		v := float64(s.Value) / scale
		if s.Percentile < 1 {
			fmt.Fprintf(bw, "%12.3f %2.12f %10d %14.2f\n", v, s.Percentile, s.Count, 1/(1-s.Percentile))
		} else {
			fmt.Fprintf(bw, "%12.3f %2.12f %10d\n", v, s.Percentile, s.Count)
		}
	}
	fmt.Fprintf(bw, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", h.Mean()/scale, h.StdDev()/scale)
	fmt.Fprintf(bw, "#[Max     = %12.3f, Total count    = %12d]\n", float64(h.Max())/scale, h.Count())
	fmt.Fprintf(bw, "#[Buckets = %12d, SubBuckets     = %12d]\n", hist.HdrBuckets, hist.HdrSubBuckets)
	return bw.Flush()
}
