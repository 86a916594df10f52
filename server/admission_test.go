//go:build linux

package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/poller"
)

// TestAdmissionStaysUnderDescriptorLimit runs admissionChild in a
// subprocess with a small RLIMIT_NOFILE.
func TestAdmissionStaysUnderDescriptorLimit(t *testing.T) {
	if os.Getenv("SERVER_ADMISSION_CHILD") == "1" {
		if err := admissionChild(); err != nil {
			fmt.Println("admission-child-failed:", err)
			os.Exit(1)
		}
		fmt.Println("admission-child-ok")
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAdmissionStaysUnderDescriptorLimit$")
	cmd.Env = append(os.Environ(), "SERVER_ADMISSION_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("admission-child-ok")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

// admissionChild (Nim devel's shouldAcceptRequest, done without polling):
// with the descriptor limit a few connections away, the server must pause
// accepting before accept fails with EMFILE, and resume when connections
// close. Client sockets are created before the limit is lowered, so only
// the server's accepts count against it.
func admissionChild() error {
	l, err := poller.New()
	if err != nil {
		return err
	}
	srv := New(OnLoop(wrapLoop(l)), AssumedDescriptorsPerRequest(2))
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		return err
	}
	acceptErrors := 0
	srv.shards[0].ln.OnError = func(error) { acceptErrors++ }
	serving := srv.Serve(0, hello, "")

	const clients = 12
	var fds [clients]int
	highest := 0
	for i := range fds {
		if fds[i], err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0); err != nil {
			return err
		}
		highest = max(highest, fds[i])
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	lim.Cur = uint64(highest + 1 + 6) // room for a handful of connections, fewer than the clients
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	srv.maxFDs = int(lim.Cur) // as Listen would have read it
	addr := &unix.SockaddrInet4{Port: srv.Port(), Addr: [4]byte{127, 0, 0, 1}}
	for _, fd := range fds {
		if err := unix.Connect(fd, addr); err != nil && err != unix.EINPROGRESS {
			return err
		}
	}
	if !pollUntil(l, 10*time.Second, func() bool { return srv.shards[0].paused }) {
		return fmt.Errorf("accepting never paused (%d connections)", srv.shards[0].group.Len())
	}
	accepted := srv.shards[0].group.Len()
	// Paused: the loop sleeps instead of spinning on the waiting clients.
	iterations, start := 0, time.Now()
	for time.Since(start) < 200*time.Millisecond {
		l.Poll(50 * time.Millisecond)
		iterations++
	}
	if iterations > 20 {
		return fmt.Errorf("%d loop iterations in 200ms while paused", iterations)
	}
	if acceptErrors > 0 {
		return fmt.Errorf("accept failed %d times: admission came too late", acceptErrors)
	}
	// Closing served connections frees descriptors: accepting resumes.
	for _, fd := range fds[:accepted] {
		unix.Close(fd)
	}
	if !pollUntil(l, 10*time.Second, func() bool {
		return srv.shards[0].group.Len() > 0 && !srv.shards[0].paused || srv.shards[0].group.Len() >= clients-accepted
	}) {
		return errors.New("accepting did not resume after connections closed")
	}
	fmt.Printf("admission: paused at %d connections (limit %d descriptors), %d iterations in 200ms paused, resumed\n",
		accepted, lim.Cur, iterations)
	srv.shutdown()
	pollUntil(l, 10*time.Second, serving.Finished)
	return nil
}

// pollUntil polls l until cond holds or limit passes.
func pollUntil(l *poller.Loop, limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		l.Poll(10 * time.Millisecond)
	}
	return true
}
