package poller

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The evidence for rawsys_linux.go: the same non-blocking calls on a
// socketpair, made raw (sysRead, sysWrite: RawSyscall6, no scheduler
// hand-off) and through x/sys/unix's wrappers (unix.Read, unix.Write:
// Syscall, which calls entersyscall and exitsyscall around the call).
//
//	taskset -c 1 go test -run '^$' -bench BenchmarkSyscallPath -benchtime 300ms -cpu 1 -benchmem -count 15 ./internal/poller > /tmp/sys.bench
//	benchstat -col /impl /tmp/sys.bench
//
// op=write-read writes 64 bytes to one end and reads them from the other
// (two system calls: a small request arriving and being read); op=read-empty
// reads a socket with nothing in it (one call that returns EAGAIN at once:
// the bare price of the path). sysWrite is sendto with MSG_NOSIGNAL where
// unix.Write is write(2): the same work in the kernel for a connected socket.
// Pinned to one CPU the figures are steady; docs/design.md (section 10)
// gives them.
func BenchmarkSyscallPath(b *testing.B) {
	impls := []struct {
		name        string
		read, write func(int, []byte) (int, error)
	}{
		{"raw", sysRead, sysWrite},
		{"syscall", unix.Read, unix.Write},
	}
	for _, im := range impls {
		b.Run("op=write-read/impl="+im.name, func(b *testing.B) {
			a, c := benchPair(b)
			msg := make([]byte, 64)
			buf := make([]byte, 4096)
			b.ReportAllocs()
			for b.Loop() {
				if n, err := im.write(c, msg); n != len(msg) || err != nil {
					b.Fatalf("write: %d %v", n, err)
				}
				if n, err := im.read(a, buf); n != len(msg) || err != nil {
					b.Fatalf("read: %d %v", n, err)
				}
			}
		})
	}
	for _, im := range impls {
		b.Run("op=read-empty/impl="+im.name, func(b *testing.B) {
			a, _ := benchPair(b)
			buf := make([]byte, 4096)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := im.read(a, buf); err != unix.EAGAIN {
					b.Fatalf("read: %v, want EAGAIN", err)
				}
			}
		})
	}
}

// benchPair returns two connected non-blocking stream sockets, closed when
// the benchmark ends.
func benchPair(b *testing.B) (int, int) {
	b.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		unix.Close(fds[0])
		unix.Close(fds[1])
	})
	return fds[0], fds[1]
}
