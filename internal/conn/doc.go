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
// # A connection's state
//
// A Conn is driven by three kinds of event: its socket is readable or has
// drained (poller.Owner), its timer fires, and a response is committed
// from anywhere (Run, posted to the loop). Its state has two halves.
//
// The reading half is Conn.input, one phase at a time (input.go):
//
//	           first byte            head complete, no body
//	┌─────▶ inIdle ───────▶ inHead ──────────────────────────┐
//	│                         ├── body ─────▶ inBody ────────┤ request
//	│                         └── streamed ─▶ inStream ──────┤ dispatched
//	└────────────────────────────────────────────────────────┘
//	any phase ── close, upgrade, malformed, EOF ──▶ inStopped
//	inStopped ── error response out ──▶ inLinger ── peer closes, timeout ──▶ closed
//
// The writing half is the queue of exchanges, one per request dispatched
// and not yet written, in request order (Exchange.next). Each moves
// through its phases (exchange.go):
//
//	idle ──▶ dispatched ──Claim──▶ claimed ──Commit─────▶ responded ──┐
//	 ▲           ▲                  │  │                              │ advance: its turn
//	 │           └──── Unclaim ─────┘  └──CommitHead──▶ streaming ────┤ (a stream: its end)
//	 │                                                                ▼
//	 └──── release, once its handler is done too (generation + 1) ── written
//
//	responded | streaming ── its 101 written ──▶ upgraded (the handler owns the socket)
//	any phase before written ── the connection closes ──▶ aborted
//
// Claim and Commit are compare-and-swaps on the generation and phase
// together, so a handle kept past its request is refused, never applied
// to the request that reuses its exchange.
//
// Everything here runs on the loop except Exchange.Claim and
// Exchange.Commit, which any goroutine may call: a response is published
// into its exchange's slot with atomics, and the loop writes it when its
// turn comes. The timeouts of both halves share one timer, moved lazily
// (timeout.go).
//
// The package knows HTTP/1.1 framing and connection management; the
// user-facing request and response API (Nim's) lives in package server.
// docs/design.md walks through it stage by stage.
package conn
