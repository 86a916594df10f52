// Package conn is the server's per-connection state machine: it reads
// requests off a socket into a buffer lent by the loop, parses them in
// place (internal/parser), reads their bodies (Content-Length or chunked,
// with 100-continue), dispatches them in order to a Handler, and writes
// their responses in request order, coalescing the responses of a
// pipelined burst into one write. It enforces the limits and timeouts of
// Config, applies back-pressure to clients that do not read, closes
// gracefully after errors, and hands upgraded connections over to their
// handlers.
//
// Everything here runs on the loop except Exchange.Claim and
// Exchange.Commit, which any goroutine may call: a response is published
// into its exchange's slot with atomics, and the loop writes it when its
// turn comes.
//
// The package knows HTTP/1.1 framing and connection management; the
// user-facing request and response API (Nim's) lives in package server.
package conn
