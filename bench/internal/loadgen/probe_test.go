package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"asynchttpserver.dev/bench/internal/mux"
)

func helloServer(t *testing.T, body string) string {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "11")
		w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/"
}

func TestProbe(t *testing.T) {
	url := helloServer(t, "Hello World")
	for _, s := range []Spec{
		{Connections: 4, Pipeline: 1},
		{Connections: 4, Pipeline: 16},
		{Connections: 4, Pipeline: 1, Close: true},
	} {
		s.URL, s.Duration = url, 100*time.Millisecond
		r, err := Probe{}.Run(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if r.Requests == 0 || r.Errors.Total() != 0 || !r.HasP99 || r.RPS <= 0 {
			t.Errorf("Probe(%+v) = %+v, want requests and no errors", s, r)
		}
	}
}

func TestProbeCountsWrongBodies(t *testing.T) {
	url := helloServer(t, "Hello Worl!")
	s := Spec{URL: url, Connections: 2, Pipeline: 1, Duration: 50 * time.Millisecond}
	r, err := Probe{}.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors.Status == 0 || r.Requests != 0 {
		t.Errorf("Probe = %+v, want only status errors", r)
	}
}

// TestProbeMux: at /hello/world the probe expects the bridge scenario's
// JSON hello, Content-Type included.
func TestProbeMux(t *testing.T) {
	ts := httptest.NewServer(mux.Mux())
	t.Cleanup(ts.Close)
	s := Spec{URL: ts.URL + mux.Path, Connections: 2, Pipeline: 1, Duration: 50 * time.Millisecond}
	r, err := Probe{}.Run(context.Background(), s)
	if err != nil || r.Requests == 0 || r.Errors.Total() != 0 {
		t.Errorf("Probe(mux) = %+v, %v; want requests and no errors", r, err)
	}
	s.URL = helloServer(t, "Hello World") + "hello/world"
	if r, err := (Probe{}).Run(context.Background(), s); err != nil || r.Errors.Status == 0 || r.Requests != 0 {
		t.Errorf("Probe(Hello World at /hello/world) = %+v, %v; want only status errors", r, err)
	}
	s.URL = ts.URL + "/elsewhere"
	if _, err := (Probe{}).Run(context.Background(), s); err == nil {
		t.Error("Probe accepted a path it has no expected response for")
	}
}
