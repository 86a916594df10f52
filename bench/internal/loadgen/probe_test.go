package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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
