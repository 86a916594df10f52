// Package nginx is the scale-out example: several instances of a server
// behind nginx (nginx.conf beside this file), the way past one process and
// one machine. It holds the instances' handler, which cmd/instance serves,
// and an integration test that starts real nginx in front of two instances.
package nginx

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"asynchttpserver.dev/server"
)

// MaxBody is the largest request body an instance accepts: nginx.conf's
// client_max_body_size (64m), so that what nginx accepts the instances
// accept too.
const MaxBody = 64 << 20

// Options are an instance's server options, matched to nginx.conf.
func Options() []server.Option {
	return []server.Option{
		server.MaxBody(MaxBody),
		// Longer than the upstream keepalive_timeout in nginx.conf (60 s):
		// nginx, not the instance, closes an idle upstream connection, so
		// that nginx never sends a request on a connection the instance is
		// closing at that very moment (a GET would be retried, a POST
		// answered 502).
		server.IdleTimeout(75 * time.Second),
	}
}

// Whoami is what an instance answers to GET /whoami: who served the
// request, over which connection, and what nginx told it about the client.
type Whoami struct {
	Instance string `json:"instance"`
	// Peer is the connection's far end: nginx's side of an upstream
	// connection, whose port tells whether nginx reused it.
	Peer  string `json:"peer"`
	Proto string `json:"proto"`
	Host  string `json:"host"`
	// Connection is the request's Connection header: empty behind nginx,
	// which drops the client's to keep its upstream connection open.
	Connection      string `json:"connection"`
	XRealIP         string `json:"x_real_ip"`
	XForwardedFor   string `json:"x_forwarded_for"`
	XForwardedProto string `json:"x_forwarded_proto"`
}

// Instance serves one instance's requests; every response names it in an
// X-Instance header.
//
//	GET  /whoami       Whoami, as JSON (also /)
//	POST /echo         the request body, as it came
//	GET  /bytes?n=N    N bytes of Bytes(), with a Content-Length
//	GET  /close        Whoami, and the connection closed after it
type Instance struct{ id string }

// New returns the handler of the instance named id.
func New(id string) *Instance { return &Instance{id: id} }

// Serve is the instance's server.Callback.
func (in *Instance) Serve(req *server.Request) *server.Future {
	h := server.NewHeaders("X-Instance", in.id)
	switch req.URL.Path {
	case "/", "/whoami":
		return in.whoami(req, h)
	case "/echo":
		if req.Method != server.MethodPost {
			h.Add("Allow", "POST")
			return req.Respond(http.StatusMethodNotAllowed, "POST a body to echo\n", h)
		}
		h.Add("Content-Type", "application/octet-stream")
		return req.Respond(http.StatusOK, req.Body, h) // Body shares the request's memory: no copy
	case "/bytes":
		n, err := strconv.ParseInt(req.URL.Query().Get("n"), 10, 64)
		if err != nil || n < 0 || n > 1<<30 {
			return req.Respond(http.StatusBadRequest, "n: a byte count up to 1 GiB\n", h)
		}
		return in.bytes(req, n, h)
	case "/close":
		// The instance ends the upstream connection (a restart draining,
		// say): nginx drops it from its pool, and the client's own
		// connection to nginx stays open.
		h.Add("Connection", "close")
		return in.whoami(req, h)
	}
	return req.Respond(http.StatusNotFound, "not found\n", h)
}

// whoami answers with the request's Whoami.
func (in *Instance) whoami(req *server.Request, h server.Headers) *server.Future {
	b, _ := json.Marshal(Whoami{
		Instance:        in.id,
		Peer:            req.Client.RemoteAddr().String(),
		Proto:           req.Protocol.Orig,
		Host:            req.Headers.Get("Host"),
		Connection:      req.Headers.Get("Connection"),
		XRealIP:         req.Headers.Get("X-Real-IP"),
		XForwardedFor:   req.Headers.Get("X-Forwarded-For"),
		XForwardedProto: req.Headers.Get("X-Forwarded-Proto"),
	})
	h.Add("Content-Type", "application/json")
	return req.Respond(http.StatusOK, string(b), h)
}

// bytes streams n bytes of Bytes() from a goroutine, at the pace nginx
// reads them, with a Content-Length: a body framed by its length keeps the
// upstream connection reusable.
func (in *Instance) bytes(req *server.Request, n int64, h server.Headers) *server.Future {
	h.Add("Content-Type", "application/octet-stream")
	h.Add("Content-Length", strconv.FormatInt(n, 10))
	s, err := req.Stream(http.StatusOK, h)
	if err != nil {
		return req.Loop().Failed(err)
	}
	done := req.Loop().NewFuture()
	go func() {
		defer done.Complete()
		if _, err := io.CopyN(s, Bytes(), n); err == nil {
			s.Close()
		}
	}()
	return done
}

// Bytes returns the endless, deterministic stream /bytes serves, for a
// client to check what it received.
func Bytes() io.Reader {
	return rand.NewChaCha8([32]byte([]byte("asynchttpserver behind nginx....")))
}
