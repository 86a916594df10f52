package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

func TestParseSweep(t *testing.T) {
	s, err := parseSweep("1000:5000:1000", "p50=1ms,p99.9=20ms,max=1s", "1%")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.rates(); len(got) != 5 || got[0] != 1000 || got[4] != 5000 {
		t.Errorf("rates %v", got)
	}
	if len(s.slo) != 3 || s.slo[1].q != 0.999 || s.slo[1].limit != 20*time.Millisecond || s.slo[2].q != 1 || s.errorBudget != 0.01 {
		t.Errorf("objectives %+v, budget %v", s.slo, s.errorBudget)
	}
	g, err := parseSweep("1000:10000:x2", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.rates(); len(got) != 4 || got[3] != 8000 || g.slo[0].name != "p99" || g.slo[0].limit != 10*time.Millisecond || g.errorBudget != 0.001 {
		t.Errorf("rates %v, default objective %+v, budget %v", got, g.slo, g.errorBudget)
	}
	for _, c := range [][3]string{
		{"1000:5000", "", ""}, {"0:5000:1", "", ""}, {"5000:1000:1", "", ""}, {"1:2:x1", "", ""},
		{"1:100000:1", "", ""}, {"1:2:1", "p100=1ms", ""}, {"1:2:1", "p99=fast", ""}, {"1:2:1", "", "2"},
	} {
		if _, err := parseSweep(c[0], c[1], c[2]); err == nil {
			t.Errorf("parseSweep(%q, %q, %q) succeeded", c[0], c[1], c[2])
		}
	}
}

// TestSweepFindsTheKnee: a server that takes 3 ms per request, over 2
// connections, serves at most about 650 requests a second. Stepping 200,
// 400, 800 per second, the step at 800 builds a queue whose wait breaks
// p99 ≤ 20 ms, whatever the machine; the steps below it pass unless the
// machine stalls the generator for 20 ms, which the step then blames on
// the generator.
func TestSweepFindsTheKnee(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Millisecond) // the server's pace is what is measured
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"-c", "2", "-d", "600ms", "-sweep", "200:1600:x2", "-slo", "p99=20ms", "-json", srv.URL}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	sw := rep.Sweep
	if sw == nil || len(sw.Steps) == 0 {
		t.Fatalf("no sweep in %s", stdout.String())
	}
	last := sw.Steps[len(sw.Steps)-1]
	if last.Pass || last.TargetRPS > 800 || !strings.Contains(last.Reason, "p99") {
		t.Errorf("last step %+v: want a failure of p99 at 800/s at the latest", last)
	}
	var knee float64
	for _, st := range sw.Steps[:len(sw.Steps)-1] {
		if !st.Pass {
			t.Errorf("step %+v failed before the last", st)
		}
		knee = st.TargetRPS
	}
	if sw.KneeRPS != knee || (knee > 0 && (rep.Rate == nil || rep.Rate.TargetRPS != knee)) {
		t.Errorf("knee %v/s, report of the step at %+v; want the last step that passed, %v/s", sw.KneeRPS, rep.Rate, knee)
	}
	if knee < 400 && !last.Bottleneck {
		t.Errorf("knee %v/s, want 400/s: the step at %v/s failed (%s) without blaming the generator", knee, last.TargetRPS, last.Reason)
	}
}

// TestJudge checks each reason a step fails for.
func TestJudge(t *testing.T) {
	s, _ := parseSweep("1:2:1", "p99=1ms", "1%")
	base := func() report {
		var r report
		r.Rate = &rateOut{TargetRPS: 1000, AchievedRPS: 1000}
		r.Requests = 1000
		r.hist = new(hist.Histogram)
		return r
	}
	ok := base()
	for range 1000 {
		ok.hist.Record(int64(500 * time.Microsecond))
	}
	if st := s.judge(ok); !st.Pass {
		t.Errorf("judge(fine step) = %+v", st)
	}
	slow := base()
	for range 1000 {
		slow.hist.Record(int64(2 * time.Millisecond))
	}
	errs := ok
	errs.Errors.Timeout = 20
	short := ok
	short.Rate = &rateOut{TargetRPS: 1000, AchievedRPS: 900}
	for name, c := range map[string]struct {
		r    report
		want string
	}{"slow": {slow, "p99 2ms > 1ms"}, "errors": {errs, "errors 1.961% > 1.000%"}, "short": {short, "achieved 900/s"}} {
		if st := s.judge(c.r); st.Pass || !strings.Contains(st.Reason, c.want) {
			t.Errorf("%s: judge = %+v, want a failure saying %q", name, st, c.want)
		}
	}
}
