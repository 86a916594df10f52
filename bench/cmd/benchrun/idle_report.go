package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"asynchttpserver.dev/bench/internal/report"
)

// paperConns is the connection count of the on-paper projection.
const paperConns = 100_000

// idleReport is what writeIdle needs.
type idleReport struct {
	servers []serverDef
	runs    []idleRun
	notes   []string
	place   placement
	conns   int
}

// idleSummary is one server's medians over the rounds.
type idleSummary struct {
	server         serverDef
	rounds         int
	perConn        float64 // median RSS growth per connection, bytes
	lo, hi         float64 // its range
	before, after  float64 // median RSS without and with the connections
	slabPerConn    float64 // median slab growth per connection
	settleMax      time.Duration
	unsettled      int
	sources        []string
	openSecsMedian float64
}

func (r idleReport) summaries() []idleSummary {
	var out []idleSummary
	for _, sv := range r.servers {
		s := idleSummary{server: sv}
		var per, before, after, slab, open []float64
		for _, run := range r.runs {
			if run.server != sv.key {
				continue
			}
			s.rounds++
			per = append(per, run.perConn())
			before = append(before, float64(run.before))
			after = append(after, float64(run.after))
			slab = append(slab, run.slabPerConn())
			open = append(open, run.openSecs)
			s.settleMax = max(s.settleMax, run.settle)
			if !run.settled {
				s.unsettled++
			}
			s.sources = run.sources
		}
		if s.rounds == 0 {
			continue
		}
		s.perConn, s.lo, s.hi = report.Median(per), slices.Min(per), slices.Max(per)
		s.before, s.after, s.slabPerConn = report.Median(before), report.Median(after), report.Median(slab)
		s.openSecsMedian = report.Median(open)
		out = append(out, s)
	}
	return out
}

// writeIdle writes <date>-idle.md and <date>-idle.csv into dir and copies
// the Markdown to echo, unless that is nil.
func writeIdle(r idleReport, dir string, echo io.Writer) error {
	date := time.Now().Format(time.DateOnly)
	var md, cs bytes.Buffer
	writeIdleMarkdown(&md, date, r)
	if err := writeIdleCSV(&cs, date, r.runs); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, date+"-idle")
	if err := os.WriteFile(base+".md", md.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".csv", cs.Bytes(), 0o644); err != nil {
		return err
	}
	if echo != nil {
		echo.Write(md.Bytes())
		log.Printf("wrote %s.md, %s.csv", base, base)
	}
	return nil
}

func writeIdleMarkdown(w io.Writer, date string, r idleReport) {
	m := machine()
	sums := r.summaries()
	fmt.Fprintf(w, "# Idle memory per keep-alive connection: %s\n\n", date)
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| command | `%s` |\n", invocation())
	fmt.Fprintf(w, "| commit | %s |\n", commit())
	fmt.Fprintf(w, "| machine | `nproc` = %d; %s; Linux %s; %s |\n", m.NProc, m.CPUModel, m.Kernel, m.Go)
	fmt.Fprintf(w, "| client | `%s`: %s connections, each bound to a loopback source address before it connects, one GET each, answered and checked (200, `Hello World`), then kept open and silent |\n",
		shellJoin(idleClientArgs(r.place, "127.0.0.1:PORT", r.conns)), report.Thousands(float64(r.conns)))
	fmt.Fprintf(w, "| method | server started afresh, checked, its VmRSS read until it settles (before); the connections opened and served; %v of idleness; VmRSS read every %v until the readings of %v agree within %d KiB or %.1f %% (at most %v): after. **per connection** = (after − before) ÷ connections. Every connection must still be open at the end (a non-blocking peek on each) |\n",
		idleQuiet, idleSample, idleSettled, idleTolerance>>10, 100*idleToleranceFrac, idleSettleMax)
	fmt.Fprintf(w, "| rounds | %d, servers interleaved (each round starts one server further along); the table shows medians and the range |\n", maxRounds(sums))
	fmt.Fprintf(w, "| placement | %s |\n\n", r.place.note)
	ref := idleReference(sums)
	fmt.Fprintf(w, "| server | RSS growth per connection | range | × %s | RSS before | RSS with %s idle | kernel slab per connection (both ends, machine-wide) |\n",
		refKey(ref), report.Thousands(float64(r.conns)))
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range sums {
		ratio := "—"
		if ref != nil && ref.perConn > 0 {
			ratio = report.Ratio(s.perConn / ref.perConn)
		}
		fmt.Fprintf(w, "| %s | %s B | %s–%s B | %s | %s | %s | %s B |\n", s.server.label(), report.Thousands(s.perConn),
			report.Thousands(s.lo), report.Thousands(s.hi), ratio, mib(int64(s.before)), mib(int64(s.after)), report.Thousands(s.slabPerConn))
	}
	fmt.Fprintf(w, "\nThe kernel's slab memory is the whole machine's: it holds both ends of every connection (the client's "+
		"sockets too) and whatever else ran meanwhile, so read it as an indication of what the kernel spends per connection, "+
		"which no process's RSS counts.\n")
	writePaper(w, sums)
	fmt.Fprintf(w, "\n## Servers\n\n| server | command |\n|---|---|\n")
	for _, sv := range r.servers {
		fmt.Fprintf(w, "| %s | `%s` |\n", sv.label(), shellJoin(sv.command(r.place.server, "127.0.0.1:PORT", false)))
	}
	for _, s := range sums {
		if s.unsettled > 0 {
			fmt.Fprintf(w, "\nNote: %s's RSS had not settled within %v in %d round(s); the last reading was used.\n", s.server.key, idleSettleMax, s.unsettled)
		}
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
}

// writePaper projects the figures to paperConns connections.
func writePaper(w io.Writer, sums []idleSummary) {
	fmt.Fprintf(w, "\n## %s connections, on paper\n\n", report.Thousands(paperConns))
	fmt.Fprintf(w, "RSS before + %s × the growth per connection. What scales with the connections is what the "+
		"growth measured: each server's own per-connection state (the event loops: a small record per connection; "+
		"goroutine-per-connection servers: a goroutine stack and buffers), and, outside any RSS, the kernel's socket state "+
		"(the slab column: for both ends, so roughly half of it per server socket). What does not scale is the RSS before: the "+
		"binary, the Go runtime, and the per-loop buffers and pools that all connections share. Untested at that count: the "+
		"descriptor limit (100,000 descriptors need `ulimit -n` above 100,000 for the server and the client; this machine allows "+
		"20,000) and the ports (about 28,000 per source address towards one server port: idleclient spreads them over "+
		"`-sources 5`, 127.0.0.1–127.0.0.5, for 100,000).\n\n", report.Thousands(paperConns))
	fmt.Fprintf(w, "| server | RSS before | + %s × per connection | = RSS at %s connections | kernel, server ends (slab ÷ 2 × %s) |\n",
		report.Thousands(paperConns), report.Thousands(paperConns), report.Thousands(paperConns))
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|\n")
	for _, s := range sums {
		grow := s.perConn * paperConns
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", s.server.label(), mib(int64(s.before)), mib(int64(grow)),
			mib(int64(s.before+grow)), mib(int64(s.slabPerConn/2*paperConns)))
	}
}

func maxRounds(sums []idleSummary) int {
	n := 0
	for _, s := range sums {
		n = max(n, s.rounds)
	}
	return n
}

// idleReference is ours, or net/http while ours was not measured.
func idleReference(sums []idleSummary) *idleSummary {
	for _, key := range []string{oursKey, "nethttp"} {
		for i := range sums {
			if sums[i].server.key == key {
				return &sums[i]
			}
		}
	}
	return nil
}

func refKey(ref *idleSummary) string {
	if ref == nil {
		return "ref"
	}
	return ref.server.key
}

// writeIdleCSV writes every run, one row each.
func writeIdleCSV(w io.Writer, date string, runs []idleRun) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "round", "server", "connections", "rss_before_bytes", "rss_after_bytes", "peak_rss_bytes",
		"bytes_per_connection", "slab_bytes_per_connection", "settle_ms", "settled", "open_seconds", "sources"})
	for _, r := range runs {
		cw.Write([]string{date, strconv.Itoa(r.round), r.server, strconv.Itoa(r.conns), strconv.FormatInt(r.before, 10),
			strconv.FormatInt(r.after, 10), strconv.FormatInt(r.peak, 10), strconv.FormatFloat(r.perConn(), 'f', 1, 64),
			strconv.FormatFloat(r.slabPerConn(), 'f', 1, 64), strconv.FormatInt(r.settle.Milliseconds(), 10),
			strconv.FormatBool(r.settled), strconv.FormatFloat(r.openSecs, 'f', 2, 64), strings.Join(r.sources, " ")})
	}
	cw.Flush()
	return cw.Error()
}
