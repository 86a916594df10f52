//go:build linux

package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/poller"
)

// idleConns is how many keep-alive connections the memory test holds.
const idleConns = 10000

// TestIdleConnectionMemory measures what an idle keep-alive connection
// costs the server: the growth of its resident set when idleConns
// connections, each served one request, stay open. The server runs in a
// subprocess (so that nothing else skews its resident set, and so that
// each side has its own descriptor limit); this process is the client.
func TestIdleConnectionMemory(t *testing.T) {
	if os.Getenv("SERVER_MEMORY_CHILD") == "1" {
		if err := idleMemoryServer(); err != nil {
			fmt.Println("memory-child-failed:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); lim.Max < idleConns+100 {
		t.Skipf("RLIMIT_NOFILE hard limit %d is too low for %d connections", lim.Max, idleConns)
	}
	lim.Cur = lim.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestIdleConnectionMemory$")
	cmd.Env = append(os.Environ(), "SERVER_MEMORY_CHILD=1")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	var port int
	var before, after int64
	if !lines.Scan() || !scanf(lines.Text(), "port %d rss %d", &port, &before) {
		t.Fatalf("child said %q", lines.Text())
	}
	addr := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	fds := make([]int, 0, idleConns)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for len(fds) < idleConns {
		fd, err := idleClient(addr)
		if err != nil {
			t.Fatalf("connection %d: %v", len(fds), err)
		}
		fds = append(fds, fd)
	}
	io.WriteString(stdin, "measure\n")
	if !lines.Scan() || !scanf(lines.Text(), "rss %d", &after) {
		t.Fatalf("child said %q", lines.Text())
	}
	perConn := (after - before) / idleConns
	t.Logf("%d idle keep-alive connections: %.1f MiB resident (%.1f before, %.1f after), %d bytes each",
		idleConns, float64(after-before)/(1<<20), float64(before)/(1<<20), float64(after)/(1<<20), perConn)
	if perConn > 16<<10 {
		t.Fatalf("an idle connection costs %d bytes", perConn)
	}
}

func scanf(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}

// idleMemoryServer serves on a loop of its own, reports its port and
// resident set, and reports the resident set again when asked.
func idleMemoryServer() error {
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	lim.Cur = lim.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	l, err := poller.New()
	if err != nil {
		return err
	}
	srv := New(OnLoop(wrapLoop(l)), IdleTimeout(time.Hour))
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		return err
	}
	serving := srv.Serve(0, hello, "")
	go l.WaitFor(serving)
	// Warm up: the first connection's one-off costs (pools, code pages).
	warm, err := idleClient(&unix.SockaddrInet4{Port: srv.Port(), Addr: [4]byte{127, 0, 0, 1}})
	if err != nil {
		return err
	}
	defer unix.Close(warm)
	fmt.Printf("port %d rss %d\n", srv.Port(), residentBytes())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		shed := make(chan struct{})
		l.Post(func() { // what the group's sweep does a second after they went idle
			srv.shards[0].group.Shed(l.Nanotime())
			close(shed)
		})
		<-shed
		fmt.Printf("rss %d\n", residentBytes())
	}
	return nil
}

// idleClient connects, is served one request, and stays open.
func idleClient(addr unix.Sockaddr) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})
	if err := unix.Connect(fd, addr); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if _, err := writeRetry(fd, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		unix.Close(fd)
		return -1, err
	}
	var buf [512]byte
	for got := 0; !bytes.HasSuffix(buf[:got], []byte("Hello World")); {
		n, err := readRetry(fd, buf[got:])
		if err != nil || n == 0 {
			unix.Close(fd)
			return -1, fmt.Errorf("reading the response: %v", err)
		}
		got += n
	}
	return fd, nil
}

// residentBytes returns the process's resident set after a collection.
func residentBytes() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
