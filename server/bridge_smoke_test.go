package server

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func TestBridgeSmoke(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"hello": r.PathValue("name")})
	})
	for _, inline := range []bool{false, true} {
		var opts []BridgeOption
		if inline {
			opts = append(opts, Inline())
		}
		b := NewBridge(mux, opts...)
		ts := startServer(t, b.Serve, StreamBodies(b.StreamBody))
		resp, err := http.Get("http://" + ts.addr + "/hello/world")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Logf("%d %v %q", resp.StatusCode, resp.Header, body)
	}
}
