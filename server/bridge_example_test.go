package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"asynchttpserver.dev/server"
)

// A net/http application on the reactor: a ServeMux with Go 1.22
// patterns, served through a Bridge. The server streams request bodies to
// the handlers (StreamBodies with the bridge's choice), and the handlers
// run in goroutines, as under net/http. (Here on port 0 and closed after
// one request, so that it can run as a test.)
func ExampleNewBridge() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"hello": r.PathValue("name")})
	})

	b := server.NewBridge(mux)
	srv := server.New(server.StreamBodies(b.StreamBody))
	serving := srv.Serve(0, b.Serve, "127.0.0.1")

	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/hello/gopher", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.Status, " ", resp.Header.Get("Content-Type"), " ", string(body))
	}()
	if err := server.WaitFor(serving); err != nil {
		fmt.Println(err)
	}
	// Output: 200 OK application/json {"hello":"gopher"}
}

// Handlers that never block (they compute the answer from the request
// alone) can run inline, on the loop, without a goroutine each: the
// fastest way, for them only. Bodies then arrive whole.
func ExampleInline() {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
	})
	srv := server.New()
	serving := srv.Serve(0, server.Handler(hello, server.Inline()), "127.0.0.1")

	go func() {
		defer srv.Close()
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/?name=loop", srv.Port()))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(string(body))
	}()
	if err := server.WaitFor(serving); err != nil {
		fmt.Println(err)
	}
	// Output: hello, loop
}
