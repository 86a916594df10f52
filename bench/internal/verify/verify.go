// Package verify checks that a Hello World server answers HTTP/1.1 correctly:
// status 200, the body "Hello World", framed by a Content-Length header, for a
// plain request from Go's client, for 16 pipelined requests on one
// connection, and for a "Connection: close" request, after which the server
// must close the connection.
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
	"net"
	"net/http"
	"strings"
	"time"
)

// Body is the response body every server must send.
const Body = "Hello World"

// PipelineDepth is the number of requests sent in one write by the
// pipelining check.
const PipelineDepth = 16

// Timeout bounds each check.
const Timeout = 5 * time.Second

// Server runs every check against the server at addr (host:port) and
// returns the first failure.
func Server(ctx context.Context, addr string) error {
	checks := []struct {
		name string
		run  func(context.Context, string) error
	}{
		{"GET with net/http's client", Plain},
		{fmt.Sprintf("%d pipelined GETs", PipelineDepth), Pipelined},
		{"GET with Connection: close", Closing},
	}
	for _, c := range checks {
		if err := c.run(ctx, addr); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

// Plain sends one GET with net/http's client.
func Plain(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return Response(resp)
}

// Pipelined writes PipelineDepth GETs in one write on one connection and
// reads as many responses.
func Pipelined(ctx context.Context, addr string) error {
	conn, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
	if _, err := io.WriteString(conn, strings.Repeat(req, PipelineDepth)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	br := bufio.NewReader(conn)
	for i := range PipelineDepth {
		if err := readOne(br); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, PipelineDepth, err)
		}
	}
	return nil
}

// Closing sends a GET with "Connection: close" and expects the server to
// answer and then close the connection.
func Closing(ctx context.Context, addr string) error {
	conn, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	br := bufio.NewReader(conn)
	if err := readOne(br); err != nil {
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
func readOne(br *bufio.Reader) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer resp.Body.Close()
	return Response(resp)
}

// Response checks one response: status 200, a Content-Length header and the
// body "Hello World". It reads the body to its end.
func Response(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %q, want 200", resp.Status)
	}
	if resp.ContentLength < 0 {
		return fmt.Errorf("no Content-Length header (Transfer-Encoding %q)", resp.TransferEncoding)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if string(body) != Body {
		return fmt.Errorf("body %q, want %q", body, Body)
	}
	return nil
}
