package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"asynchttpserver.dev/bench/internal/report"
)

// writeCost writes <date>-cost.md and <date>-cost.csv into dir and prints
// the Markdown.
func writeCost(results []*costResult, notes []string, place placement, tool, dir string) error {
	date := time.Now().Format(time.DateOnly)
	var md, cs bytes.Buffer
	writeCostMarkdown(&md, date, results, notes, place, tool)
	if err := writeCostCSV(&cs, date, results); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, date+"-cost")
	if err := os.WriteFile(base+".md", md.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".csv", cs.Bytes(), 0o644); err != nil {
		return err
	}
	os.Stdout.Write(md.Bytes())
	log.Printf("wrote %s.md, %s.csv", base, base)
	return nil
}

func writeCostMarkdown(w io.Writer, date string, results []*costResult, notes []string, place placement, tool string) {
	m := machine()
	fmt.Fprintf(w, "# Instructions per request: %s\n\n", date)
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| command | `%s` |\n", invocation())
	fmt.Fprintf(w, "| commit | %s |\n", commit())
	fmt.Fprintf(w, "| machine | `nproc` = %d; %s; Linux %s; %s |\n", m.NProc, m.CPUModel, m.Kernel, m.Go)
	fmt.Fprintf(w, "| tool | %s `--tool=callgrind --dump-instr=no`, server only, user space; server environment `GODEBUG=%s GOMAXPROCS=1` |\n", tool, costGODEBUG)
	fmt.Fprintf(w, "| client | `bin/costclient -addr 127.0.0.1:PORT -n N`: one keep-alive connection, one request per write, each response read in full before the next |\n")
	fmt.Fprintf(w, "| method | I(N) = instructions from start-up until `callgrind_control -d PID` once the client is done; marginal = (I(%d) − I(%d)) / %d: start-up and the connection's own cost cancel out |\n",
		costCounts[1], costCounts[0], costCounts[1]-costCounts[0])
	fmt.Fprintf(w, "| repeats | %d per server, servers interleaved; the table shows medians and the range of the marginal cost |\n", repeats(results))
	fmt.Fprintf(w, "| placement | %s |\n\n", place.note)
	ref := costReference(results)
	fmt.Fprintf(w, "| server | I(%d) | I(%d) | marginal instructions / request | range | × %s |\n", costCounts[0], costCounts[1], refName(ref))
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		if len(r.instr) == 0 {
			fmt.Fprintf(w, "| %s | — | — | failed: %s | — | — |\n", r.server.label(), firstLines(fmt.Sprint(r.err), 1))
			continue
		}
		lo, hi := r.spread()
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s–%s (±%.1f %%) | %s |\n", r.server.label(),
			report.Thousands(r.medianInstr(0)), report.Thousands(r.medianInstr(1)), report.Thousands(r.marginal()),
			report.Thousands(lo), report.Thousands(hi), 50*(hi-lo)/r.marginal(), report.Ratio(costRatio(r, ref)))
	}
	fmt.Fprintf(w, "\nServers that run a goroutine per connection (net/http, fasthttp, nbio's handlers) spread more: "+
		"how long the Go scheduler spins before it sleeps depends on when the next request arrives.\n")
	fmt.Fprintf(w, "\n## Commands\n\n")
	for _, r := range results {
		for _, c := range r.commands {
			if c != "" {
				fmt.Fprintf(w, "- `%s`\n", c)
			}
		}
	}
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(w, "\nNote: %s failed: %v\n", r.server.key, r.err)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
}

// repeats returns the largest number of repeats any server completed.
func repeats(results []*costResult) int {
	n := 0
	for _, r := range results {
		n = max(n, len(r.instr))
	}
	return n
}

// costReference returns the result ratios are relative to: ours if it was
// measured, otherwise net/http; nil if neither was.
func costReference(results []*costResult) *costResult {
	for _, key := range []string{oursKey, "nethttp"} {
		for _, r := range results {
			if r.server.key == key && len(r.instr) > 0 {
				return r
			}
		}
	}
	return nil
}

func refName(ref *costResult) string {
	if ref == nil {
		return "ref"
	}
	return ref.server.key
}

func costRatio(r, ref *costResult) float64 {
	if ref == nil || ref.marginal() == 0 {
		return math.NaN()
	}
	return r.marginal() / ref.marginal()
}

// writeCostCSV writes one row per server and repeat.
func writeCostCSV(w io.Writer, date string, results []*costResult) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "server", "repeat", "requests_a", "instructions_a", "requests_b", "instructions_b", "marginal_per_request"})
	for _, r := range results {
		for i, in := range r.instr {
			cw.Write([]string{date, r.server.key, strconv.Itoa(i + 1), strconv.Itoa(costCounts[0]), strconv.FormatInt(in[0], 10),
				strconv.Itoa(costCounts[1]), strconv.FormatInt(in[1], 10), strconv.FormatFloat(r.marginals()[i], 'f', 1, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}
