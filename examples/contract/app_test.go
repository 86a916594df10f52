package contract

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"asynchttpserver.dev/server"
)

// start serves a fresh App on 127.0.0.1 on a loop of its own for the
// duration of the test, and returns it with its base URL.
func start(t *testing.T) (*App, string) {
	t.Helper()
	l, err := server.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	app := New()
	srv := server.New(append(Options(), server.OnLoop(l))...)
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	serving := srv.Serve(0, app.Serve, "")
	done := make(chan error, 1)
	go func() { done <- l.WaitFor(serving) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	return app, fmt.Sprintf("http://127.0.0.1:%d", srv.Port())
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// churn sends n requests with varied bytes over several connections, so
// that every input buffer the server has is filled again.
func churn(t *testing.T, base string, n int) {
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			for i := 0; i < n/4; i++ {
				body := strings.Repeat(fmt.Sprintf("junk%d-%d ", c, i), 1+i%9)
				resp, err := client.Post(base+"/echo?x="+body[:8], "text/plain", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(c)
	}
	wg.Wait()
}

// Go's http.Client: strings kept across requests stay what they were.
func TestKeptStringsWithGoClient(t *testing.T) {
	app, base := start(t)
	c := &http.Client{}
	defer c.CloseIdleConnections()
	get(t, c, base+"/remember?name=alice")
	get(t, c, base+"/remember?name=bob")
	req, _ := http.NewRequest("GET", base+"/users/%31", nil)
	req.Header.Set("User-Agent", "agent-of-user-1")
	if resp, err := c.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	churn(t, base, 2000)
	if _, last := get(t, c, base+"/last"); last != "bob" {
		t.Fatalf("/last = %q, want bob", last)
	}
	if _, paths := get(t, c, base+"/paths"); paths != "/users/1 agent-of-user-1\n" {
		t.Fatalf("/paths = %q", paths)
	}
	for i, b := range app.Bodies() {
		if !strings.HasPrefix(b, "junk") || strings.Count(b, " ") == 0 {
			t.Fatalf("kept body %d changed: %q", i, b)
		}
	}
}

// node's fetch on one keep-alive connection: a handler's late answer never
// reaches a later request, and every response is its own.
func TestLateAnswersWithNode(t *testing.T) {
	node := need(t, "node")
	app, base := start(t)
	script := `
const base = process.argv[1];
(async () => {
  const out = [];
  for (let id = 1; id <= 20; id++) {
    const ms = id === 1 ? 300 : 20; // id=1 outlives the 100 ms handler timeout
    const r = await fetch(base + "/slow?id=" + id + "&ms=" + ms);
    out.push(r.status + " " + (await r.text()));
  }
  console.log(out.join("\n"));
})().catch(e => { console.error(e); process.exit(1); });
`
	out, err := exec.Command(node, "-e", script, base).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 20 || !strings.HasPrefix(lines[0], "503 ") {
		t.Fatalf("node saw:\n%s", out)
	}
	for id := 2; id <= 20; id++ {
		if want := fmt.Sprintf("200 answer for id=%d", id); lines[id-1] != want {
			t.Fatalf("request %d got %q, want %q", id, lines[id-1], want)
		}
	}
	select {
	case err := <-app.LateErrors():
		if !errors.Is(err, server.ErrResponded) {
			t.Fatalf("late answer: %v, want ErrResponded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the late answer was never refused")
	}
}

// Python's http.client reading HEAD then GET from one connection (sent
// together, so that the outcome does not depend on timing). The bug: the
// HEAD carried the body and the GET failed with BadStatusLine
// ("0123456789HTTP/1.1 200 OK").
func TestHeadThenGetWithPython(t *testing.T) {
	py := need(t, "python3")
	_, base := start(t)
	script := `
import http.client, socket, sys
host, port = sys.argv[1].split("//")[1].split(":")
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(b"HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
f = s.makefile("rb")
class Conn:
    def makefile(self, *args, **kw): return f
head = http.client.HTTPResponse(Conn(), method="HEAD"); head.begin()  # kept: closing it closes f
print(head.status, head.getheader("Content-Length"))
get = http.client.HTTPResponse(Conn(), method="GET"); get.begin()
print(get.status, repr(get.read()))
`
	out, err := exec.Command(py, "-c", script, base).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if got := string(out); got != "200 10\n200 b'0123456789'\n" {
		t.Fatalf("python saw:\n%s", got)
	}
}

// curl reusing one connection for HEAD, GET and a decoded path.
func TestStreamAndPathsWithCurl(t *testing.T) {
	curl := need(t, "curl")
	_, base := start(t)
	out, err := exec.Command(curl, "-sS", "-I", base+"/stream",
		"--next", "-sS", base+"/stream",
		"--next", "-sS", base+"/users/%31").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	s := strings.ReplaceAll(string(out), "\r\n", "\n")
	if !strings.HasPrefix(s, "HTTP/1.1 200 OK\n") || !strings.HasSuffix(s, "\n\n0123456789user 1") {
		t.Fatalf("curl saw:\n%s", s)
	}
}

// need returns the path of a client program; CI installs them (.ci/run).
func need(t *testing.T, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (CI installs it)", name)
	}
	return p
}
