package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report as Markdown: the set-up, a summary grid of
// req/s per server core, a table per scenario, the exact commands and notes.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	sums := r.Summaries()
	r.writeHeader(bw)
	for i, g := range r.Groups() {
		r.writeGrid(bw, sums, g, i == 0)
	}
	for _, sc := range r.Scenarios {
		r.writeScenario(bw, sc, sums)
	}
	r.writeCommands(bw)
	if len(r.Notes) > 0 {
		fmt.Fprintf(bw, "## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(bw, "- %s\n", n)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

func (r *Report) writeHeader(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "# %s: %s\n\n", r.Title, r.Date)
	fmt.Fprintf(w, "%s, one core per server (GOMAXPROCS=1 / one event loop / one poller)%s.%s\n\n", r.subject(), r.allCoresNote(), r.groupsNote())
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	if r.Command != "" {
		fmt.Fprintf(w, "| command | `%s` |\n", r.Command)
	}
	if r.Commit != "" {
		fmt.Fprintf(w, "| commit | %s |\n", r.Commit)
	}
	fmt.Fprintf(w, "| machine | `nproc` = %d; %s; Linux %s; %s |\n", m.NProc, m.CPUModel, m.Kernel, m.Go)
	fmt.Fprintf(w, "| placement | %s |\n", r.Pinning)
	fmt.Fprintf(w, "| load generator | %s |\n", r.LoadGen)
	fmt.Fprintf(w, "| method | %d interleaved round(s); each run starts the server afresh, warms up for %v, then measures for %v; figures are medians over the rounds, peak RSS the largest VmHWM seen |\n",
		r.Rounds, r.Warmup, r.Duration)
	med, top := r.Background()
	fmt.Fprintf(w, "| other load | other processes used %s of a core during the median run, %s at most; higher means noisier figures |\n", Percent0(med), Percent0(top))
	fmt.Fprintf(w, "| ratios | %s |\n\n", r.referenceNote())
}

// allCoresNote says which scenario gives the servers every core, if any.
func (r *Report) allCoresNote() string {
	for _, sv := range r.Servers {
		if sv.AllCoresCommand != "" {
			return ", except in the all-cores scenario, where every server has every CPU"
		}
	}
	return ""
}

// otherGroups returns the groups other than the main one, quoted.
func (r *Report) otherGroups() []string {
	var out []string
	for _, g := range r.Groups() {
		if g != "" {
			out = append(out, "“"+g+"”")
		}
	}
	return out
}

// subject names what the report measures: Hello World when a scenario of
// the main group ran, otherwise the other groups.
func (r *Report) subject() string {
	if g := r.Groups(); len(g) > 0 && g[0] != "" {
		return strings.Join(r.otherGroups(), ", ")
	}
	return "Hello World"
}

// groupsNote says which scenarios measure other servers on another
// handler, when Hello World scenarios ran beside them.
func (r *Report) groupsNote() string {
	others := r.otherGroups()
	if len(others) == 0 || r.subject() != "Hello World" {
		return ""
	}
	return " The scenarios under " + strings.Join(others, ", ") + " measure other servers on another handler, with a summary of their own."
}

func (r *Report) referenceNote() string {
	var parts []string
	main := false
	for _, sc := range r.Scenarios {
		if sc.Reference != "" && sc.Reference != r.Reference {
			parts = append(parts, "in "+sc.Title+", each server's figure ÷ that of "+r.server(sc.Reference).Label)
		} else {
			main = true
		}
	}
	switch {
	case main && r.Reference != "":
		parts = append([]string{"each server's figure ÷ that of " + r.server(r.Reference).Label + ", in the same scenario"}, parts...)
	case main:
		parts = append([]string{"none (no reference server)"}, parts...)
	}
	return strings.Join(parts, "; ")
}

// writeGrid writes one group's summary: req/s per server core, the group's
// servers by its scenarios. The main group's grid comes first and links
// the chart.
func (r *Report) writeGrid(w io.Writer, sums []Summary, group string, first bool) {
	var scenarios []Scenario
	for _, sc := range r.Scenarios {
		if sc.Group == group {
			scenarios = append(scenarios, sc)
		}
	}
	if group == "" {
		fmt.Fprintf(w, "## Throughput per server core\n\n")
	} else {
		fmt.Fprintf(w, "## Throughput per server core: %s\n\n", group)
	}
	fmt.Fprintf(w, "req/s ÷ the server's CPU share (ratio to the reference in brackets). When the load generator saturates its own core first, raw req/s flattens at the top; per-core throughput still compares the servers' own efficiency.\n\n")
	fmt.Fprintf(w, "| server |")
	for _, sc := range scenarios {
		fmt.Fprintf(w, " %s |", sc.Title)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(scenarios)))
	for _, sv := range r.Servers {
		if sv.Group != group {
			continue
		}
		fmt.Fprintf(w, "| %s |", sv.Label)
		for _, sc := range scenarios {
			fmt.Fprintf(w, " %s |", gridCell(sums, sc.Key, sv.Key))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	if first && r.ChartFile != "" {
		fmt.Fprintf(w, "![req/s per server core](%s)\n\n", r.ChartFile)
	}
}

func gridCell(sums []Summary, scenario, server string) string {
	s, ok := find(sums, scenario, server)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%s (%s)", Short(s.PerCore), Ratio(s.RatioPerCore))
}

func find(sums []Summary, scenario, server string) (Summary, bool) {
	for _, s := range sums {
		if s.Scenario == scenario && s.Server == server {
			return s, true
		}
	}
	return Summary{}, false
}

// writeScenario writes one scenario's table.
func (r *Report) writeScenario(w io.Writer, sc Scenario, sums []Summary) {
	fmt.Fprintf(w, "## %s\n\n%s\n\n", sc.Title, sc.Description)
	if sc.Command != "" {
		fmt.Fprintf(w, "Load: `%s`\n\n", sc.Command)
	}
	ref := "ref"
	if key := r.ReferenceOf(sc); key != "" {
		ref = r.server(key).Key
	}
	fmt.Fprintf(w, "| server | req/s | req/s per server core | server CPU / request | server CPU | load gen CPU | other CPU | p99 | peak RSS | req/s × %s | per core × %s | errors |\n", ref, ref)
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, sv := range r.Servers {
		s, ok := find(sums, sc.Key, sv.Key)
		if !ok {
			continue
		}
		p99 := "n/a"
		if s.HasP99 {
			p99 = Latency(s.P99)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n",
			sv.Label, Thousands(s.RPS), Thousands(s.PerCore), PerRequest(s.CPUPerReq), Percent(s.ServerCPU), Percent(s.LoadCPU),
			Percent0(s.OtherCPU), p99, MiB(s.PeakRSS), Ratio(s.RatioRPS), Ratio(s.RatioPerCore), s.Errors)
	}
	fmt.Fprintln(w)
}

// writeCommands lists how each server was started.
func (r *Report) writeCommands(w io.Writer) {
	if r.allCoresNote() == "" {
		fmt.Fprintf(w, "## Servers\n\n| server | command |\n|---|---|\n")
		for _, sv := range r.Servers {
			fmt.Fprintf(w, "| %s | `%s` |\n", sv.Label, sv.Command)
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "## Servers\n\n| server | command | all-cores scenario |\n|---|---|---|\n")
	for _, sv := range r.Servers {
		all := "—" // a server the all-cores scenario does not run
		if sv.AllCoresCommand != "" {
			all = "`" + sv.AllCoresCommand + "`"
		}
		fmt.Fprintf(w, "| %s | `%s` | %s |\n", sv.Label, sv.Command, all)
	}
	fmt.Fprintln(w)
}
