package poller

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// closingHandler closes another registered descriptor when its own is
// reported, as a handler that tears down a related connection does.
type closingHandler struct {
	t         *testing.T
	l         *Loop
	other     *int // the descriptor to close, -1 once closed
	ran       *int
	stillOpen bool // the other descriptor was still open after CloseFD
}

func (h *closingHandler) HandleEvent(Event) {
	*h.ran++
	if *h.other < 0 {
		return
	}
	fd := *h.other
	if err := h.l.CloseFD(fd); err != nil {
		h.t.Error(err)
	}
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	h.stillOpen = err == nil
	*h.other = -1
}

// A descriptor closed while an event batch is being delivered loses its
// pending event in that batch, and its close(2) waits for the batch to end,
// so that its number cannot be handed out again (by an accept in the same
// batch) while a later event of the batch still names it.
func TestCloseDuringDeliveryIsDeferred(t *testing.T) {
	l := newTestLoop(t)
	a, pa := socketpair(t)
	b, pb := socketpair(t)
	defer unix.Close(pa)
	defer unix.Close(pb)
	ran := 0
	fa, fb := a, b
	ha := &closingHandler{t: t, l: l, other: &fb, ran: &ran}
	hb := &closingHandler{t: t, l: l, other: &fa, ran: &ran}
	if err := l.Register(a, ha, EventRead); err != nil {
		t.Fatal(err)
	}
	if err := l.Register(b, hb, EventRead); err != nil {
		t.Fatal(err)
	}
	unix.Write(pa, []byte("x")) // both ready in the same wait
	unix.Write(pb, []byte("x")) // a socketpair's peer is readable when write returns
	if err := l.Poll(time.Second); err != nil {
		t.Fatal(err)
	}
	if ran != 1 {
		t.Fatalf("%d handlers ran; the first closed the other's descriptor, whose event must be dropped", ran)
	}
	if !ha.stillOpen && !hb.stillOpen {
		t.Fatal("the descriptor was closed during the batch, not after it")
	}
	closed, survivor := a, fb
	if fb < 0 {
		closed, survivor = b, fa
	}
	if _, err := unix.FcntlInt(uintptr(closed), unix.F_GETFD, 0); err != unix.EBADF {
		t.Fatalf("descriptor %d still open after the batch: %v", closed, err)
	}
	l.CloseFD(survivor)
}

// A callback that queues another runs it on the next iteration, not in
// this one (Nim's processPendingCallbacks would run it now, and go on for
// as long as callbacks queue callbacks): a chain of callbacks cannot keep
// the loop from its descriptors.
func TestCallbackQueuedByCallbackRunsNextIteration(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketpair(t)
	defer unix.Close(b)
	h := &recordingHandler{}
	if err := l.Register(a, h, EventRead); err != nil {
		t.Fatal(err)
	}
	defer l.CloseFD(a)
	unix.Write(b, []byte("x")) // stays unread: reported on every wait
	runs := 0
	var again func()
	again = func() {
		runs++
		l.CallSoon(again)
	}
	l.CallSoon(again)
	for i := 1; i <= 3; i++ {
		if err := l.Poll(time.Second); err != nil {
			t.Fatal(err)
		}
		if runs != i || len(h.events) != i {
			t.Fatalf("after %d iterations: the callback ran %d times, the descriptor was served %d times",
				i, runs, len(h.events))
		}
	}
}
