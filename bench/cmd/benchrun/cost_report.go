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
	fmt.Fprintf(w, "| client | `bin/costclient -addr 127.0.0.1:PORT -n N`: one keep-alive connection, one request per write, each response read in full and checked before the next (the loops table: `-c N -pid PID`, N connections one per loop, round-robin; the net/http handlers' table: `-path /hello/world`) |\n")
	fmt.Fprintf(w, "| method | I(N) = instructions from start-up until `callgrind_control -d PID` once the client is done; marginal = (I(%d) − I(%d)) / %d: start-up and the connection's own cost cancel out |\n",
		costCounts[1], costCounts[0], costCounts[1]-costCounts[0])
	fmt.Fprintf(w, "| repeats | %d per server, servers interleaved; the table shows medians and the range of the marginal cost |\n", repeats(results))
	fmt.Fprintf(w, "| placement | %s |\n\n", place.note)
	var hello, mux []*costResult
	for _, r := range results {
		switch {
		case r.variant():
		case r.server.mux:
			mux = append(mux, r)
		default:
			hello = append(hello, r)
		}
	}
	if len(hello) > 0 {
		writeCostTable(w, hello, costReference(hello, oursKey, "nethttp"))
		fmt.Fprintf(w, "\nServers that run a goroutine per connection (net/http, fasthttp, nbio's handlers) spread more: "+
			"how long the Go scheduler spins before it sleeps depends on when the next request arrives.\n")
	}
	writeLoopsTable(w, results)
	if len(mux) > 0 {
		fmt.Fprintf(w, "\n## %s\n\n", muxGroup)
		fmt.Fprintf(w, "The same `http.ServeMux` handler in every server: `GET /hello/{name}` answering `{\"hello\":\"<name>\"}` as "+
			"`application/json` (bench/internal/mux); costclient asks for `/hello/world` (`-path /hello/world`) and checks each JSON "+
			"response. The bridge in goroutine mode and inline (`server.Inline()`), net/http, nbio's nbhttp and fasthttp's fasthttpadaptor "+
			"serve the ServeMux; native answers the same bytes through asynchttpserver's own API without net/http (the ceiling). "+
			"Same method as above; ratios are to net/http.\n\n")
		writeCostTable(w, mux, costReference(mux, muxReferenceKeys...))
	}
	fmt.Fprintf(w, "\n## Commands\n\n")
	for _, r := range results {
		for _, c := range r.commands {
			if c != "" {
				fmt.Fprintf(w, "- `%s`\n", c)
			}
		}
		if (r.variant() || r.server.mux) && r.client != "" {
			fmt.Fprintf(w, "  - client: `%s`\n", r.client)
		}
	}
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(w, "\nNote: %s failed: %v\n", r.key(), r.err)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
}

// writeCostTable writes one table of marginal costs, ratios to ref.
func writeCostTable(w io.Writer, rows []*costResult, ref *costResult) {
	fmt.Fprintf(w, "| server | I(%d) | I(%d) | marginal instructions / request | range | × %s |\n", costCounts[0], costCounts[1], refName(ref))
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		if len(r.instr) == 0 {
			fmt.Fprintf(w, "| %s | — | — | failed: %s | — | — |\n", r.server.label(), firstLines(fmt.Sprint(r.err), 1))
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.server.label(),
			report.Thousands(r.medianInstr(0)), report.Thousands(r.medianInstr(1)), report.Thousands(r.marginal()),
			spreadText(r), report.Ratio(costRatio(r, ref)))
	}
}

// spreadText formats the range of a result's marginal costs.
func spreadText(r *costResult) string {
	lo, hi := r.spread()
	return fmt.Sprintf("%s–%s (±%.1f %%)", report.Thousands(lo), report.Thousands(hi), 50*(hi-lo)/r.marginal())
}

// loopsGoal is the most that N loops with N connections may cost per
// request over one loop with one connection: no contention between loops.
const loopsGoal = 1.05

// writeLoopsTable compares ours on one loop with one connection and on N
// loops with N connections, one per loop, under GOMAXPROCS=1 and =N.
func writeLoopsTable(w io.Writer, results []*costResult) {
	find := func(match func(*costResult) bool) *costResult {
		for _, r := range results {
			if match(r) {
				return r
			}
		}
		return nil
	}
	base := find(func(r *costResult) bool { return r.server.key == oursKey && !r.variant() })
	anyMany := find(func(r *costResult) bool { return r.loops > 1 })
	if base == nil || anyMany == nil {
		return
	}
	n := anyMany.loops
	config := func(loops, procs int) *costResult {
		return find(func(r *costResult) bool { return r.variant() && r.loops == loops && r.gomaxprocs() == procs })
	}
	fmt.Fprintf(w, "\n## One loop and %d loops (ours)\n\n", n)
	fmt.Fprintf(w, "Ours with `-loops 1` and one connection beside `-loops %d` and %d connections, one on each loop "+
		"(costclient `-c %d -pid PID` reads from /proc which loop's epoll watches each connection, and dials again until every loop has one), "+
		"requests round-robin over the connections, one in flight at a time. Under callgrind the loops' threads run one at a time, so "+
		"this counts the instructions the loops add per request (shared counters, hand-offs, the scheduler), not cache-line contention. "+
		"GOMAXPROCS=%d is how `-loops %d` runs on a %d-CPU machine. Goal: %d loops at most %.0f %% above one loop.\n\n",
		n, n, n, n, n, n, n, 100*(loopsGoal-1))
	fmt.Fprintf(w, "| GOMAXPROCS | 1 loop, 1 connection | range | %d loops, %d connections | range | × 1 loop | goal ≤ %.2f |\n", n, n, loopsGoal)
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---|\n")
	for _, row := range []struct {
		procs     int
		one, many *costResult
	}{{1, base, config(n, 1)}, {n, config(1, n), config(n, n)}} {
		fmt.Fprintf(w, "| %d | %s | %s | %s |\n", row.procs, loopsCell(row.one), loopsCell(row.many), loopsVerdict(row.one, row.many))
	}
}

// loopsCell formats a configuration's marginal cost and range.
func loopsCell(r *costResult) string {
	if r == nil || len(r.instr) == 0 {
		return "— | —"
	}
	return report.Thousands(r.marginal()) + " | " + spreadText(r)
}

// loopsVerdict formats many ÷ one and whether it meets loopsGoal.
func loopsVerdict(one, many *costResult) string {
	if one == nil || many == nil || len(one.instr) == 0 || len(many.instr) == 0 {
		return "— | —"
	}
	ratio := many.marginal() / one.marginal()
	if ratio > loopsGoal {
		return report.Ratio(ratio) + " | **missed**"
	}
	return report.Ratio(ratio) + " | met"
}

// repeats returns the largest number of repeats any server completed.
func repeats(results []*costResult) int {
	n := 0
	for _, r := range results {
		n = max(n, len(r.instr))
	}
	return n
}

// costReference returns the result a table's ratios are relative to: the
// first of keys that was measured (ours, else net/http; in the mux table
// muxReferenceKeys); nil if none was.
func costReference(results []*costResult, keys ...string) *costResult {
	for _, key := range keys {
		for _, r := range results {
			if r.server.key == key && !r.variant() && len(r.instr) > 0 {
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
	cw.Write([]string{"date", "server", "repeat", "requests_a", "instructions_a", "requests_b", "instructions_b", "marginal_per_request",
		"loops", "connections", "gomaxprocs"})
	for _, r := range results {
		for i, in := range r.instr {
			cw.Write([]string{date, r.server.key, strconv.Itoa(i + 1), strconv.Itoa(costCounts[0]), strconv.FormatInt(in[0], 10),
				strconv.Itoa(costCounts[1]), strconv.FormatInt(in[1], 10), strconv.FormatFloat(r.marginals()[i], 'f', 1, 64),
				strconv.Itoa(max(r.loops, 1)), strconv.Itoa(r.conns()), strconv.Itoa(r.gomaxprocs())})
		}
	}
	cw.Flush()
	return cw.Error()
}
