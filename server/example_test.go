package server_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"asynchttpserver.dev/server"
)

// The seed's first example: every request gets 200 and "Hello World".
// (Here on port 0 and closed after one request, so that it can run as a
// test; the seed's program is cmd/hello.)
func Example() {
	srv := server.New()
	cb := func(req *server.Request) *server.Future {
		return req.Respond(http.StatusOK, "Hello World", nil)
	}
	serving := srv.Serve(0, cb, "127.0.0.1")

	go func() { // a client, then shut down
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.Status, string(body))
	}()
	if err := server.WaitFor(serving); err != nil {
		fmt.Println(err)
	}
	// Output: 200 OK Hello World
}

// The seed's respond example: JSON for /hello-world, 404 for the rest.
func ExampleRequest_Respond() {
	handler := func(req *server.Request) *server.Future {
		if req.URL.Path == "/hello-world" {
			msg, _ := json.Marshal(map[string]string{"message": "Hello World"})
			headers := server.NewHeaders("Content-Type", "application/json")
			return req.Respond(http.StatusOK, string(msg), headers)
		}
		return req.Respond(http.StatusNotFound, "Not Found", nil)
	}
	srv := server.New()
	serving := srv.Serve(0, handler, "127.0.0.1")

	go func() {
		defer srv.Close()
		for _, path := range []string{"/hello-world", "/elsewhere"} {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", srv.Port(), path))
			if err != nil {
				fmt.Println(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), string(body))
		}
	}()
	server.WaitFor(serving)
	// Output:
	// 200 application/json {"message":"Hello World"}
	// 404  Not Found
}

// A handler that answers later, from another goroutine: it returns nil,
// and Respond hands the response to the loop.
func ExampleCallback_later() {
	srv := server.New()
	serving := srv.Serve(0, func(req *server.Request) *server.Future {
		go func() {
			// ... slow work off the loop ...
			req.Respond(http.StatusOK, "computed elsewhere", nil)
		}()
		return nil
	}, "127.0.0.1")

	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body))
	}()
	server.WaitFor(serving)
	// Output: computed elsewhere
}

// NewHeaders reads like Nim's newHttpHeaders; lookups ignore case.
func ExampleNewHeaders() {
	h := server.NewHeaders("Content-Type", "application/json")
	h.Add("Set-Cookie", "a=1")
	h.Add("Set-Cookie", "b=2")
	fmt.Println(h.Get("content-type"), h.Values("SET-COOKIE"))
	// Output: application/json [a=1 b=2]
}

// A response streamed after SendHeaders (Nim's sendHeaders and raw sends):
// the body goes through req.Client, checked against the Content-Length
// the head declares. A HEAD request gets the same head and no body.
func ExampleRequest_SendHeaders() {
	handler := func(req *server.Request) *server.Future {
		done := req.Loop().NewFuture()
		head := req.SendHeaders(server.NewHeaders("Content-Length", "11", "Content-Type", "text/plain"))
		head.AddCallback(func() {
			req.Client.SendString("Hello ")
			req.Client.SendString("World").AddCallback(done.Complete)
		})
		return done
	}
	srv := server.New()
	serving := srv.Serve(0, handler, "127.0.0.1")
	go func() {
		defer srv.Close()
		for _, method := range []string{"GET", "HEAD"} {
			req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d/", srv.Port()), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Println(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			fmt.Printf("%s: %d %q (Content-Length %d)\n", method, resp.StatusCode, body, resp.ContentLength)
		}
	}()
	server.WaitFor(serving)
	// Output:
	// GET: 200 "Hello World" (Content-Length 11)
	// HEAD: 200 "" (Content-Length 11)
}

// All waits for several futures at once: here two servers, the second of
// which cannot listen on the first one's port. The error comes at once,
// while the first server runs.
func ExampleAll() {
	first, second := server.New(server.ReuseAddr(false)), server.New(server.ReuseAddr(false))
	hello := func(req *server.Request) *server.Future { return req.Respond(200, "Hello World", nil) }
	if err := first.Listen(0, "127.0.0.1"); err != nil {
		fmt.Println(err)
		return
	}
	a := first.Serve(0, hello, "")
	b := second.Serve(first.Port(), hello, "127.0.0.1")
	err := server.WaitFor(server.All(a, b))
	fmt.Println(err != nil)
	first.Close()
	server.WaitFor(a)
	// Output: true
}

// A streamed download from a goroutine: the Stream is an io.Writer that
// blocks while the client is behind, so a generator of any size runs in
// bounded memory. Without a Content-Length, an HTTP/1.1 client gets it
// chunked.
func ExampleRequest_Stream() {
	handler := func(req *server.Request) *server.Future {
		s, err := req.Stream(http.StatusOK, server.NewHeaders("Content-Type", "text/csv"))
		if err != nil {
			return req.Loop().Failed(err)
		}
		done := req.Loop().NewFuture()
		go func() {
			defer done.Complete()
			w := csv.NewWriter(s)
			for i := 1; i <= 3; i++ {
				w.Write([]string{strconv.Itoa(i), strconv.Itoa(i * i)})
			}
			w.Flush()
			s.Close()
		}()
		return done
	}
	srv := server.New()
	serving := srv.Serve(0, handler, "127.0.0.1")
	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/squares.csv", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%v %q", resp.TransferEncoding, body)
	}()
	server.WaitFor(serving)
	// Output: [chunked] "1,1\n2,4\n3,9\n"
}

// A file, sent with sendfile(2): RespondFile declares its length and the
// bytes go from the page cache to the socket.
func ExampleRequest_RespondFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	os.WriteFile(path, []byte("Hello from a file\n"), 0o644)

	handler := func(req *server.Request) *server.Future {
		f, err := os.Open(path)
		if err != nil {
			return req.Respond(http.StatusNotFound, "not found", nil)
		}
		sent := req.RespondFile(http.StatusOK, server.NewHeaders("Content-Type", "text/plain"), f)
		sent.AddCallback(func() { f.Close() })
		return sent
	}
	srv := server.New()
	serving := srv.Serve(0, handler, "127.0.0.1")
	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/hello.txt", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %q", resp.ContentLength, body)
	}()
	server.WaitFor(serving)
	// Output: 18 "Hello from a file\n"
}

// Server-sent events: a stream written on the loop, an event a tick, until
// the client goes away (Disconnected fires without a write).
func ExampleRequest_Disconnected() {
	handler := func(req *server.Request) *server.Future {
		s, err := req.Stream(http.StatusOK, server.NewHeaders("Content-Type", "text/event-stream"))
		if err != nil {
			return req.Loop().Failed(err)
		}
		done := req.Loop().NewFuture()
		gone := false
		req.Disconnected().AddCallback(func() { gone = true; done.Complete() })
		var tick func(n int)
		tick = func(n int) {
			if gone {
				return
			}
			s.SendString(fmt.Sprintf("data: tick %d\n\n", n))
			req.Loop().AddTimer(10*time.Millisecond, func() { tick(n + 1) })
		}
		tick(1)
		return done
	}
	srv := server.New()
	serving := srv.Serve(0, handler, "127.0.0.1")
	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/events", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		events := bufio.NewScanner(resp.Body)
		for i := 0; i < 2 && events.Scan(); {
			if line := events.Text(); line != "" {
				fmt.Println(line)
				i++
			}
		}
		resp.Body.Close() // the handler notices and stops
	}()
	server.WaitFor(serving)
	// Output:
	// data: tick 1
	// data: tick 2
}

// A streamed upload: the handler of /upload reads the body as it arrives,
// from a goroutine (BodyReader is an io.Reader), under a limit of its own.
func ExampleStreamBodies() {
	handler := func(req *server.Request) *server.Future {
		body := req.BodyReader()
		body.SetLimit(1 << 30)
		go func() {
			h := sha256.New()
			n, err := io.Copy(h, body)
			if err != nil {
				return // the server has answered (413, 408, 400)
			}
			req.Respond(http.StatusOK, fmt.Sprintf("%d bytes, sha256 %x", n, h.Sum(nil)[:4]), nil)
		}()
		return nil
	}
	srv := server.New(server.StreamBodies(func(req *server.Request) bool { return req.URL.Path == "/upload" }))
	serving := srv.Serve(0, handler, "127.0.0.1")
	go func() {
		defer srv.Close()
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/upload", srv.Port()), "application/octet-stream",
			strings.NewReader(strings.Repeat("x", 1<<20)))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body))
	}()
	server.WaitFor(serving)
	// Output: 1048576 bytes, sha256 8f990ba0
}
