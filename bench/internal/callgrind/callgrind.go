// Package callgrind reads the instruction count from an output file of
// valgrind --tool=callgrind.
package callgrind

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Instructions returns the total of the first event (Ir, instructions
// executed, by default) recorded in the callgrind output file at path: the
// "totals:" line, or the "summary:" line when there is no totals line.
func Instructions(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("callgrind output: %w", err)
	}
	n, err := Parse(b)
	if err != nil {
		return 0, fmt.Errorf("callgrind output %s: %w", path, err)
	}
	return n, nil
}

// Parse returns the first event's total from the contents of a callgrind
// output file.
func Parse(b []byte) (int64, error) {
	var summary, totals string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "summary:"); ok {
			summary = v
		} else if v, ok := strings.CutPrefix(line, "totals:"); ok {
			totals = v
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	v := totals
	if v == "" {
		v = summary
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0, fmt.Errorf("no totals: or summary: line")
	}
	return strconv.ParseInt(f[0], 10, 64)
}
