package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCostResult(t *testing.T) {
	r := &costResult{server: lookupServer("gnet"), instr: [][2]int64{
		{1_000_000, 1_000_000 + 18000*3000},
		{1_100_000, 1_100_000 + 18000*3100},
		{900_000, 900_000 + 18000*2900},
	}}
	if got := r.marginal(); got != 3000 {
		t.Errorf("marginal = %v, want 3000", got)
	}
	if lo, hi := r.spread(); lo != 2900 || hi != 3100 {
		t.Errorf("spread = %v–%v, want 2900–3100", lo, hi)
	}
	if got := r.medianInstr(0); got != 1_000_000 {
		t.Errorf("medianInstr(0) = %v", got)
	}
	var md, cs bytes.Buffer
	results := []*costResult{r, {server: lookupServer("nethttp"), err: errTest}}
	writeCostMarkdown(&md, "2026-01-01", results, nil, placement{note: "pinned"}, "valgrind")
	if !strings.Contains(md.String(), "| 3,000 | 2,900–3,100 (±3.3 %) |") || !strings.Contains(md.String(), "failed") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := writeCostCSV(&cs, "2026-01-01", results); err != nil || strings.Count(cs.String(), "\n") != 4 {
		t.Errorf("csv (%v):\n%s", err, cs.String())
	}
}

var errTest = errors.New("boom")
