// Command vegetarate runs vegeta's constant-rate attack
// (github.com/tsenart/vegeta/v12, used as a library) against one URL and
// prints what it measured and what it cost: the figures httpbench -rate
// is compared with in its README. vegeta times a request from when a
// worker sends it; its pacer starts more workers (goroutines, and
// connections) whenever all are busy, so requests leave on time and a
// server's stall shows in its latencies.
//
// Usage:
//
//	vegetarate [-rate 1000] [-d 10s] [-warmup 0] [-c 10000] [-hgrm FILE] URL
//
// The summary gives requests, the rate vegeta sent at and the rate of
// successful responses, latency percentiles, and the process's CPU time
// (user + system, getrusage) over the measured part, per request.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	log.SetPrefix("vegetarate: ")
	log.SetFlags(0)
	rate := flag.Int("rate", 1000, "requests per second")
	dur := flag.Duration("d", 10*time.Second, "how long to attack (measured)")
	warmup := flag.Duration("warmup", 0, "attack this long first, at the same rate, unmeasured")
	conns := flag.Int("c", vegeta.DefaultConnections, "idle connections kept per host (vegeta's -connections)")
	hgrm := flag.String("hgrm", "", "write the latency distribution to `file` (vegeta's hdrplot report, milliseconds)")
	flag.Parse()
	if flag.NArg() != 1 || *rate <= 0 || *dur <= 0 {
		fmt.Fprintln(os.Stderr, "usage: vegetarate [-rate N] [-d D] [-warmup D] [-c N] [-hgrm FILE] URL")
		os.Exit(2)
	}
	target := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: flag.Arg(0)})
	pace := vegeta.Rate{Freq: *rate, Per: time.Second}
	atk := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Connections(*conns), vegeta.Timeout(5*time.Second))
	// One attack for warm-up and measurement (an Attacker stops for good
	// after its first attack): results sent before the warm-up's end are
	// left out, and the CPU time is read when it ends.
	start := time.Now()
	from := start.Add(*warmup)
	var mu sync.Mutex
	cpu0 := cpuTime()
	if *warmup > 0 {
		time.AfterFunc(*warmup, func() {
			mu.Lock()
			cpu0 = cpuTime()
			mu.Unlock()
		})
	}
	var m vegeta.Metrics
	for res := range atk.Attack(target, pace, *warmup+*dur, "httpbench-comparison") {
		if !res.Timestamp.Before(from) {
			m.Add(res)
		}
	}
	m.Close()
	mu.Lock()
	cpu := cpuTime() - cpu0
	mu.Unlock()
	l := m.Latencies
	us := func(d time.Duration) string { return fmt.Sprintf("%.1fµs", float64(d)/1e3) }
	fmt.Printf("vegeta %d/s for %v: %d requests, sent at %.1f/s, %.1f successful/s, success %.2f%%\n",
		*rate, *dur, m.Requests, m.Rate, m.Throughput, 100*m.Success)
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s  mean %s\n", us(l.P50), us(l.P90), us(l.P99), us(l.Max), us(l.Mean))
	fmt.Printf("CPU %.2fs, %.2f cores, %.2fµs per request\n", cpu.Seconds(), cpu.Seconds()/m.Duration.Seconds(),
		float64(cpu)/1e3/float64(max(m.Requests, 1)))
	if len(m.Errors) > 0 {
		fmt.Printf("errors: %v\n", m.Errors)
	}
	if *hgrm != "" {
		f, err := os.Create(*hgrm)
		if err != nil {
			log.Fatal(err)
		}
		if err := vegeta.NewHDRHistogramPlotReporter(&m).Report(f); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
