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

// readUntilErased collects what is drawn on the terminal up to the final
// erase of the line.
func readUntilErased(master *os.File) <-chan string {
	got := make(chan string, 1)
	go func() {
		var sb strings.Builder
		buf := make([]byte, 4096)
		for !strings.HasSuffix(sb.String(), "\r\x1b[K") {
			n, err := master.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- sb.String()
	}()
	return got
}

func waitString(t *testing.T, c <-chan string) string {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the progress line was never erased")
		return ""
	}
}

// readUntil reads from the terminal until what it has read satisfies
// done, within a bounded time.
func readUntil(t *testing.T, master *os.File, sb *strings.Builder, done func(string) bool) {
	t.Helper()
	master.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	for !done(sb.String()) {
		n, err := master.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			t.Fatalf("reading the terminal: %v; so far %q", err, sb.String())
		}
	}
}

// TestProgressRedrawsInPlace drives the line with explicit ticks: each
// redraws it in place with the workers' current counts and rate.
func TestProgressRedrawsInPlace(t *testing.T) {
	master, slave := openPty(t)
	w := &worker{}
	start := time.Now()
	tick := make(chan time.Time)
	p := newProgress(slave, []*worker{w}, start, tick)
	go p.loop()
	var sb strings.Builder
	for i := 1; i <= 3; i++ {
		w.live.requests.Store(int64(i) * 1000)
		w.live.errors.Store(int64(i))
		tick <- start.Add(time.Duration(i) * progressInterval)
		// Once line i is drawn, the counts may change for the next.
		readUntil(t, master, &sb, func(s string) bool { return strings.Count(s, "errors\x1b[K") == i })
	}
	p.Stop()
	readUntil(t, master, &sb, func(s string) bool { return strings.HasSuffix(s, "\r\x1b[K") })
	out := sb.String()
	lines := strings.Split(strings.TrimSuffix(out, "\r\x1b[K"), "\r")
	if len(lines) != 4 || lines[0] != "" || strings.Contains(out, "\n") {
		t.Fatalf("want three lines, each drawn over the last with CR, and no newline:\n%q", out)
	}
	for i, l := range lines[1:] {
		for _, want := range []string{groupDigits(int64(i+1)*1000) + " requests", "4,000 req/s", fmt.Sprintf(" %d errors", i+1)} {
			if !strings.Contains(l, want) {
				t.Errorf("line %d %q lacks %q", i+1, l, want)
			}
		}
	}
}

// TestProgressOnTerminal runs a benchmark with a terminal for its
// standard error: the line is drawn there, in place, and erased at the
// end. (How many times depends on the machine's load, so it is not
// checked here; TestProgressRedrawsInPlace checks the drawing.)
func TestProgressOnTerminal(t *testing.T) {
	master, slave := openPty(t)
	if !isTerminal(int(slave.Fd())) {
		t.Fatal("a pseudo-terminal does not count as a terminal")
	}
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	got := readUntilErased(master)
	cfg, err := parseFlags([]string{"-c", "2", "-d", "600ms", url}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := parseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := loadTemplates(cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bench(cfg, tg, reqs, slave); err != nil {
		t.Fatal(err)
	}
	out := waitString(t, got)
	t.Logf("drawn %d times in 600 ms", strings.Count(out, "req/s"))
	if strings.Contains(out, "\n") {
		t.Errorf("progress output has a newline; it must redraw in place:\n%q", out)
	}
}
