// Package verify checks that a server answers HTTP/1.1 correctly: status
// 200, the expected body (Hello World's "Hello World" at /, or the bridge
// scenario's JSON hello at /hello/world, with its Content-Type), framed by a
// Content-Length header, for a plain request from Go's client, for 16
// pipelined requests on one connection, and for a "Connection: close"
// request, after which the server must close the connection.
//
// The benchmark runs these checks before it measures a server, so a number
// in its tables always belongs to a server that answered correctly.
package verify

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"asynchttpserver.dev/bench/internal/mux"
)

// Body is the response body every Hello World server must send.
const Body = "Hello World"

// Want is a request target and the response a server must send to it.
type Want struct {
	Path        string // request target, e.g. "/"
	Body        string
	ContentType string // media type the Content-Type header must name; "" for any
	// Chunked accepts a chunked body as well as one framed by
	// Content-Length: the mux servers run an ordinary handler that sets no
	// Content-Length, and nbio's nbhttp then frames its response chunked.
	Chunked bool
}

var (
	// Hello is what the Hello World servers answer: "Hello World" at /.
	Hello = Want{Path: "/", Body: Body}
	// MuxJSON is what the net/http bridge's peers answer (internal/mux):
	// {"hello":"world"} as application/json at /hello/world.
	MuxJSON = Want{Path: mux.Path, Body: mux.Body, ContentType: mux.ContentType, Chunked: true}
)

// ForPath returns the expected response to a request for path: Hello's
// for "/", MuxJSON's for "/hello/world"; false for any other path.
func ForPath(path string) (Want, bool) {
	for _, w := range []Want{Hello, MuxJSON} {
		if w.Path == path {
			return w, true
		}
	}
	return Want{}, false
}

// PipelineDepth is the number of requests sent in one write by the
// pipelining check.
const PipelineDepth = 16

// Timeout bounds each check.
const Timeout = 5 * time.Second

// Server runs every check of a Hello World server at addr (host:port) and
// returns the first failure.
func Server(ctx context.Context, addr string) error { return Hello.Server(ctx, addr) }

// Server runs every check against the server at addr (host:port),
// requesting w.Path, and returns the first failure.
func (w Want) Server(ctx context.Context, addr string) error {
	checks := []struct {
		name string
		run  func(context.Context, string) error
	}{
		{"GET " + w.Path + " with net/http's client", w.Plain},
		{fmt.Sprintf("%d pipelined GETs of %s", PipelineDepth, w.Path), w.Pipelined},
		{"GET " + w.Path + " with Connection: close", w.Closing},
	}
	for _, c := range checks {
		if err := c.run(ctx, addr); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

// Plain sends one GET for w.Path with net/http's client.
func (w Want) Plain(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+w.Path, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return w.Response(resp)
}

// Pipelined writes PipelineDepth GETs for w.Path in one write on one
// connection and reads as many responses.
func (w Want) Pipelined(ctx context.Context, addr string) error {
	conn, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := "GET " + w.Path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
	if _, err := io.WriteString(conn, strings.Repeat(req, PipelineDepth)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	br := bufio.NewReader(conn)
	for i := range PipelineDepth {
		if err := w.readOne(br); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, PipelineDepth, err)
		}
	}
	return nil
}

// Closing sends a GET for w.Path with "Connection: close" and expects the
// server to answer and then close the connection.
func (w Want) Closing(ctx context.Context, addr string) error {
	conn, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := "GET " + w.Path + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	br := bufio.NewReader(conn)
	if err := w.readOne(br); err != nil {
		return err
	}
	if n, err := br.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		return fmt.Errorf("connection still open after the response (read %d bytes, %v)", n, err)
	}
	return nil
}

// dial connects to addr with a deadline of Timeout for the whole exchange.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// readOne reads and checks one response from br.
func (w Want) readOne(br *bufio.Reader) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer resp.Body.Close()
	return w.Response(resp)
}

// Response checks one response of a Hello World server: status 200, a
// Content-Length header and the body "Hello World". It reads the body to
// its end.
func Response(resp *http.Response) error { return Hello.Response(resp) }

// Response checks one response: status 200, a Content-Length header (or,
// if w allows it, a chunked body), the Content-Type if w names one, and the
// body w.Body. It reads the body to its end.
func (w Want) Response(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %q, want 200", resp.Status)
	}
	if resp.ContentLength < 0 && !(w.Chunked && slices.Equal(resp.TransferEncoding, []string{"chunked"})) {
		return fmt.Errorf("no Content-Length header (Transfer-Encoding %q)", resp.TransferEncoding)
	}
	if w.ContentType != "" {
		ct := resp.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != w.ContentType {
			return fmt.Errorf("Content-Type %q, want %s", ct, w.ContentType)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if string(body) != w.Body {
		return fmt.Errorf("body %q, want %q", body, w.Body)
	}
	return nil
}
