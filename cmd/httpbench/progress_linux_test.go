package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty returns both ends of a new pseudo-terminal.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty slave: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// TestProgressOnTerminal runs a timed benchmark with a terminal for its
// standard error and checks that the line is redrawn in place several
// times, then erased.
func TestProgressOnTerminal(t *testing.T) {
	master, slave := openPty(t)
	if !isTerminal(int(slave.Fd())) {
		t.Fatal("a pseudo-terminal does not count as a terminal")
	}
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	got := make(chan string)
	go func() {
		var sb strings.Builder
		buf := make([]byte, 4096)
		for !strings.HasSuffix(sb.String(), "\r\x1b[K") { // the final erase
			n, err := master.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- sb.String()
	}()
	cfg, err := parseFlags([]string{"-c", "2", "-d", "900ms", url}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bench(cfg, slave); err != nil {
		t.Fatal(err)
	}
	var out string
	select {
	case out = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the progress line was never erased")
	}
	if n := strings.Count(out, "req/s"); n < 2 || n > 4 {
		t.Errorf("progress drawn %d times in 900 ms, want about 3:\n%q", n, out)
	}
	if strings.Contains(out, "\n") {
		t.Errorf("progress output has a newline; it must redraw in place:\n%q", out)
	}
}
