// Command benchplot draws what httpbench measured: latency over time (p50
// and p99 per second), the latency percentile spectrum on a log scale
// (as HdrHistogram's plotter draws it), and throughput over time, one
// panel each, with every input overlaid in its own colour.
//
// Usage:
//
//	benchplot [-o chart.svg] [-title TEXT] FILE[=LABEL] ...
//
// A FILE is httpbench's -json report (.json: both the series and the
// spectrum), its -csv series (.csv) or a percentile distribution in
// HdrHistogram's text form, values in milliseconds (.hgrm: httpbench
// -hgrm, wrk2, or vegeta's hdrplot report). LABEL names the input in the
// legends; by default its file name without extension. -o ending in .png
// writes a PNG, anything else SVG. A panel none of the inputs has data
// for says so.
//
// For example, a server that stalls once a second, measured open loop
// and closed loop:
//
//	httpbench -rate 20000 -d 10s -json http://127.0.0.1:8080/ > rate.json
//	httpbench -d 10s -json http://127.0.0.1:8080/ > closed.json
//	benchplot -o stall.svg rate.json="httpbench -rate" closed.json="closed loop"
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	log.SetPrefix("benchplot: ")
	log.SetFlags(0)
	out := flag.String("o", "benchplot.svg", "output `file` (.svg or .png)")
	title := flag.String("title", "", "chart title (default: the inputs' labels)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchplot [-o chart.svg] [-title TEXT] FILE[=LABEL] ...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Args(), *out, *title); err != nil {
		log.Fatal(err)
	}
}

// run reads the inputs and writes the chart to out.
func run(args []string, out, title string) error {
	var in []series
	var labels []string
	for _, a := range args {
		s, err := readInput(a)
		if err != nil {
			return err
		}
		in = append(in, s)
		labels = append(labels, s.label)
	}
	if title == "" {
		title = strings.Join(labels, " vs ")
	}
	format := "svg"
	if strings.EqualFold(filepath.Ext(out), ".png") {
		format = "png"
	}
	var buf bytes.Buffer
	if err := writeChart(&buf, format, title, in); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
