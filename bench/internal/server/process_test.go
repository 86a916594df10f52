package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestWaitReady(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	free, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr  string
		ready bool
	}{{ln.Addr().String(), true}, {free, false}} {
		p, err := Start([]string{"sleep", "30"}, nil, tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		err = p.WaitReady(context.Background(), 100*time.Millisecond)
		if (err == nil) != tc.ready {
			t.Errorf("WaitReady(%s) = %v, want ready=%v", tc.addr, err, tc.ready)
		}
		if err := p.Stop(time.Second); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if !p.Exited() {
			t.Error("process still running after Stop")
		}
	}
}

func TestStopKillsStubbornProcess(t *testing.T) {
	p, err := Start([]string{"sh", "-c", "trap '' TERM; echo trapped; sleep 30"}, nil, "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Output(), "trapped") {
		if time.Now().After(deadline) {
			t.Fatal("shell never installed its trap")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.Stop(200 * time.Millisecond); !errors.Is(err, ErrKilled) {
		t.Errorf("Stop = %v, want ErrKilled", err)
	}
}

func TestWaitReadyReportsExit(t *testing.T) {
	p, err := Start([]string{"sh", "-c", "echo boom; exit 3"}, nil, "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	err = p.WaitReady(context.Background(), 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("WaitReady = %v, want an error quoting the output", err)
	}
}

func TestTail(t *testing.T) {
	var tl tail
	tl.Write([]byte(strings.Repeat("a", tailSize)))
	tl.Write([]byte("xyz"))
	s := tl.String()
	if len(s) != tailSize || !strings.HasSuffix(s, "xyz") {
		t.Errorf("tail kept %d bytes ending %q", len(s), s[len(s)-3:])
	}
}
