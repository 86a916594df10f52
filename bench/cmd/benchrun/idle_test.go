package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestAgree(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		readings []int64
		want     bool
	}{
		{[]int64{10 * mb, 10 * mb, 10 * mb}, true},
		{[]int64{10 * mb, 10*mb + 60<<10}, true},            // within 64 KiB
		{[]int64{10 * mb, 10*mb + 100<<10}, false},          // 100 KiB apart, 1 % of 10 MiB
		{[]int64{300 * mb, 300*mb + 500<<10}, true},         // within 0.2 % of 300 MiB
		{[]int64{300 * mb, 300*mb + 2*mb, 300 * mb}, false}, // 0.67 %
	} {
		if got := agree(tc.readings); got != tc.want {
			t.Errorf("agree(%v) = %v, want %v", tc.readings, got, tc.want)
		}
	}
}

// idleRuns returns three rounds of a server whose RSS grows by per[i]
// bytes per connection in round i.
func idleRuns(server string, before int64, per ...int64) []idleRun {
	var runs []idleRun
	for i, p := range per {
		runs = append(runs, idleRun{round: i + 1, server: server, conns: 1000, before: before, after: before + 1000*p,
			slabBefore: 1 << 30, slabAfter: 1<<30 + 1000*8000, settled: true, settle: time.Second, sources: []string{"127.0.0.1", "127.0.0.2"}})
	}
	return runs
}

func TestIdleReport(t *testing.T) {
	r := idleReport{
		servers: []serverDef{lookupServer(oursKey), lookupServer("gnet"), lookupServer("evio")},
		place:   placement{server: []string{"taskset", "-c", "0"}, load: []string{"taskset", "-c", "1"}, note: "pinned"},
		conns:   1000,
	}
	r.runs = append(r.runs, idleRuns(oursKey, 6<<20, 400, 450, 500)...)
	r.runs = append(r.runs, idleRuns("gnet", 7<<20, 700, 500, 600)...)
	unsettled := idleRuns("evio", 5<<20, 475)
	unsettled[0].settled = false
	r.runs = append(r.runs, unsettled...)
	var md bytes.Buffer
	writeIdleMarkdown(&md, "2026-01-01", r)
	out := md.String()
	for _, want := range []string{
		"| asynchttpserver (ours) | 450 B | 400–500 B | 1.00 | 6.0 MiB |",
		"| gnet | 600 B | 500–700 B | 1.33 |",
		"| 8,000 B |",
		"## 100,000 connections, on paper",
		// 6 MiB + 100,000 × 450 B = 6 MiB + 42.9 MiB
		"| asynchttpserver (ours) | 6.0 MiB | 42.9 MiB | 48.9 MiB | 381.5 MiB |",
		"`taskset -c 1 bin/idleclient -addr 127.0.0.1:PORT -c 1000`",
		"`taskset -c 0 bin/evio -addr 127.0.0.1:PORT`",
		"evio's RSS had not settled",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	var cs bytes.Buffer
	if err := writeIdleCSV(&cs, "2026-01-01", r.runs); err != nil || strings.Count(cs.String(), "\n") != 8 {
		t.Errorf("csv (%v):\n%s", err, cs.String())
	}
}
