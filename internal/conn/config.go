package conn

import (
	"log/slog"
	"time"

	"asynchttpserver.dev/internal/parser"
)

// Config holds the limits and timeouts of a group's connections. A zero
// field takes its default; a negative timeout disables that timeout.
type Config struct {
	// Limits bounds request heads and bodies (see parser.Limits: 64 KiB
	// heads, 100 header fields, 8 KiB targets, 8 MiB bodies by default).
	Limits parser.Limits

	// HeaderTimeout bounds the time from a request's first byte to the end
	// of its head; a slow client (slowloris) gets 408 and is closed.
	// Default 10 s.
	HeaderTimeout time.Duration
	// BodyTimeout bounds the time to receive a request's whole body once
	// its head is in; past it the client gets 408 and is closed. Default
	// 30 s.
	BodyTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection may wait for its
	// next request; past it the connection is closed. Default 60 s.
	IdleTimeout time.Duration
	// WriteTimeout bounds how long output may wait for a peer that does not
	// read it; past it the connection is closed. Default 30 s.
	WriteTimeout time.Duration
	// HandlerTimeout bounds how long a request may wait for its handler's
	// response; past it the request is answered 503. Off by default, like
	// Nim (whose handlers may take as long as they like).
	HandlerTimeout time.Duration
	// LingerTimeout bounds how long a connection closed after an error is
	// drained (its write side shut, its input discarded) so that the client
	// reads the error response instead of a reset. Default 2 s.
	LingerTimeout time.Duration

	// MaxOutput is the back-pressure mark: once this many response bytes
	// wait for a peer that does not read, the connection stops reading
	// requests until they drain. Default 1 MiB.
	MaxOutput int
	// MaxInFlight bounds the pipelined requests of one connection whose
	// responses are not yet written; beyond it reading pauses. Default 128.
	MaxInFlight int

	// StreamBodies lets handlers read request bodies in pieces: the Handler
	// is asked, for each request with a body, whether to dispatch it at its
	// head (Handler.StreamBody). Limits.MaxBody then stays the default
	// limit of bodies read whole and streamed alike, but a streamed body
	// may have a limit of its own (SetBodyLimit).
	StreamBodies bool

	// Logger receives handler panics and connection errors. Default
	// slog.Default().
	Logger *slog.Logger
}

// Defaults for the zero fields of Config.
const (
	DefaultHeaderTimeout = 10 * time.Second
	DefaultBodyTimeout   = 30 * time.Second
	DefaultIdleTimeout   = 60 * time.Second
	DefaultWriteTimeout  = 30 * time.Second
	DefaultLingerTimeout = 2 * time.Second
	DefaultMaxOutput     = 1 << 20
	DefaultMaxInFlight   = 128
)

// withDefaults returns c with its zero fields set to the defaults and its
// negative timeouts set to 0 (off).
func (c Config) withDefaults() Config {
	c.Limits = parser.New(c.Limits).Limits()
	c.HeaderTimeout = duration(c.HeaderTimeout, DefaultHeaderTimeout)
	c.BodyTimeout = duration(c.BodyTimeout, DefaultBodyTimeout)
	c.IdleTimeout = duration(c.IdleTimeout, DefaultIdleTimeout)
	c.WriteTimeout = duration(c.WriteTimeout, DefaultWriteTimeout)
	c.HandlerTimeout = duration(c.HandlerTimeout, 0)
	c.LingerTimeout = duration(c.LingerTimeout, DefaultLingerTimeout)
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func duration(d, def time.Duration) time.Duration {
	switch {
	case d < 0:
		return 0
	case d == 0:
		return def
	}
	return d
}
