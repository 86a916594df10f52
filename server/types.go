package server

import (
	"strconv"

	"asynchttpserver.dev/internal/parser"
)

// Method is a request method (Nim's HttpMethod). A method outside the
// enumeration, an extension method such as QUERY or PROPFIND, is
// MethodOther, and Request.MethodName says which; its handler decides
// whether it implements it (405 or 501 if not: RFC 9110 §9.1).
type Method uint8

// The methods a handler can see.
const (
	MethodOther   = Method(parser.MethodOther)
	MethodGet     = Method(parser.MethodGet)
	MethodHead    = Method(parser.MethodHead)
	MethodPost    = Method(parser.MethodPost)
	MethodPut     = Method(parser.MethodPut)
	MethodDelete  = Method(parser.MethodDelete)
	MethodTrace   = Method(parser.MethodTrace)
	MethodOptions = Method(parser.MethodOptions)
	MethodConnect = Method(parser.MethodConnect)
	MethodPatch   = Method(parser.MethodPatch)
)

// String returns the method's name as sent on the wire, e.g. "GET"
// ("OTHER" for MethodOther: Request.MethodName has the name).
func (m Method) String() string { return parser.Method(m).String() }

// Protocol is the request's HTTP version (Nim's protocol tuple).
type Protocol struct {
	Orig         string // as sent: "HTTP/1.1" or "HTTP/1.0"
	Major, Minor int
}

var (
	http10 = Protocol{Orig: "HTTP/1.0", Major: 1, Minor: 0}
	http11 = Protocol{Orig: "HTTP/1.1", Major: 1, Minor: 1}
)

// Header is one header field.
type Header struct{ Name, Value string }

// Headers is a list of header fields, in order, possibly with repeated
// names (Nim's HttpHeaders, without its comma splitting: a User-Agent
// keeps its commas). Lookups ignore the case of names. NewHeaders builds
// one as Nim's newHttpHeaders does, or write a literal with keyed fields
// (go vet asks for keys on another package's struct type):
//
//	server.NewHeaders("Content-Type", "application/json")
//	server.Headers{{Name: "Content-Type", Value: "application/json"}}
//
// nil is an empty list.
type Headers []Header

// NewHeaders returns the fields given as name, value pairs, in order
// (Nim's newHttpHeaders). It panics on an odd number of arguments.
func NewHeaders(pairs ...string) Headers {
	if len(pairs)%2 != 0 {
		panic("server.NewHeaders: a name without a value")
	}
	h := make(Headers, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		h = append(h, Header{Name: pairs[i], Value: pairs[i+1]})
	}
	return h
}

// Get returns the first value of the named field, or "".
func (h Headers) Get(name string) string {
	v, _ := h.Lookup(name)
	return v
}

// Lookup returns the first value of the named field and whether it exists.
func (h Headers) Lookup(name string) (string, bool) {
	for i := range h {
		if parser.EqualFold(h[i].Name, name) {
			return h[i].Value, true
		}
	}
	return "", false
}

// Has reports whether the named field is present.
func (h Headers) Has(name string) bool {
	_, ok := h.Lookup(name)
	return ok
}

// Values returns every value of the named field, in order.
func (h Headers) Values(name string) []string {
	var vs []string
	for i := range h {
		if parser.EqualFold(h[i].Name, name) {
			vs = append(vs, h[i].Value)
		}
	}
	return vs
}

// Add appends a field (Nim's add).
func (h *Headers) Add(name, value string) { *h = append(*h, Header{name, value}) }

// Set replaces every field of that name with one (Nim's []=).
func (h *Headers) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

// Del removes every field of that name.
func (h *Headers) Del(name string) {
	kept := (*h)[:0]
	for _, f := range *h {
		if !parser.EqualFold(f.Name, name) {
			kept = append(kept, f)
		}
	}
	clear((*h)[len(kept):])
	*h = kept
}

// portString formats a port for error messages.
func portString(port int) string { return strconv.Itoa(port) }
