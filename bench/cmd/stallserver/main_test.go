package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestStallLeft(t *testing.T) {
	const every, stall = time.Second, 100 * time.Millisecond
	for _, c := range []struct{ at, want time.Duration }{
		{0, stall}, {30 * time.Millisecond, 70 * time.Millisecond}, {stall, 0}, {999 * time.Millisecond, 0},
		{every, stall}, {5*every + 99*time.Millisecond, time.Millisecond},
	} {
		if got := stallLeft(c.at, every, stall); got != c.want {
			t.Errorf("stallLeft(%v) = %v, want %v", c.at, got, c.want)
		}
	}
}

// TestHandlerWaitsOutTheStall: a request in the stall is answered when it
// ends; one after it at once.
func TestHandlerWaitsOutTheStall(t *testing.T) {
	h := newHandler(time.Now(), time.Hour, 50*time.Millisecond)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if d := time.Since(start); d < 40*time.Millisecond || rec.Body.String() != "Hello World" {
		t.Errorf("answered %q after %v, want Hello World after the 50ms stall", rec.Body.String(), d)
	}
	start = time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Errorf("answered after %v outside the stall", d)
	}
}
