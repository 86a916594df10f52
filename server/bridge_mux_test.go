package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// patternMux is a ServeMux with Go 1.22 patterns: methods, wildcards, a
// remainder wildcard, the exact-match {$}, a host, precedence between
// overlapping patterns, and a subtree with its redirect.
func patternMux() *http.ServeMux {
	mux := http.NewServeMux()
	show := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "pattern=%q", r.Pattern)
		for _, name := range []string{"id", "name", "rest", "file"} {
			if v := r.PathValue(name); v != "" {
				fmt.Fprintf(w, " %s=%q", name, v)
			}
		}
	}
	for _, p := range []string{
		"GET /{$}",
		"GET /users/{id}",
		"DELETE /users/{id}",
		"GET /users/{id}/posts/{name}",
		"GET /users/admin",
		"GET /files/{rest...}",
		"POST /upload/{name}",
		"/static/",
		"GET api.example.com/v1/{name}",
		"PROPFIND /dav/{file}",
	} {
		mux.HandleFunc(p, show)
	}
	return mux
}

// ServeMux's Go 1.22 routing through the bridge is net/http's: matches,
// path values (decoded from the escaped path), 404, 405 with Allow,
// redirects of a subtree without its slash and of unclean paths, host
// patterns, and extension methods.
func TestBridgeServeMuxPatterns(t *testing.T) {
	requests := []string{
		get("/"),
		get("/users/42"),
		get("/users/admin"),
		get("/users/a%2Fb"),
		get("/users/%31%32/posts/hello%20world"),
		"DELETE /users/7 HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT /users/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
		get("/files/a/b/c.txt"),
		get("/files/"),
		"POST /upload/report.pdf HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
		get("/upload/report.pdf"),
		get("/static"),
		get("/static/css/site.css"),
		get("/users/../static/x"),
		get("//users/1"),
		get("/v1/thing"),
		"GET /v1/thing HTTP/1.1\r\nHost: api.example.com\r\n\r\n",
		"GET /v1/thing HTTP/1.1\r\nHost: api.example.com:8443\r\n\r\n",
		"PROPFIND /dav/notes.txt HTTP/1.1\r\nHost: x\r\nDepth: 0\r\n\r\n",
		"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
		get("/nope"),
		"HEAD /users/1 HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	for _, raw := range requests {
		name := strings.SplitN(raw, "\r\n", 2)[0]
		t.Run(name, func(t *testing.T) {
			compareWithNetHTTP(t, patternMux(), bothModes, raw, strings.Fields(raw)[0], 1)
		})
	}
}

// Files: http.FileServer and http.ServeContent go through the
// ResponseWriter's ReadFrom, which sends a file with sendfile(2) after
// sniffing its first bytes; ranges, HEAD, conditional requests and
// directory listings are net/http's.
func TestBridgeServesFilesAsNetHTTP(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	files := map[string]string{
		"big.bin":    big,
		"page.html":  "<html><body>hi</body></html>",
		"noext":      "<html>sniffed from the content</html>" + strings.Repeat(" ", 2000),
		"empty.txt":  "",
		"sub/a.json": `{"a":1}`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for name := range files {
		os.Chtimes(filepath.Join(dir, name), mtime, mtime)
	}
	mux := http.NewServeMux()
	mux.Handle("/files/", http.StripPrefix("/files", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("/content", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(dir, "big.bin"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close() // at once: the response must not need it later
		http.ServeContent(w, r, "big.bin", mtime, f)
	})
	mux.HandleFunc("/copy", func(w http.ResponseWriter, r *http.Request) {
		f, _ := os.Open(filepath.Join(dir, "big.bin"))
		defer f.Close()
		f.Seek(100, io.SeekStart)
		n, err := io.Copy(w, f)
		if n != int64(len(big)-100) || err != nil {
			t.Errorf("io.Copy of a file: %d, %v", n, err)
		}
	})
	requests := []string{
		get("/files/big.bin"),
		get("/files/page.html"),
		get("/files/noext"),
		get("/files/empty.txt"),
		get("/files/sub/"),
		get("/files/sub"),
		get("/files/missing"),
		get("/files/big.bin", "Range: bytes=100-199\r\n"),
		get("/files/big.bin", "Range: bytes=0-9,20-29\r\n"),
		get("/files/big.bin", "Range: bytes=2000000-\r\n"),
		get("/files/big.bin", "If-Modified-Since: "+mtime.Format(http.TimeFormat)+"\r\n"),
		"HEAD /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n",
		get("/content"),
		get("/content", "Range: bytes=-1000\r\n"),
		get("/copy"),
		"GET /files/big.bin HTTP/1.0\r\n\r\n",
	}
	for _, raw := range requests {
		name := strings.SplitN(raw, "\r\n", 3)[0] + " " + strings.SplitN(raw, "\r\n", 3)[1]
		t.Run(name, func(t *testing.T) {
			// Files are copied when inline (sendfile cannot be waited
			// for on the loop): both ways must answer the same.
			compareExcept(t, mux, bothModes, raw, strings.Fields(raw)[0], 1, sameBoundary)
		})
	}
}

// sameBoundary replaces a multipart response's random boundary.
func sameBoundary(o *outcome) {
	_, b, ok := strings.Cut(o.Header, "boundary=")
	if !ok {
		return
	}
	b, _, _ = strings.Cut(b, "\n")
	o.Header = strings.ReplaceAll(o.Header, b, "BOUNDARY")
	o.Body = strings.ReplaceAll(o.Body, b, "BOUNDARY")
}
