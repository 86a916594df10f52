package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"asynchttpserver.dev/bench/internal/mux"
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

func TestMuxJSON(t *testing.T) {
	ts := httptest.NewServer(mux.Mux())
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	if err := MuxJSON.Server(context.Background(), addr); err != nil {
		t.Fatal(err)
	}
	// A Hello World server fails the JSON checks, and the mux fails Hello
	// World's (404 at /).
	hello := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(Body)) }))
	defer hello.Close()
	if err := MuxJSON.Server(context.Background(), strings.TrimPrefix(hello.URL, "http://")); err == nil {
		t.Error("MuxJSON accepted Hello World")
	}
	if err := Server(context.Background(), addr); err == nil {
		t.Error("Hello World's checks accepted the mux")
	}
	// The body alone is not enough: the Content-Type must say JSON.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(mux.Body))
	}))
	defer plain.Close()
	if err := MuxJSON.Server(context.Background(), strings.TrimPrefix(plain.URL, "http://")); err == nil || !strings.Contains(err.Error(), "Content-Type") {
		t.Errorf("text/plain JSON: %v, want a Content-Type error", err)
	}
}

func TestForPath(t *testing.T) {
	if w, ok := ForPath("/"); !ok || w != Hello {
		t.Errorf("ForPath(/) = %+v, %v", w, ok)
	}
	if w, ok := ForPath("/hello/world"); !ok || w != MuxJSON {
		t.Errorf("ForPath(/hello/world) = %+v, %v", w, ok)
	}
	if _, ok := ForPath("/x"); ok {
		t.Error("ForPath(/x) ok")
	}
}

// TestMuxJSONChunked: an ordinary handler that sets no Content-Length may
// be framed chunked (nbhttp does); Hello World must have a Content-Length.
func TestMuxJSONChunked(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", mux.ContentType)
		w.Write([]byte(mux.Body))
		w.(http.Flusher).Flush()
	}))
	defer ts.Close()
	if err := MuxJSON.Server(context.Background(), strings.TrimPrefix(ts.URL, "http://")); err != nil {
		t.Fatal(err)
	}
}
