// Command measure runs the bridge's benchmark: the same ServeMux handler
// (GET /hello/{name}, a JSON hello) served by the bridge in goroutine mode
// and inline, by net/http, by nbio's nbhttp and by fasthttp's
// fasthttpadaptor, side by side in one run.
//
// Throughput (the default): each server pinned to CPU 0, httpbench to CPU 1,
// -rounds interleaved rounds of -d each (after a one-second warm-up),
// req/s and the server's CPU share (httpbench -server-pid reads
// /proc/PID/stat), and their quotient: req/s per server core. Medians.
//
// Cost (-cost): each server under valgrind --tool=callgrind
// (GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOMAXPROCS=1), driven by
// costclient over one keep-alive connection with 2,000 and with 20,000
// requests; marginal instructions per request = (I(20000) - I(2000)) /
// 18000. Medians of -repeats.
//
//	go build -o /tmp/peers/ ./cmd/... && /tmp/peers/measure -bin /tmp/peers -httpbench /tmp/httpbench
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type peer struct {
	name string
	args []string
}

var peers = []peer{
	{"bridge", nil},
	{"bridge-inline", []string{"-inline"}},
	{"nethttp", nil},
	{"nbio", nil},
	{"fasthttpadaptor", nil},
	{"native", nil}, // the server's own API: the ceiling
}

func main() {
	log.SetFlags(0)
	bin := flag.String("bin", "/tmp/peers", "directory of the built commands")
	httpbench := flag.String("httpbench", "/tmp/httpbench", "httpbench binary")
	rounds := flag.Int("rounds", 3, "interleaved rounds")
	dur := flag.Duration("d", 5*time.Second, "measured time per run")
	conns := flag.Int("c", 64, "connections")
	cost := flag.Bool("cost", false, "callgrind instructions per request instead")
	repeats := flag.Int("repeats", 3, "cost: measurements per server")
	only := flag.String("servers", "", "comma-separated subset")
	flag.Parse()
	list := peers
	if *only != "" {
		list = nil
		for _, p := range peers {
			if slices.Contains(strings.Split(*only, ","), p.name) {
				list = append(list, p)
			}
		}
	}
	if *cost {
		costs(list, *bin, *repeats)
		return
	}
	type fig struct{ rps, cores, perCore []float64 }
	figs := map[string]*fig{}
	for r := 0; r < *rounds; r++ {
		for i := range list {
			p := list[(i+r)%len(list)]
			rps, cores := run(p, *bin, *httpbench, *conns, *dur)
			f := figs[p.name]
			if f == nil {
				f = &fig{}
				figs[p.name] = f
			}
			f.rps = append(f.rps, rps)
			f.cores = append(f.cores, cores)
			f.perCore = append(f.perCore, rps/cores)
			log.Printf("round %d %-16s %8.0f req/s  %.2f cores  %8.0f req/s per core", r+1, p.name, rps, cores, rps/cores)
		}
	}
	base := median(figs["nethttp"].perCore)
	fmt.Printf("\n| server | req/s | server CPU | req/s per server core | × net/http |\n|---|---:|---:|---:|---:|\n")
	for _, p := range list {
		f := figs[p.name]
		pc := median(f.perCore)
		fmt.Printf("| %s | %.0f | %.2f | %.0f | %.2f |\n", p.name, median(f.rps), median(f.cores), pc, pc/base)
	}
}

// run measures one server: after waiting (up to 20 s) for the machine to
// be quiet, once, and again (twice at most) while other processes used
// more than a quarter of a core during the run; the quietest run counts.
func run(p peer, bin, httpbench string, conns int, dur time.Duration) (rps, cores float64) {
	best := -1.0
	for attempt := 0; attempt < 3; attempt++ {
		waitQuiet(20 * time.Second)
		r, c, other := runOnce(p, bin, httpbench, conns, dur)
		if best < 0 || other < best {
			best, rps, cores = other, r, c
		}
		if other <= 0.25 {
			break
		}
		log.Printf("%s: other processes used %.2f cores during the run: again", p.name, other)
	}
	return rps, cores
}

// waitQuiet waits until the machine's other processes use less than a
// quarter of a core over a second, or until max has passed.
func waitQuiet(max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		b0 := machineBusy()
		time.Sleep(time.Second) // a measurement interval, not synchronisation
		if machineBusy()-b0 < 0.25 {
			return
		}
	}
}

// runOnce measures one server once: its req/s, its CPU share, and the
// CPU share of every other process on the machine meanwhile.
func runOnce(p peer, bin, httpbench string, conns int, dur time.Duration) (rps, cores, other float64) {
	addr := freeAddr()
	cmd := exec.Command("taskset", append([]string{"-c", "0", filepath.Join(bin, serverBin(p.name)), "-addr", addr}, p.args...)...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}()
	waitPort(addr)
	// taskset execs the server: its pid is the server's.
	start, busy0, srv0 := time.Now(), machineBusy(), procCPU(cmd.Process.Pid)
	load := exec.Command("taskset", "-c", "1", httpbench, "-c", strconv.Itoa(conns), "-d", dur.String(),
		"-warmup", "1s", "-json", "-server-pid", strconv.Itoa(cmd.Process.Pid), "http://"+addr+"/hello/world")
	out, err := load.Output()
	if err != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		log.Fatalf("%s: httpbench: %v", p.name, err)
	}
	wall := time.Since(start).Seconds()
	busy, srv := machineBusy()-busy0, procCPU(cmd.Process.Pid)-srv0
	gen := (load.ProcessState.UserTime() + load.ProcessState.SystemTime()).Seconds()
	other = (busy - srv - gen) / wall
	var res struct {
		RPS    float64 `json:"rps"`
		Errors map[string]int
		CPU    struct {
			Server struct {
				Cores float64 `json:"cores"`
			} `json:"server"`
		} `json:"cpu"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		log.Fatal(err)
	}
	for k, v := range res.Errors {
		if v > 0 {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			log.Fatalf("%s: %d %s errors", p.name, v, k)
		}
	}
	log.Printf("%s: load generator %.2f cores, other processes %.2f", p.name, gen/wall, other)
	return res.RPS, res.CPU.Server.Cores, other
}

// procCPU returns the CPU seconds (user and system) process pid has used.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // after "pid (comm) "
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// machineBusy returns the CPU seconds all processes have used (/proc/stat).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	// cpu user nice system idle iowait irq softirq steal: processes' time
	// is user, nice and system; interrupts (loopback TCP runs in softirq)
	// are charged to no process.
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	var ticks float64
	for _, v := range f[1:4] {
		n, _ := strconv.ParseFloat(v, 64)
		ticks += n
	}
	return ticks / 100 // USER_HZ
}

func serverBin(name string) string { return strings.TrimSuffix(name, "-inline") }

// costs measures instructions per request under callgrind.
func costs(list []peer, bin string, repeats int) {
	fmt.Printf("| server | instructions / request (median, min–max of %d) | × bridge |\n|---|---:|---:|\n", repeats)
	var ref float64
	for _, p := range list {
		var ms []float64
		for range repeats {
			i1 := instructions(p, bin, 2000)
			i2 := instructions(p, bin, 20000)
			ms = append(ms, float64(i2-i1)/18000)
		}
		m := median(ms)
		if ref == 0 {
			ref = m
		}
		fmt.Printf("| %s | %.0f (%.0f–%.0f) | %.2f |\n", p.name, m, slices.Min(ms), slices.Max(ms), m/ref)
	}
}

var totalsRE = regexp.MustCompile(`(?m)^(?:summary|totals):\s+(\d+)`)

// instructions runs the server under callgrind for n requests and returns
// its instruction total.
func instructions(p peer, bin string, n int) int64 {
	addr := freeAddr()
	out := filepath.Join(os.TempDir(), fmt.Sprintf("callgrind.%s.%d.out", p.name, n))
	os.Remove(out)
	os.Remove(out + ".1")
	args := append([]string{"--tool=callgrind", "--dump-instr=no", "--callgrind-out-file=" + out, filepath.Join(bin, serverBin(p.name)), "-addr", addr}, p.args...)
	cmd := exec.Command("valgrind", args...)
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off", "GOMAXPROCS=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	waitPort(addr)
	if b, err := exec.Command(filepath.Join(bin, "costclient"), "-addr", addr, "-n", strconv.Itoa(n)).CombinedOutput(); err != nil {
		log.Fatalf("%s: costclient: %v %s", p.name, err, b)
	}
	// Dump the counts while the server runs: valgrind 3.19's callgrind
	// may abort when a Go program handles SIGTERM (see bench/cmd/benchrun).
	if b, err := exec.Command("callgrind_control", "-d", strconv.Itoa(cmd.Process.Pid)).CombinedOutput(); err != nil {
		log.Fatalf("%s: callgrind_control: %v %s", p.name, err, b)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	b, err := os.ReadFile(out + ".1")
	if err != nil {
		log.Fatal(err)
	}
	m := totalsRE.FindSubmatch(b)
	if m == nil {
		log.Fatalf("%s: no totals in %s", p.name, out)
	}
	v, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return v
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitPort(addr string) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	log.Fatalf("%s: server did not listen", addr)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
