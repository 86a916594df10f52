package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// WriteCSV writes one row per scenario and server with the medians that the
// Markdown tables show. Durations are in microseconds, memory in bytes;
// undefined values are empty.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "scenario", "server", "runs", "rps", "rps_per_core", "server_cpu", "loadgen_cpu",
		"other_cpu", "p99_us", "peak_rss_bytes", "errors", "ratio_rps", "ratio_per_core", "reference",
		"server_cpu_us_per_request"})
	refs := map[string]string{}
	for _, sc := range r.Scenarios {
		refs[sc.Key] = r.ReferenceOf(sc)
	}
	for _, s := range r.Summaries() {
		cw.Write([]string{r.Date, s.Scenario, s.Server, strconv.Itoa(s.Runs), num(s.RPS), num(s.PerCore),
			num(s.ServerCPU), num(s.LoadCPU), num(s.OtherCPU), p99(s.HasP99, s.P99.Microseconds()), strconv.FormatInt(s.PeakRSS, 10),
			strconv.FormatInt(s.Errors, 10), ratioField(s.RatioRPS), ratioField(s.RatioPerCore), refs[s.Scenario],
			micros(s.CPUPerReq)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteRunsCSV writes every measured run, one row each.
func (r *Report) WriteRunsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "round", "scenario", "server", "requests", "rps", "rps_per_core", "server_cpu",
		"loadgen_cpu", "other_cpu", "p99_us", "peak_rss_bytes", "errors", "server_cpu_us_per_request"})
	for _, x := range r.Runs {
		cw.Write([]string{r.Date, strconv.Itoa(x.Round), x.Scenario, x.Server, strconv.FormatInt(x.Requests, 10),
			num(x.RPS), num(x.PerCore()), num(x.ServerCPU), num(x.LoadCPU), num(x.OtherCPU), p99(x.HasP99, x.P99.Microseconds()),
			strconv.FormatInt(x.PeakRSS, 10), strconv.FormatInt(x.Errors, 10), micros(x.CPUPerRequest())})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write runs csv: %w", err)
	}
	return nil
}

// micros formats a duration in microseconds, or "" for 0 (unknown).
func micros(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 3, 64)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

func p99(ok bool, us int64) string {
	if !ok {
		return ""
	}
	return strconv.FormatInt(us, 10)
}

func ratioField(v float64) string {
	if s := Ratio(v); s != "—" {
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	return ""
}
