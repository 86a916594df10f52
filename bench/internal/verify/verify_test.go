package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServerAcceptsHelloWorld(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "11")
		w.Write([]byte(Body))
	}))
	defer ts.Close()
	if err := Server(context.Background(), strings.TrimPrefix(ts.URL, "http://")); err != nil {
		t.Fatal(err)
	}
}

func TestServerRejects(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"status": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(Body))
		},
		"body": func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte("Hello, World!"))
		},
		"chunked": func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(Body))
			w.(http.Flusher).Flush()
		},
	} {
		t.Run(name, func(t *testing.T) {
			ts := httptest.NewServer(h)
			defer ts.Close()
			if err := Server(context.Background(), strings.TrimPrefix(ts.URL, "http://")); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
