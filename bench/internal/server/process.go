// Package server runs a benchmarked server as a child process: it picks a
// free loopback port, starts the server, waits until the port accepts
// connections, and stops the server again, so that no process outlives the
// harness.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a started server.
type Process struct {
	Addr string // host:port it listens on
	cmd  *exec.Cmd
	out  *tail
	done chan struct{} // closed when the process has exited
	err  error         // the result of Wait, valid once done is closed
}

// FreeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start runs argv with extra environment variables env (in addition to the
// harness's own) in a process group of its own, so that a Ctrl-C in the
// terminal reaches the harness, which then stops the server itself. The
// server is killed if the harness dies first. addr is recorded as the address
// the server was told to listen on.
func Start(argv, env []string, addr string) (*Process, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out := &tail{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", strings.Join(argv, " "), err)
	}
	p := &Process{Addr: addr, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the server's process id. Commands that exec the server (taskset,
// valgrind) keep this id, so /proc/<pid> describes the server itself.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Output returns the last few kilobytes the server wrote to stdout and stderr.
func (p *Process) Output() string { return p.out.String() }

// WaitReady polls the server's port until a TCP connection succeeds. It fails
// when the server exits, ctx ends, or timeout passes first.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var d net.Dialer
	for {
		dctx, dcancel := context.WithTimeout(ctx, time.Second)
		conn, err := d.DialContext(dctx, "tcp", p.Addr)
		dcancel()
		if err == nil {
			return conn.Close()
		}
		select {
		case <-p.done:
			return fmt.Errorf("server exited before accepting connections (%v): %s", p.err, p.Output())
		case <-ctx.Done():
			return fmt.Errorf("%s not accepting connections after %v: %w", p.Addr, timeout, err)
		case <-tick.C:
		}
	}
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ErrKilled is returned by Stop when the server ignored SIGTERM.
var ErrKilled = errors.New("server did not exit on SIGTERM and was killed")

// Stop sends SIGTERM to the server's process group and waits up to grace for
// it to exit, then kills the group. It always waits for the process, so none
// is left behind; it returns ErrKilled if SIGTERM was not enough.
func (p *Process) Stop(grace time.Duration) error {
	pgid := p.cmd.Process.Pid
	if p.Exited() {
		return nil
	}
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
		return ErrKilled
	}
}
