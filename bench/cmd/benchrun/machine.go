package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"asynchttpserver.dev/bench/internal/report"
)

// machine describes the machine the benchmark runs on.
func machine() report.Machine {
	m := report.Machine{NProc: nproc(), CPUModel: cpuModel(), Kernel: "unknown", Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	return m
}

// commit describes the repository's checked-out commit: its short hash,
// with "+ uncommitted changes" when the work tree differs from it.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(out))
	if err := exec.Command("git", "diff", "--quiet", "HEAD", "--", "..").Run(); err != nil {
		c += " + uncommitted changes"
	}
	return c
}

// nproc returns what `nproc` prints: the CPUs this process may run on.
var nproc = sync.OnceValue(readNproc)

func readNproc() int {
	if out, err := exec.Command("nproc").Output(); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil {
			return n
		}
	}
	return runtime.NumCPU()
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// placement says where servers and load generators run.
type placement struct {
	server []string // command prefix for servers
	load   []string // command prefix for load generators and clients
	note   string   // for the report
}

// unpinned is the placement of the all-cores scenario: nothing pinned.
func unpinned() placement {
	return placement{note: "nothing pinned: every server and the load generator may use every CPU"}
}

// pinning pins servers to CPU 0 and load generators to CPU 1 when the
// machine has two CPUs or more and taskset is installed.
func pinning() placement {
	n := nproc()
	if n < 2 {
		return placement{note: "the machine has one CPU: server and load generator share it, unpinned"}
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return placement{note: "taskset not found: processes unpinned (install util-linux)"}
	}
	return placement{
		server: []string{"taskset", "-c", "0"},
		load:   []string{"taskset", "-c", "1"},
		note:   "server on CPU 0 (`taskset -c 0`), load generator on CPU 1 (`taskset -c 1`)",
	}
}
