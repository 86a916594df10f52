// Package bridge is an application written for net/http, served by the
// reactor through the bridge (server.NewBridge): a chi router with
// middleware (request IDs, gzip, one of its own), URL parameters, sub-routers and a mounted one, a JSON API
// with request bodies, gzip, server-sent events, and WebSocket echoes by
// two real libraries, gorilla/websocket and coder/websocket, both on the
// connection the ResponseWriter's Hijacker hands over. Nothing in it knows
// about the reactor: it would run under http.ListenAndServe unchanged.
package bridge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	coder "github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	gorilla "github.com/gorilla/websocket"
)

// User is the API's resource.
type User struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// users is the API's store.
type users struct {
	mu   sync.Mutex
	next int
	byID map[int]User
}

// App returns the application's router.
func App() http.Handler {
	s := &users{next: 1, byID: map[int]User{}}
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(poweredBy)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from chi, request %s\n", middleware.GetReqID(r.Context()))
	})
	r.Route("/users", func(r chi.Router) {
		r.Get("/", s.list)
		r.Post("/", s.create)
		r.Route("/{id:[0-9]+}", func(r chi.Router) {
			r.Get("/", s.get)
			r.Delete("/", s.remove)
		})
	})
	r.Get("/files/*", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "file %q", chi.URLParam(r, "*"))
	})
	r.With(middleware.Compress(5, "text/plain")).Get("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := range 2000 {
			fmt.Fprintf(w, "line %d of a body gzip makes small\n", i)
		}
	})
	r.Get("/events", events)
	r.Get("/ws/gorilla", gorillaEcho)
	r.Get("/ws/coder", coderEcho)
	r.Mount("/admin", admin())
	return r
}

// poweredBy is a middleware of the application's own.
func poweredBy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "chi on asynchttpserver")
		next.ServeHTTP(w, r)
	})
}

// admin is a router of its own, mounted under /admin.
func admin() http.Handler {
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "admin home") })
	r.Get("/stats/{kind}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "stats of %s at %s", chi.URLParam(r, "kind"), r.URL.Path)
	})
	return r
}

func (s *users) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := make([]User, 0, len(s.byID))
	for id := 1; id < s.next; id++ {
		if u, ok := s.byID[id]; ok {
			list = append(list, u)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

func (s *users) create(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil || u.Name == "" {
		http.Error(w, "want {\"name\": ...}", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	u.ID = s.next
	s.next++
	s.byID[u.ID] = u
	s.mu.Unlock()
	w.Header().Set("Location", "/users/"+strconv.Itoa(u.ID))
	writeJSON(w, http.StatusCreated, u)
}

func (s *users) get(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(chi.URLParam(r, "id"))
	s.mu.Lock()
	u, ok := s.byID[id]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *users) remove(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(chi.URLParam(r, "id"))
	s.mu.Lock()
	delete(s.byID, id)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// events streams server-sent events, flushing each, until the client
// leaves (the request's context).
func events(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	w.Header().Set("Content-Type", "text/event-stream")
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "id: %d\ndata: tick %d\n\n", i, i)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Millisecond):
		}
	}
}

var upgrader = gorilla.Upgrader{}

// gorillaEcho echoes WebSocket messages with gorilla/websocket. When the
// server begins to close, the request's context is cancelled, and it says
// goodbye (1001, going away) instead of letting the connection drop.
func gorillaEcho(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the client
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-r.Context().Done():
			c.WriteControl(gorilla.CloseMessage,
				gorilla.FormatCloseMessage(gorilla.CloseGoingAway, "server closing"), time.Now().Add(time.Second))
		case <-stop:
		}
	}()
	for {
		typ, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(typ, msg); err != nil {
			return
		}
	}
}

// coderEcho echoes WebSocket messages with coder/websocket, which writes
// its 101 with WriteHeader and then hijacks.
func coderEcho(w http.ResponseWriter, r *http.Request) {
	c, err := coder.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	ctx := r.Context()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			if coder.CloseStatus(err) == coder.StatusNormalClosure {
				c.Close(coder.StatusNormalClosure, "")
			}
			return
		}
		if strings.HasPrefix(string(msg), "close:") {
			c.Close(coder.StatusNormalClosure, strings.TrimPrefix(string(msg), "close:"))
			return
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
	}
}
