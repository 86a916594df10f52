package poller

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// socketpair returns two connected non-blocking stream sockets.
func socketpair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
		unix.CloseOnExec(fd)
	}
	return fds[0], fds[1]
}

type recordingHandler struct{ events []Event }

func (h *recordingHandler) HandleEvent(ev Event) { h.events = append(h.events, ev) }

func TestReadinessOnSocketpair(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketpair(t)
	defer unix.Close(b)
	h := &recordingHandler{}
	if err := l.Register(a, h, EventRead); err != nil {
		t.Fatal(err)
	}
	l.Poll(0)
	if len(h.events) != 0 {
		t.Fatalf("events before any data: %v", h.events)
	}
	unix.Write(b, []byte("x"))
	l.Poll(time.Second)
	if len(h.events) != 1 || h.events[0] != EventRead {
		t.Fatalf("after a write: %v, want [EventRead]", h.events)
	}
	// Level-triggered: unread data is reported again.
	l.Poll(time.Second)
	if len(h.events) != 2 {
		t.Fatalf("unread data not reported again: %v", h.events)
	}
	if err := l.SetInterest(a, EventWrite); err != nil {
		t.Fatal(err)
	}
	l.Poll(time.Second)
	if last := h.events[len(h.events)-1]; last != EventWrite {
		t.Fatalf("write interest reported %v", last)
	}
	if err := l.CloseFD(a); err != nil {
		t.Fatal(err)
	}
	n := len(h.events)
	l.Poll(0)
	if len(h.events) != n {
		t.Fatal("events after CloseFD")
	}
	if l.Registered() != 0 {
		t.Fatalf("%d descriptors still registered", l.Registered())
	}
}

func TestSocketRecvSend(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketpair(t)
	sa, err := l.NewSocket(a, netipZero)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := l.NewSocket(b, netipZero)
	defer sa.Close()
	defer sb.Close()

	buf := make([]byte, 16)
	recv := sb.Recv(buf)
	if recv.Finished() {
		t.Fatal("Recv finished with nothing sent")
	}
	if busy := sb.Recv(buf); !errors.Is(busy.Err(), ErrRecvBusy) {
		t.Fatalf("second Recv = %v, want ErrRecvBusy", busy.Err())
	}
	waitFor(t, sa.SendString("hello"), time.Second)
	n, err := WaitForValue(recv)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Recv = %q, %v", buf[:n], err)
	}
	waitFor(t, sa.Writev([]byte("ab"), []byte("cd"), nil, []byte("e")), time.Second)
	n, err = WaitForValue(sb.Recv(buf))
	if err != nil || string(buf[:n]) != "abcde" {
		t.Fatalf("after Writev: %q, %v", buf[:n], err)
	}
	sb.Unread([]byte("pushed back"))
	n, _ = WaitForValue(sb.Recv(buf))
	if string(buf[:n]) != "pushed back" {
		t.Fatalf("Unread bytes not delivered first: %q", buf[:n])
	}
	sa.Close()
	n, err = WaitForValue(sb.Recv(buf))
	if err != nil || n != 0 {
		t.Fatalf("Recv after peer close = %d, %v; want 0 (EOF)", n, err)
	}
}

// TestSendLargerThanSocketBuffer queues more than the kernel takes at once
// and checks the write interest finishes the job, in order.
func TestSendLargerThanSocketBuffer(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketpair(t)
	sa, _ := l.NewSocket(a, netipZero)
	sb, _ := l.NewSocket(b, netipZero)
	defer sa.Close()
	defer sb.Close()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	sent := sa.Send(payload)
	if sent.Finished() {
		t.Fatal("1 MiB went out at once; the test needs a partial write")
	}
	var got []byte
	buf := make([]byte, 64<<10)
	done := l.NewFuture()
	var read func()
	read = func() {
		r := sb.Recv(buf)
		r.AddCallback(func() {
			got = append(got, buf[:r.Value()]...)
			if len(got) == len(payload) {
				done.Complete()
				return
			}
			read()
		})
	}
	read()
	waitFor(t, All(l, sent, done), 10*time.Second)
	if !bytes.Equal(got, payload) {
		t.Fatal("payload corrupted or reordered")
	}
	if sa.Pending() != 0 || sa.interest&EventWrite != 0 {
		t.Fatalf("after draining: pending=%d interest=%v", sa.Pending(), sa.interest)
	}
}

// TestWriteToResetPeer checks a write to a vanished peer fails with an
// error (EPIPE or ECONNRESET) rather than killing the process by SIGPIPE.
func TestWriteToResetPeer(t *testing.T) {
	l := newTestLoop(t)
	ln, err := l.Listen("127.0.0.1", 0, ListenConfig{ReuseAddr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := ln.Accept()
	client, err := WaitForValue(l.Dial("127.0.0.1", ln.Port()))
	if err != nil {
		t.Fatal(err)
	}
	server, err := WaitForValue(accepted)
	if err != nil {
		t.Fatal(err)
	}
	// Close with SO_LINGER 0: the peer gets a RST.
	unix.SetsockoptLinger(client.FD(), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	client.Close()
	var lastErr error
	for i := 0; i < 100 && lastErr == nil; i++ {
		f := server.Send(make([]byte, 64<<10))
		WaitForValue(WithTimeout(f, time.Second))
		lastErr = f.Err()
	}
	if !errors.Is(lastErr, unix.EPIPE) && !errors.Is(lastErr, unix.ECONNRESET) {
		t.Fatalf("write to reset peer: %v; want EPIPE or ECONNRESET", lastErr)
	}
	if _, err := server.Read(make([]byte, 8)); err == nil || err == ErrWouldBlock {
		t.Fatalf("read from reset peer: %v", err)
	}
	server.Close()
}

func TestDialRefused(t *testing.T) {
	l := newTestLoop(t)
	ln, _ := l.Listen("127.0.0.1", 0, ListenConfig{})
	port := ln.Port()
	ln.Close()
	_, err := WaitForValue(l.Dial("127.0.0.1", port))
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("Dial to a closed port: %v", err)
	}
}

func TestListenDualStackAndIPv6(t *testing.T) {
	l := newTestLoop(t)
	ln, err := l.Listen("", 0, ListenConfig{ReuseAddr: true, ReusePort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, host := range []string{"127.0.0.1", "::1"} {
		acc := ln.Accept()
		c, err := WaitForValue(l.Dial(host, ln.Port()))
		if err != nil {
			if host == "::1" {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		s, err := WaitForValue(acc)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.RemoteAddr().Addr().String(); got != host {
			t.Errorf("peer address %q, want %q", got, host)
		}
		c.Close()
		s.Close()
	}
}

func TestCloseWriteDeliversEOFAfterPendingOutput(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketpair(t)
	sa, _ := l.NewSocket(a, netipZero)
	sb, _ := l.NewSocket(b, netipZero)
	defer sa.Close()
	defer sb.Close()
	sa.SendString("last words")
	sa.CloseWrite()
	var got []byte
	buf := make([]byte, 64)
	for {
		n, err := WaitForValue(sb.Recv(buf))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "last words" {
		t.Fatalf("got %q before EOF", got)
	}
	if _, err := sb.Read(buf); err != io.EOF {
		t.Fatalf("Read after EOF = %v", err)
	}
}

// A file closed as soon as it is queued is sent whole from the socket's
// own descriptor, not from whatever the process opens next under the
// same number; the socket's duplicate is closed once it is sent.
func TestSendFileClosedAfterQueueing(t *testing.T) {
	l := newTestLoop(t)
	fa, b := socketpair(t)
	defer unix.Close(b)
	a, err := l.NewSocket(fa, netip.AddrPort{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	dir := t.TempDir()
	const size = 2 << 20
	write := func(name string, c byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Repeat([]byte{c}, size), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	f, err := os.Open(write("file", 'a'))
	if err != nil {
		t.Fatal(err)
	}
	fut := a.SendFile(f, 0, size)
	fd := f.Fd()
	f.Close()
	g, err := os.Open(write("other", 'B')) // likely under fd's number
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if a.Pending() == 0 {
		t.Fatal("2 MB did not fit in the socket at once: the test needs some still queued")
	}
	t.Logf("file descriptor %d closed, %d opened", fd, g.Fd())
	got := 0
	buf := make([]byte, 64<<10)
	for got < size {
		n, err := unix.Read(b, buf)
		if err == unix.EAGAIN {
			if err := l.Poll(10 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil || n == 0 {
			t.Fatalf("after %d bytes: %d, %v", got, n, err)
		}
		if i := bytes.IndexByte(buf[:n], 'B'); i >= 0 {
			t.Fatalf("byte %d came from the file opened after the close", got+i)
		}
		got += n
	}
	for !fut.Finished() {
		l.Poll(0)
	}
	if fut.Err() != nil {
		t.Fatal(fut.Err())
	}
}

// A file section queued between two writes leaves between them, whole,
// however slowly the peer reads; its future completes once it is out.
func TestSendFileBetweenWrites(t *testing.T) {
	l := newTestLoop(t)
	fa, b := socketpair(t)
	defer unix.Close(b)
	a, err := l.NewSocket(fa, netip.AddrPort{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f, err := os.CreateTemp(t.TempDir(), "sendfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(data)
	a.SendString("head|")
	fut := a.SendFile(f, 1000, int64(len(data)-2000))
	a.SendString("|tail")
	if a.Pending() == 0 {
		t.Fatal("3 MB did not fit in the socket at once: Pending should count the file")
	}
	want := "head|" + string(data[1000:len(data)-1000]) + "|tail"
	got := make([]byte, 0, len(want))
	buf := make([]byte, 64<<10)
	for len(got) < len(want) {
		n, err := unix.Read(b, buf)
		if err == unix.EAGAIN {
			if err := l.Poll(10 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	for !fut.Finished() {
		l.Poll(0)
	}
	if string(got) != want || fut.Err() != nil || a.Pending() != 0 {
		t.Fatalf("got %d bytes (equal %v), future %v, pending %d", len(got), string(got) == want, fut.Err(), a.Pending())
	}
}
