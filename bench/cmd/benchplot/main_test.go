package main

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// report.json is the shape of httpbench -json (schema version 2), cut
// down to what benchplot reads plus a few fields it ignores.
const reportJSON = `{"schema_version":2,"requests":30000,"rps":10000,"url":"http://127.0.0.1:8080/","mode":"rate",
"latency_spectrum":[{"percentile":0,"us":20,"count":1},{"percentile":0.5,"us":40,"count":15000},
{"percentile":0.9,"us":60,"count":27000},{"percentile":0.99,"us":90000,"count":29700},{"percentile":1,"us":100000,"count":30000}],
"seconds":[{"t":0,"requests":10000,"errors":0,"rps":10000,"p50_us":40,"p99_us":90000,"max_us":100000},
{"t":1,"requests":10000,"errors":5,"rps":10000,"p50_us":41,"p99_us":91000,"max_us":100000},
{"t":2,"requests":10000,"errors":0,"rps":10000,"p50_us":39,"p99_us":89000,"max_us":99000}]}`

const seriesCSV = "t,requests,errors,rps,p50_us,p99_us,max_us\n0,100,0,100,50,70,90\n1,50,1,100,55,75,95\n"

// hgrmText is httpbench -hgrm's form (HdrHistogram's).
const hgrmText = `       Value     Percentile TotalCount 1/(1-Percentile)

       0.020 0.000000000000          1           1.00
       0.040 0.500000000000        501           2.00
       0.090 0.990000000000        991         100.00
       0.100 1.000000000000       1000
#[Mean    =        0.045, StdDeviation   =        0.010]
#[Max     =        0.100, Total count    =         1000]
#[Buckets =           37, SubBuckets     =          256]
`

// vegetaText is vegeta's hdrplot report, columns aligned by tabwriter.
const vegetaText = `Value(ms)  Percentile  TotalCount  1/(1-Percentile)
0.050000   0.000000    0           1.000000
0.070000   0.500000    500         2.000000
95.000000  0.990000    990         100.000000
100.000000 1.000000    1000        10000000.000000
`

func writeInputs(t *testing.T) (dir string) {
	dir = t.TempDir()
	for name, text := range map[string]string{"run.json": reportJSON, "run.csv": seriesCSV, "run.hgrm": hgrmText, "vegeta.hgrm": vegetaText} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadInputs(t *testing.T) {
	dir := writeInputs(t)
	js, err := readInput(filepath.Join(dir, "run.json") + "=open loop")
	if err != nil {
		t.Fatal(err)
	}
	if js.label != "open loop" || len(js.seconds) != 3 || js.seconds[1].Errors != 5 || len(js.spectrum) != 5 || js.spectrum[3].US != 90000 {
		t.Errorf("json: %+v", js)
	}
	cs, err := readInput(filepath.Join(dir, "run.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if cs.label != "run" || len(cs.seconds) != 2 || cs.seconds[1] != (second{1, 50, 1, 100, 55, 75, 95}) || cs.spectrum != nil {
		t.Errorf("csv: %+v", cs)
	}
	for _, name := range []string{"run.hgrm", "vegeta.hgrm"} {
		h, err := readInput(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(h.spectrum) != 4 || h.spectrum[1].P != 0.5 || h.spectrum[3].P != 1 || h.seconds != nil {
			t.Errorf("%s: %+v", name, h)
		}
	}
	if h, _ := readInput(filepath.Join(dir, "run.hgrm")); h.spectrum[2].US != 90 {
		t.Errorf("hgrm values are milliseconds: 0.090 should read 90µs, got %v", h.spectrum[2].US)
	}
	for _, bad := range []string{"nothing.json", "run.txt.gz"} {
		if _, err := readInput(filepath.Join(dir, bad)); err == nil {
			t.Errorf("readInput(%s) succeeded", bad)
		}
	}
}

// TestChart draws every kind of input into an SVG and a PNG: the SVG is
// well-formed XML holding the three panels and every label; the PNG
// decodes. With only a spectrum, the two time panels say they have no
// data.
func TestChart(t *testing.T) {
	dir := writeInputs(t)
	in := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	svg := filepath.Join(dir, "chart.svg")
	if err := run(in("run.json=httpbench -rate", "run.csv=closed", "vegeta.hgrm=vegeta"), svg, ""); err != nil {
		t.Fatal(err)
	}
	text := svgText(t, svg)
	for _, want := range []string{"Latency over time", "Latency by percentile", "Throughput",
		"httpbench -rate", "closed", "vegeta", "90%", "99%", "httpbench -rate vs closed vs vegeta"} {
		if !strings.Contains(text, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(text, "no data") {
		t.Error("a panel with data says it has none")
	}
	pngPath := filepath.Join(dir, "chart.png")
	if err := run(in("run.hgrm"), pngPath, "spectrum only"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("PNG: %v", err)
	}
	only := filepath.Join(dir, "only.svg")
	if err := run(in("run.hgrm"), only, ""); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(svgText(t, only), "(no data in the inputs)"); n != 2 {
		t.Errorf("%d panels say they have no data, want 2", n)
	}
}

// svgText checks that the file is well-formed XML and returns its text.
func svgText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			text.WriteByte('\n')
		}
	}
	return text.String()
}
