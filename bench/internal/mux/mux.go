// Package mux is the handler every peer of the net/http bridge's scenario
// serves (bench/servers/{bridge,nethttp-mux,nbio-mux,fasthttpadaptor}): one
// net/http ServeMux with a Go 1.22 pattern, GET /hello/{name}, answering
// {"hello":"<name>"} as JSON with Content-Type application/json. The
// native-mux peer answers the same bytes through the server's own API.
//
// The benchmark requests Path and expects Body and ContentType back.
package mux

import (
	"encoding/json"
	"net/http"
)

const (
	// Pattern is the ServeMux pattern of the one route.
	Pattern = "GET /hello/{name}"
	// Path is the request target the benchmark sends.
	Path = "/hello/world"
	// Body is the response body to Path: JSON, ended by the newline
	// json.Encoder writes.
	Body = `{"hello":"world"}` + "\n"
	// ContentType is the response's Content-Type.
	ContentType = "application/json"
)

// Hello is the response's JSON object.
type Hello struct {
	Hello string `json:"hello"`
}

// Mux returns the ServeMux of the scenario: the handler sets Content-Type
// and encodes Hello{name} with a json.Encoder on the ResponseWriter, as an
// ordinary net/http handler would.
func Mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc(Pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		json.NewEncoder(w).Encode(Hello{r.PathValue("name")})
	})
	return m
}
