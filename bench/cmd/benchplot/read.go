package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// series is one input: what a run measured, as much of it as its file
// holds.
type series struct {
	label    string
	seconds  []second // the per-second series; nil if the file has none
	spectrum []step   // the percentile spectrum; nil if the file has none
}

// second is one row of httpbench's per-second series.
type second struct {
	T        float64 `json:"t"`
	Requests float64 `json:"requests"`
	Errors   float64 `json:"errors"`
	RPS      float64 `json:"rps"`
	P50US    float64 `json:"p50_us"`
	P99US    float64 `json:"p99_us"`
	MaxUS    float64 `json:"max_us"`
}

// step is one row of a percentile spectrum: latency (µs) at percentile p
// (a fraction).
type step struct {
	P  float64 `json:"percentile"`
	US float64 `json:"us"`
}

// report is the part of httpbench's -json report (schema version 1 or 2,
// cmd/httpbench/schema.json) that is drawn.
type report struct {
	SchemaVersion int      `json:"schema_version"`
	URL           string   `json:"url"`
	Mode          string   `json:"mode"`
	Seconds       []second `json:"seconds"`
	Spectrum      []step   `json:"latency_spectrum"`
}

// readInput reads "FILE" or "FILE=LABEL". The kind of file goes by its
// extension: .json (httpbench -json), .csv (httpbench -csv), .hgrm
// (httpbench -hgrm, or any HdrHistogram percentile distribution in
// milliseconds, as wrk2 and vegeta's hdrplot reporter write).
func readInput(arg string) (series, error) {
	path, label, ok := strings.Cut(arg, "=")
	if !ok {
		label = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return series{}, err
	}
	defer f.Close()
	s := series{label: label}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".json":
		err = readJSON(f, &s)
	case ".csv":
		s.seconds, err = readCSV(f)
	case ".hgrm", ".txt":
		s.spectrum, err = readHgrm(f)
	default:
		err = fmt.Errorf("unknown kind of file %q: want .json, .csv or .hgrm", ext)
	}
	if err != nil {
		return series{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// readJSON reads httpbench's report: one JSON object.
func readJSON(r io.Reader, s *series) error {
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return err
	}
	if rep.SchemaVersion > 2 {
		return fmt.Errorf("schema_version %d: benchplot knows versions 1 and 2", rep.SchemaVersion)
	}
	s.seconds, s.spectrum = rep.Seconds, rep.Spectrum
	if len(s.seconds) == 0 && len(s.spectrum) == 0 {
		return fmt.Errorf("no seconds or latency_spectrum: a report of schema version 2 has both")
	}
	return nil
}

// readCSV reads httpbench -csv: a header naming the columns, then a row a
// second. Columns are found by name, so that more may be added.
func readCSV(r io.Reader) ([]second, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("no rows")
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	fields := []string{"t", "requests", "errors", "rps", "p50_us", "p99_us", "max_us"}
	for _, name := range fields {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("no column %q in %v", name, recs[0])
		}
	}
	var out []second
	for i, rec := range recs[1:] {
		var v [7]float64
		for j, name := range fields {
			if v[j], err = strconv.ParseFloat(rec[col[name]], 64); err != nil {
				return nil, fmt.Errorf("row %d: %s: %w", i+1, name, err)
			}
		}
		out = append(out, second{v[0], v[1], v[2], v[3], v[4], v[5], v[6]})
	}
	return out, nil
}

// readHgrm reads the rows of a percentile distribution: value (ms),
// percentile (a fraction), count, and 1/(1-percentile) but on the last
// row. The header, blank lines and "#[" footer lines are skipped.
func readHgrm(r io.Reader) ([]step, error) {
	var out []step
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		fs := bytes.Fields(sc.Bytes())
		if len(fs) < 3 || fs[0][0] == '#' {
			continue
		}
		ms, err1 := strconv.ParseFloat(string(fs[0]), 64)
		p, err2 := strconv.ParseFloat(string(fs[1]), 64)
		if err1 != nil || err2 != nil {
			if len(out) == 0 {
				continue // the header
			}
			return nil, fmt.Errorf("line %d: %q", line, sc.Text())
		}
		out = append(out, step{P: p, US: ms * 1e3})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no percentile rows")
	}
	return out, nil
}
