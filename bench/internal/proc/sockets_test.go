package proc

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseNetTCP(t *testing.T) {
	const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4699674 1 0000000000c65cad 100 0 0 10 0
   1: 0100007F:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4699700 1 0000000000c65cad 20 4 30 10 -1
`
	socks, err := parseNetTCP([]byte(table))
	if err != nil {
		t.Fatal(err)
	}
	want := []TCPSocket{
		{netip.MustParseAddrPort("127.0.0.1:8080"), netip.MustParseAddrPort("0.0.0.0:0"), TCPListen, 4699674},
		{netip.MustParseAddrPort("127.0.0.1:8080"), netip.MustParseAddrPort("127.0.0.2:54321"), TCPEstablished, 4699700},
	}
	if len(socks) != len(want) || socks[0] != want[0] || socks[1] != want[1] {
		t.Errorf("parseNetTCP = %+v, want %+v", socks, want)
	}
	six := "sl local rem st a b c d e inode\n 0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0 77\n"
	socks, err = parseNetTCP([]byte(six))
	if err != nil || len(socks) != 1 || socks[0].Local != netip.MustParseAddrPort("[::1]:8080") {
		t.Errorf("tcp6: %+v, %v", socks, err)
	}
	if _, err := parseNetTCP([]byte("header\n 0: zz:1 00:0 0A 0 0 0 0 0 1\n")); err == nil {
		t.Error("a malformed address parsed")
	}
}

func TestParseEpollInfo(t *testing.T) {
	info := "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1044\n" +
		"tfd:        3 events:       19 data:                3  pos:0 ino:6b1e67 sdev:9\n" +
		"tfd:        7 events:       19 data:                7  pos:0 ino:1f sdev:9\n"
	inodes, err := parseEpollInfo([]byte(info))
	if err != nil || len(inodes) != 2 || inodes[0] != 0x6b1e67 || inodes[1] != 0x1f {
		t.Errorf("parseEpollInfo = %v, %v", inodes, err)
	}
	if _, err := parseEpollInfo([]byte("tfd: 3 events: 19 data: 3 pos:0\n")); err == nil {
		t.Error("a tfd line without ino parsed")
	}
}

// rawLoop is a stand-in for a server's event loop: an epoll descriptor
// watching its own SO_REUSEPORT listener and the connections it accepts.
type rawLoop struct{ ep, ln int }

func newRawLoop(t *testing.T, port int) (rawLoop, int) {
	t.Helper()
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(ln) })
	if err := unix.SetsockoptInt(ln, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(ln, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(ln, 16); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(ep) })
	l := rawLoop{ep: ep, ln: ln}
	l.watch(t, ln)
	return l, sa.(*unix.SockaddrInet4).Port
}

func (l rawLoop) watch(t *testing.T, fd int) {
	t.Helper()
	if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
		t.Fatal(err)
	}
}

// TestLoops builds two loops on one port in this process, connects three
// clients, has the loop whose listener got each connection accept and
// watch it, and checks that Loops sees the same assignment through /proc.
func TestLoops(t *testing.T) {
	a, port := newRawLoop(t, 0)
	b, _ := newRawLoop(t, port)
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	want := map[int][]netip.AddrPort{}
	for range 3 {
		c, err := net.Dial("tcp4", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The kernel queued the connection on one listener: the loop
		// whose epoll says so accepts it.
		accepted := false
		for deadline := time.Now().Add(5 * time.Second); !accepted && time.Now().Before(deadline); {
			accepted = acceptOne(t, a, b, c, want)
		}
		if !accepted {
			t.Fatal("neither listener has the connection queued")
		}
	}
	loops, err := Loops(os.Getpid(), uint16(port))
	if err != nil {
		t.Fatal(err)
	}
	if len(loops) != 2 {
		t.Fatalf("Loops found %d loops, want 2: %+v", len(loops), loops)
	}
	total := 0
	for _, l := range loops {
		if l.Listeners != 1 {
			t.Errorf("loop %d: %d listeners, want 1", l.Epoll, l.Listeners)
		}
		w := want[l.Epoll]
		if len(l.Peers) != len(w) {
			t.Errorf("loop %d watches %v, want %v", l.Epoll, l.Peers, w)
		}
		for _, p := range w {
			found := false
			for _, q := range l.Peers {
				found = found || p == q
			}
			if !found {
				t.Errorf("loop %d: %v missing from %v", l.Epoll, p, l.Peers)
			}
		}
		total += len(l.Peers)
	}
	if total != 3 {
		t.Errorf("%d connections seen, want 3", total)
	}
}

// acceptOne has the loop whose listener has c queued accept it and watch
// it, waiting up to 10 ms on each loop's epoll; it reports whether one did.
func acceptOne(t *testing.T, a, b rawLoop, c net.Conn, want map[int][]netip.AddrPort) bool {
	t.Helper()
	var evs [1]unix.EpollEvent
	for _, l := range []rawLoop{a, b} {
		if n, _ := unix.EpollWait(l.ep, evs[:], 10); n == 0 {
			continue
		}
		fd, _, err := unix.Accept4(l.ln, unix.SOCK_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		l.watch(t, fd)
		want[l.ep] = append(want[l.ep], netip.MustParseAddrPort(c.LocalAddr().String()))
		return true
	}
	return false
}
