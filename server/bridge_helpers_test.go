package server

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bridgeMode is a way to run the bridge: in goroutines, or inline.
type bridgeMode struct {
	name string
	opts []BridgeOption
}

var (
	goroutineMode = bridgeMode{"goroutine", nil}
	inlineMode    = bridgeMode{"inline", []BridgeOption{Inline()}}
	bothModes     = []bridgeMode{goroutineMode, inlineMode}
)

// startBridge serves h through a bridge on a server of its own, which
// streams request bodies as the bridge asks, and logs to t.
func startBridge(t testing.TB, h http.Handler, opts []BridgeOption, srvOpts ...Option) *testServer {
	t.Helper()
	b := NewBridge(h, opts...)
	srvOpts = append([]Option{StreamBodies(b.StreamBody), Logger(testLogger(t))}, srvOpts...)
	return startServer(t, b.Serve, srvOpts...)
}

// testLogger logs to t (and to nothing once t is over).
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(&testWriter{t: t}, nil))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// startNetHTTP serves h with net/http's own server, for comparison.
func startNetHTTP(t testing.TB, h http.Handler) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// pingPath is answered "pong" by the handlers that withPing wraps: the
// way a test asks whether a connection is still open after a response.
const pingPath = "/__ping"

func withPing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pingPath {
			io.WriteString(w, "pong")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// outcome is what a client sees of a response: everything but Date (and
// the connection's fate, filled by exchange).
type outcome struct {
	Status        string
	Proto         string
	Header        string // sorted, Date left out
	Body          string
	BodyErr       string
	ContentLength int64
	Chunked       bool
	Trailer       string
	KeptAlive     bool
}

func (o outcome) String() string {
	body := o.Body
	if len(body) > 64 {
		body = fmt.Sprintf("%.48s... (%d bytes, crc %08x)", body, len(body), crc32.ChecksumIEEE([]byte(body)))
	}
	return fmt.Sprintf("%s %s\n%s\nbody %q (err %q) length %d chunked %v\ntrailer %s\nkept alive %v",
		o.Proto, o.Status, o.Header, body, o.BodyErr, o.ContentLength, o.Chunked, o.Trailer, o.KeptAlive)
}

// headerString formats h sorted, without Date.
func headerString(h http.Header) string {
	var lines []string
	for k, vv := range h {
		if k == "Date" {
			continue
		}
		for _, v := range vv {
			lines = append(lines, k+": "+v)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// exchange writes raw to a new connection to addr, reads the responses
// to it (1xx interim responses each count as one; n in all, the last for
// method), then asks the connection for a ping to learn whether it was
// kept alive.
func exchange(t testing.TB, addr, raw, method string, n int) []outcome {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []outcome
	var last *http.Response
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		body, berr := io.ReadAll(resp.Body)
		o := outcome{
			// The code: reason phrases are RFC 9110's here ("413 Content
			// Too Large"), older ones in net/http ("Request Entity Too
			// Large").
			Status: strconv.Itoa(resp.StatusCode), Proto: resp.Proto, Header: headerString(resp.Header), Body: string(body),
			ContentLength: resp.ContentLength, Chunked: len(resp.TransferEncoding) > 0, Trailer: headerString(resp.Trailer),
		}
		if berr != nil {
			o.BodyErr = berr.Error()
		}
		if strings.Contains(raw, " HTTP/1.0\r\n") {
			// The server answers HTTP/1.0 clients with HTTP/1.1 in the
			// status line (RFC 9112 §2.5), net/http with HTTP/1.0.
			o.Proto = ""
		}
		out = append(out, o)
		last = resp
	}
	if last != nil && last.StatusCode >= 200 && !last.Close && out[len(out)-1].BodyErr == "" {
		if _, err := io.WriteString(c, "GET "+pingPath+" HTTP/1.1\r\nHost: x\r\n\r\n"); err == nil {
			if resp, err := http.ReadResponse(br, nil); err == nil {
				b, _ := io.ReadAll(resp.Body)
				out[len(out)-1].KeptAlive = string(b) == "pong"
			}
		}
	}
	return out
}

// compareWithNetHTTP serves h with net/http and with the bridge in each
// of modes, sends raw to each, and fails where the bridge's responses
// differ from net/http's.
func compareWithNetHTTP(t *testing.T, h http.Handler, modes []bridgeMode, raw, method string, n int) []outcome {
	t.Helper()
	return compareExcept(t, h, modes, raw, method, n, nil)
}

// compareExcept is compareWithNetHTTP with the outcomes first passed
// through ignore, which clears what may differ.
func compareExcept(t *testing.T, h http.Handler, modes []bridgeMode, raw, method string, n int, ignore func(*outcome)) []outcome {
	t.Helper()
	h = withPing(h)
	want := exchange(t, startNetHTTP(t, h), raw, method, n)
	for _, m := range modes {
		ts := startBridge(t, h, m.opts)
		got := exchange(t, ts.addr, raw, method, n)
		for i := range want {
			if ignore != nil {
				ignore(&want[i])
				ignore(&got[i])
			}
			if got[i] != want[i] {
				t.Errorf("%s mode, response %d:\n--- net/http:\n%v\n--- bridge:\n%v", m.name, i+1, want[i], got[i])
			}
		}
	}
	return want
}

// get is a request for path with the headers given, HTTP/1.1.
func get(path string, headers ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: example.com\r\n" + strings.Join(headers, "") + "\r\n"
}
