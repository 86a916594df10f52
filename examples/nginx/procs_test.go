package nginx

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The processes of the test: two instances (cmd/instance, built here) and
// nginx in front, every one stopped by t.Cleanup, and killed with the test
// process if it dies first (procAttr).

// proc is a process the test started.
type proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed once Wait has returned
	err    error         // Wait's, once exited
}

// start starts cmd with stderr appended to the file errPath, and waits
// for it in the background.
func start(t *testing.T, name string, cmd *exec.Cmd, errPath string) *proc {
	t.Helper()
	errFile, err := os.OpenFile(errPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close() // the child has its own copy
	cmd.Stderr = errFile
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p
}

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop asks p to stop with sig and waits up to 10 s, then kills its process
// group (nginx's workers are in it).
func (p *proc) stop(t *testing.T, sig syscall.Signal) {
	if !p.running() {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return
	case <-time.After(10 * time.Second):
	}
	t.Errorf("%s did not stop within 10 s of %v: killing its process group", p.name, sig)
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("%s (pid %d) survived SIGKILL for 10 s", p.name, p.cmd.Process.Pid)
	}
}

// instance is a running cmd/instance.
type instance struct {
	*proc
	id   string
	addr string // host:port it listens on
}

// buildInstance builds cmd/instance into dir.
func buildInstance(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "instance")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/instance") // go test puts its go first in PATH
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/instance: %v\n%s", err, out)
	}
	return bin
}

// startInstance runs the instance id on a free port of 127.0.0.1 and
// returns once it listens.
func startInstance(t *testing.T, bin, dir, id string) *instance {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-id", id, "-addr", "127.0.0.1:0")
	cmd.Stdout = w
	errPath := filepath.Join(dir, "instance-"+id+".stderr")
	p := start(t, "instance "+id, cmd, errPath)
	w.Close()
	t.Cleanup(func() {
		p.stop(t, syscall.SIGTERM)
		if b, _ := os.ReadFile(errPath); len(b) > 0 {
			t.Logf("instance %s stderr:\n%s", id, b)
		}
	})
	lines := make(chan string, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() { // the first line, then whatever follows, until the instance exits
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-lines:
		var gotID, addr string
		if _, err := fmt.Sscanf(line, "instance %s listening on %s", &gotID, &addr); err != nil || gotID != id {
			t.Fatalf("instance %s said %q, want %q", id, line, "instance "+id+" listening on HOST:PORT")
		}
		return &instance{proc: p, id: id, addr: addr}
	case <-p.exited:
		b, _ := os.ReadFile(errPath)
		t.Fatalf("instance %s exited before listening (%v):\n%s", id, p.err, b)
	case <-time.After(10 * time.Second):
		t.Fatalf("instance %s did not say it listens within 10 s", id)
	}
	return nil
}

// findNginx returns nginx's path, skipping the test when it is not
// installed. /usr/sbin is often outside a user's PATH.
func findNginx(t *testing.T) string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx", "/opt/homebrew/bin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("nginx is not installed (not in PATH, /usr/sbin or /usr/local): this test puts real nginx " +
		"in front of two instances; install it (apt-get install nginx, as .ci/run does) to run it")
	return ""
}

// front is nginx running nginx.conf in front of the instances.
type front struct {
	*proc
	base   string // http://127.0.0.1:port
	prefix string // nginx's -p: logs/ and temp files
}

// testConf is nginx.conf as shipped, with the addresses of the test:
// nginx on port, the instances at a and b, one worker (one pool of
// upstream connections, so that reuse is measurable). Each line replaced
// must be there exactly once, so that an edit of nginx.conf that the test
// no longer covers fails here rather than passes untested.
func testConf(t *testing.T, port int, a, b string) string {
	t.Helper()
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := string(conf)
	for _, r := range [][2]string{
		{"worker_processes auto;", "worker_processes 1;"},
		{"listen 8080;", fmt.Sprintf("listen 127.0.0.1:%d;", port)},
		{"server 127.0.0.1:8081 ", "server " + a + " "},
		{"server 127.0.0.1:8082 ", "server " + b + " "},
	} {
		if n := strings.Count(s, r[0]); n != 1 {
			t.Fatalf("nginx.conf has %q %d times, want once: update testConf", r[0], n)
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return s
}

// startNginx starts nginx in the foreground with testConf, under a prefix
// of its own in dir, and returns once it answers. A port taken between
// choosing it and nginx's bind is chosen again.
func startNginx(t *testing.T, dir, a, b string) *front {
	t.Helper()
	nginx := findNginx(t)
	prefix := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(filepath.Join(prefix, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Started as root, nginx runs its workers as nobody: they must be able
	// to reach the temp directories the master creates under the prefix,
	// and t.TempDir's directories (dir and its parent) are the owner's only.
	for _, d := range []string{filepath.Dir(dir), dir, prefix} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	confPath := filepath.Join(prefix, "nginx.conf")
	errPath := filepath.Join(prefix, "stderr")
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		if err := os.WriteFile(confPath, []byte(testConf(t, port, a, b)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(nginx, "-p", prefix, "-c", confPath, "-g", "daemon off;")
		p := start(t, "nginx", cmd, errPath)
		f := &front{proc: p, base: fmt.Sprintf("http://127.0.0.1:%d", port), prefix: prefix}
		err := f.waitReady(10 * time.Second)
		if err == nil {
			t.Cleanup(func() {
				f.stop(t, syscall.SIGTERM) // fast shutdown: the master stops its workers, then exits
				if t.Failed() {
					t.Logf("nginx error log:\n%s%s", f.read("stderr"), f.read("logs/error.log"))
				}
			})
			return f
		}
		p.stop(t, syscall.SIGTERM)
		logs := f.read("stderr") + f.read("logs/error.log")
		if attempt < 3 && strings.Contains(logs, "Address already in use") {
			t.Logf("port %d was taken before nginx bound it: trying another", port)
			continue
		}
		t.Fatalf("nginx did not start: %v\n%s", err, logs)
	}
}

// waitReady polls nginx until it answers with an instance's response.
func (f *front) waitReady(within time.Duration) error {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	deadline := time.Now().Add(within)
	for {
		resp, err := c.Get(f.base + "/whoami")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && resp.Header.Get("X-Instance") != "" {
				return nil
			}
			err = fmt.Errorf("GET /whoami: %s", resp.Status)
		}
		if !f.running() {
			return fmt.Errorf("nginx exited: %v", f.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %v: %w", within, err)
		}
		select {
		case <-f.exited:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// read returns a file under nginx's prefix ("" if absent).
func (f *front) read(name string) string {
	b, _ := os.ReadFile(filepath.Join(f.prefix, name))
	return string(b)
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
