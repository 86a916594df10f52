package server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"asynchttpserver.dev/internal/poller"
)

// Nim devel's form: Listen, then AcceptRequest one connection at a time.
func TestListenAcceptRequestPort(t *testing.T) {
	l, err := poller.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := New(OnLoop(wrapLoop(l)))
	if srv.Port() != 0 {
		t.Fatal("Port before Listen")
	}
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if srv.Port() == 0 {
		t.Fatal("no port after Listen(0)")
	}
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/one", srv.Port()))
		if err != nil {
			got <- err.Error()
			return
		}
		resp.Body.Close()
		got <- resp.Status
	}()
	accepted := srv.AcceptRequest(hello)
	if err := l.WaitFor(accepted); err != nil {
		t.Fatal(err)
	}
	// The connection is served in the background while the loop runs.
	done := l.NewFuture()
	var status string
	go func() { status = <-got; l.Post(done.Complete) }()
	if err := l.WaitFor(done); err != nil || status != "200 OK" {
		t.Fatalf("status %q, %v", status, err)
	}
	srv.shutdown()
	l.WaitFor(l.SleepAsync(time.Millisecond))
}

// The package-level helpers drive the default loop.
func TestDefaultLoopHelpers(t *testing.T) {
	var order []string
	CallSoon(func() { order = append(order, "callSoon") })
	f := NewFuture()
	go Post(func() { order = append(order, "post"); f.Complete() })
	if err := WaitFor(f); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := WaitFor(SleepAsync(5 * time.Millisecond)); err != nil || time.Since(start) < 5*time.Millisecond {
		t.Fatalf("SleepAsync: %v after %v", err, time.Since(start))
	}
	if len(order) != 2 || order[0] != "callSoon" {
		t.Fatalf("order %v", order)
	}
	go Stop()
	if err := RunForever(); err != nil {
		t.Fatal(err)
	}
}
