// Package contract is a small application of the kind the handler
// contract's issues were found with, written as a user writes one: it
// keeps strings from requests across requests, answers from goroutines
// under a handler timeout, and streams bodies after SendHeaders. Its
// tests drive it with real clients (Go's http.Client, curl, Python's
// http.client, node) to show that none of that can leak one request's
// bytes or answer into another's.
package contract

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"asynchttpserver.dev/server"
)

// App is the application's state: what it remembers across requests.
type App struct {
	mu       sync.Mutex
	last     string            // the last ?name= seen
	byPath   map[string]string // path → User-Agent of its last request
	bodies   []string          // every body posted to /echo
	lateErrs chan error        // what late goroutine answers got back
}

// New returns an empty application.
func New() *App {
	return &App{byPath: map[string]string{}, lateErrs: make(chan error, 64)}
}

// LateErrors receives the outcome of each answer /slow's goroutine gives
// after the handler timeout has answered for it.
func (a *App) LateErrors() <-chan error { return a.lateErrs }

// Serve is the application's callback.
func (a *App) Serve(req *server.Request) *server.Future {
	switch {
	case req.URL.Path == "/remember":
		a.mu.Lock()
		a.last = req.URL.Query().Get("name") // kept across requests, as is
		a.mu.Unlock()
		return req.Respond(http.StatusOK, "remembered", nil)
	case req.URL.Path == "/last":
		a.mu.Lock()
		defer a.mu.Unlock()
		return req.Respond(http.StatusOK, a.last, nil)
	case strings.HasPrefix(req.URL.Path, "/users/"):
		a.mu.Lock()
		a.byPath[req.URL.Path] = req.Headers.Get("User-Agent") // the path is a map key
		a.mu.Unlock()
		return req.Respond(http.StatusOK, "user "+strings.TrimPrefix(req.URL.Path, "/users/"), nil)
	case req.URL.Path == "/paths":
		a.mu.Lock()
		defer a.mu.Unlock()
		var b strings.Builder
		for p, ua := range a.byPath {
			fmt.Fprintf(&b, "%s %s\n", p, ua)
		}
		return req.Respond(http.StatusOK, b.String(), nil)
	case req.URL.Path == "/echo":
		a.mu.Lock()
		a.bodies = append(a.bodies, req.Body)
		a.mu.Unlock()
		return req.Respond(http.StatusOK, req.Body, server.NewHeaders("Content-Type", "text/plain"))
	case req.URL.Path == "/slow":
		id := req.URL.Query().Get("id")
		delay, _ := strconv.Atoi(req.URL.Query().Get("ms"))
		go func() { // slow work off the loop; Respond is safe from here
			time.Sleep(time.Duration(delay) * time.Millisecond)
			err := req.Respond(http.StatusOK, "answer for id="+id, nil).Err()
			if err != nil {
				a.lateErrs <- err
			}
		}()
		return nil
	case req.URL.Path == "/stream":
		return a.stream(req)
	}
	return req.Respond(http.StatusNotFound, "not found", nil)
}

// stream sends 0123456789 in two writes after SendHeaders, framed by a
// Content-Length: a GET gets the body, a HEAD only the head.
func (a *App) stream(req *server.Request) *server.Future {
	done := req.Loop().NewFuture()
	head := req.SendHeaders(server.NewHeaders("Content-Length", "10", "Content-Type", "text/plain"))
	head.AddCallback(func() {
		req.Client.SendString("01234")
		req.Client.SendString("56789").AddCallback(done.Complete)
	})
	return done
}

// Bodies returns the bodies posted to /echo so far.
func (a *App) Bodies() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bodies...)
}

// Options are the server options the application runs with.
func Options() []server.Option {
	return []server.Option{server.HandlerTimeout(100 * time.Millisecond)}
}
