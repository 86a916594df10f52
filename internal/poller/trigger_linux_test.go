package poller

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkTrigger prices the choice of level-triggered epoll (see the
// package documentation) against edge-triggered, for the event a server
// sees most: a small request arrives on an idle connection. Each operation
// is the client's write of 64 bytes, one epoll_wait that reports the
// socket, and the server's reads; the reads/op metric counts the read
// system calls:
//
//	taskset -c 1 go test -run '^$' -bench BenchmarkTrigger -benchtime 300ms -cpu 1 -benchmem -count 15 ./internal/poller > /tmp/trigger.bench
//	benchstat -col /mode /tmp/trigger.bench
//
// The modes:
//
//   - mode=level: one read. If input were left, the next wait would report
//     the socket again, so one read per event is always enough.
//   - mode=edge: reads until EAGAIN, the rule edge-triggering imposes (an
//     event is reported once, when input arrives; input left unread is never
//     reported again): a second read system call per event.
//   - mode=edge-short: one read, taking a short read (fewer bytes than the
//     buffer holds) as proof that the socket is drained, which epoll(7)
//     allows for stream sockets. It saves the second read, but a read that
//     fills the buffer must still loop to EAGAIN, or the handler must
//     remember to come back: the bookkeeping level-triggering leaves to the
//     kernel.
func BenchmarkTrigger(b *testing.B) {
	modes := []struct {
		name  string
		edge  bool
		short bool
	}{
		{"level", false, false},
		{"edge", true, false},
		{"edge-short", true, true},
	}
	for _, m := range modes {
		b.Run("mode="+m.name, func(b *testing.B) {
			srv, cli := benchPair(b)
			epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { unix.Close(epfd) })
			ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(srv)}
			if m.edge {
				ev.Events |= unix.EPOLLET
			}
			if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, srv, &ev); err != nil {
				b.Fatal(err)
			}
			msg := make([]byte, 64)
			buf := make([]byte, 16<<10) // a connection's input block
			events := make([]unix.EpollEvent, 8)
			reads := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := sysWrite(cli, msg); err != nil {
					b.Fatal(err)
				}
				if n, err := epollWait(epfd, events, 0); n != 1 || err != nil {
					b.Fatalf("epoll_wait: %d %v", n, err)
				}
				for {
					n, err := sysRead(srv, buf)
					reads++
					if err == unix.EAGAIN {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if !m.edge || m.short && n < len(buf) {
						break
					}
				}
			}
			b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
		})
	}
}
