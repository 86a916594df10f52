package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"asynchttpserver.dev/bench/internal/loadgen"
	"asynchttpserver.dev/bench/internal/proc"
	"asynchttpserver.dev/bench/internal/report"
	"asynchttpserver.dev/bench/internal/server"
)

const (
	readyTimeout = 10 * time.Second // for a server to accept connections
	stopGrace    = 5 * time.Second  // for a server to exit on SIGTERM
)

// runner measures one server in one scenario at a time.
type runner struct {
	place    placement         // the one-core scenarios'
	gen      loadgen.Generator // placed by place
	genAll   loadgen.Generator // the all-cores scenario's, unpinned
	duration time.Duration
	warmup   time.Duration
	gate     *quietGate // nil: no waiting for a quiet machine
}

// startServer starts a server on a free port, pinned as r.place says or,
// with allCores, unpinned with every CPU; it waits until the server accepts
// connections and checks that it answers correctly. On error, nothing is
// left running.
func (r *runner) startServer(ctx context.Context, sv serverDef, allCores bool) (*server.Process, error) {
	addr, err := server.FreeAddr()
	if err != nil {
		return nil, err
	}
	prefix := r.place.server
	if allCores {
		prefix = nil
	}
	p, err := server.Start(sv.command(prefix, addr, allCores), nil, addr)
	if err != nil {
		return nil, err
	}
	if err := p.WaitReady(ctx, readyTimeout); err != nil {
		p.Stop(stopGrace)
		return nil, err
	}
	if err := sv.want().Server(ctx, addr); err != nil {
		p.Stop(stopGrace)
		return nil, fmt.Errorf("answers wrongly: %w", err)
	}
	return p, nil
}

// measure runs one scenario against a fresh instance of one server: start,
// check, warm up, then measure the load generator's throughput together
// with the server's CPU share and peak RSS.
func (r *runner) measure(ctx context.Context, round int, sc scenarioDef, sv serverDef) (report.Run, error) {
	p, err := r.startServer(ctx, sv, sc.allCores)
	if err != nil {
		return report.Run{}, err
	}
	defer p.Stop(stopGrace)
	gen := r.generator(sc)
	url := "http://" + p.Addr + sc.path()
	if r.warmup > 0 {
		if _, err := gen.Run(ctx, sc.spec(url, r.warmup)); err != nil {
			return report.Run{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	before, err := readCPU(p.Pid())
	if err != nil {
		return report.Run{}, err
	}
	res, err := gen.Run(ctx, sc.spec(url, r.duration))
	if err != nil {
		return report.Run{}, err
	}
	after, err := readCPU(p.Pid())
	if err != nil {
		return report.Run{}, err
	}
	rss, err := proc.PeakRSS(p.Pid())
	if err != nil {
		return report.Run{}, err
	}
	if p.Exited() {
		return report.Run{}, errors.New("server exited during the run: " + p.Output())
	}
	return report.Run{
		Round: round, Scenario: sc.key, Server: sv.key,
		Requests: res.Requests, RPS: res.RPS,
		ServerCPU: proc.Share(before.server, after.server), LoadCPU: res.CPUShare(),
		OtherCPU: otherShare(before, after, res.CPU),
		P99:      res.P99, HasP99: res.HasP99, PeakRSS: rss, Errors: res.Errors.Total(), BadStatus: res.Errors.Status,
	}, nil
}

// generator returns the load generator of scenario sc.
func (r *runner) generator(sc scenarioDef) loadgen.Generator {
	if sc.allCores {
		return r.genAll
	}
	return r.gen
}

// cpuSample is the server's and the whole machine's CPU time at a moment.
type cpuSample struct {
	server proc.Sample
	system time.Duration
}

func readCPU(pid int) (cpuSample, error) {
	sys, err := proc.SystemBusy()
	if err != nil {
		return cpuSample{}, err
	}
	srv, err := proc.Read(pid)
	return cpuSample{server: srv, system: sys}, err
}

// otherShare returns the CPU share of every process other than the server
// and the load generator between two samples: the machine's background load.
func otherShare(before, after cpuSample, loadCPU time.Duration) float64 {
	wall := after.server.At.Sub(before.server.At)
	if wall <= 0 {
		return 0
	}
	other := (after.system - before.system) - (after.server.CPU - before.server.CPU) - loadCPU
	return max(0, float64(other)/float64(wall))
}

// describe formats a run for the progress log.
func describe(run report.Run) string {
	p99 := "n/a"
	if run.HasP99 {
		p99 = report.Latency(run.P99)
	}
	return fmt.Sprintf("%s req/s (%s per core, %s CPU/req), server CPU %s, load CPU %s, other %s, p99 %s, RSS %s, errors %d",
		report.Thousands(run.RPS), report.Thousands(run.PerCore()), report.PerRequest(run.CPUPerRequest()), report.Percent(run.ServerCPU),
		report.Percent(run.LoadCPU), report.Percent0(run.OtherCPU), p99, report.MiB(run.PeakRSS), run.Errors)
}
