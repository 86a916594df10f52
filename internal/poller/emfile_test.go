//go:build linux

package poller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestAcceptBacksOffOnEMFILE runs emfileChild in a subprocess (it lowers
// RLIMIT_NOFILE, which must not leak into the other tests).
func TestAcceptBacksOffOnEMFILE(t *testing.T) {
	if os.Getenv("POLLER_EMFILE_CHILD") == "1" {
		if err := emfileChild(); err != nil {
			fmt.Println("emfile-child-failed:", err)
			os.Exit(1)
		}
		fmt.Println("emfile-child-ok")
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAcceptBacksOffOnEMFILE$")
	cmd.Env = append(os.Environ(), "POLLER_EMFILE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("emfile-child-ok")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

// emfileChild exhausts the descriptor table under a listener that keeps
// being offered connections, and checks that the loop (1) does not spin,
// (2) keeps serving an established connection, and (3) accepts again once
// descriptors are freed.
func emfileChild() error {
	l, err := New()
	if err != nil {
		return err
	}
	ln, err := l.Listen("127.0.0.1", 0, ListenConfig{ReuseAddr: true})
	if err != nil {
		return err
	}
	emfiles := 0
	ln.OnError = func(err error) {
		if errors.Is(err, unix.EMFILE) {
			emfiles++
		}
	}
	var accepted []*Socket
	ln.Serve(func(fd int, peer netip.AddrPort) {
		s, err := l.NewSocket(fd, peer)
		if err != nil {
			unix.Close(fd)
			return
		}
		accepted = append(accepted, s)
	})

	// Client sockets are created before the limit drops, so that only the
	// server's accepts run out of descriptors.
	const clients = 10
	var fds [clients]int
	highest := 0
	for i := range fds {
		if fds[i], err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		highest = max(highest, fds[i])
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	lim.Cur = uint64(highest + 3) // room for two accepted connections
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("setrlimit: %w", err)
	}
	for _, fd := range fds {
		err := unix.Connect(fd, &unix.SockaddrInet4{Port: ln.Port(), Addr: [4]byte{127, 0, 0, 1}})
		if err != nil && err != unix.EINPROGRESS {
			return fmt.Errorf("connect: %w", err)
		}
	}

	if !pollUntil(l, 10*time.Second, func() bool { return emfiles > 0 && len(accepted) > 0 }) {
		return fmt.Errorf("never hit EMFILE (accepted %d)", len(accepted))
	}
	// (1) While backing off, the loop sleeps between retries instead of
	// spinning on the still-readable listener.
	iterations, start := 0, time.Now()
	for time.Since(start) < 300*time.Millisecond {
		l.Poll(50 * time.Millisecond)
		iterations++
	}
	if iterations > 100 || emfiles > 30 {
		return fmt.Errorf("spinning: %d iterations and %d EMFILE errors in 300ms", iterations, emfiles)
	}
	// (2) An accepted connection is still served.
	first := accepted[0]
	echoed := first.Recv(make([]byte, 8))
	unix.Write(fds[0], []byte("ping"))
	if !pollUntil(l, 10*time.Second, echoed.Finished) || echoed.Failed() || echoed.Value() != 4 {
		return fmt.Errorf("established connection not served during back-off: %v", echoed.Err())
	}
	// (3) Freeing descriptors lets the listener accept again.
	before := len(accepted)
	for _, s := range accepted {
		s.Close()
	}
	if !pollUntil(l, 10*time.Second, func() bool { return len(accepted) > before }) {
		return errors.New("no accept after descriptors were freed")
	}
	fmt.Printf("emfile: %d EMFILE errors, %d loop iterations in 300ms of back-off, %d accepted in all\n",
		emfiles, iterations, len(accepted))
	return nil
}

// pollUntil polls l until cond holds or limit passes.
func pollUntil(l *Loop, limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		l.Poll(10 * time.Millisecond)
	}
	return true
}
