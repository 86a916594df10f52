package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"asynchttpserver.dev/internal/parser"
)

// Header implements http.ResponseWriter.
func (w *responseWriter) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

// WriteHeader implements http.ResponseWriter. A 1xx status other than 101
// sends an interim response at once (103 Early Hints, or 100 Continue);
// any other fixes the status, and the header as it is now.
func (w *responseWriter) WriteHeader(code int) {
	switch {
	case w.hijacked:
		w.logf("http: response.WriteHeader on hijacked connection")
		return
	case w.wroteHeader:
		w.logf("http: superfluous response.WriteHeader call")
		return
	case code < 100 || code > 999:
		panic("invalid WriteHeader code " + strconv.Itoa(code)) // as net/http
	case code < 200 && code != http.StatusSwitchingProtocols:
		w.interim(code)
		return
	}
	w.wroteHeader = true
	w.status = code
	w.snapshot()
}

// logf logs a misuse of the ResponseWriter, as net/http's server does.
func (w *responseWriter) logf(msg string) {
	r := w.req
	r.srv().logger().Warn("asynchttpserver: "+msg, "method", r.MethodName, "path", r.URL.Path)
}

// interim sends a 1xx response with the header set so far (RFC 8297:
// 103 Early Hints carries the Link fields the final response will). It
// is dropped where it cannot go out at once (an HTTP/1.0 client, earlier
// pipelined responses still out): a hint the client does without.
func (w *responseWriter) interim(code int) {
	var fields Headers
	for k, vv := range w.header {
		if k == "Content-Length" || k == "Transfer-Encoding" || strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		for _, v := range vv {
			fields = append(fields, Header{Name: k, Value: v})
		}
	}
	slices.SortStableFunc(fields, func(a, b Header) int { return strings.Compare(a.Name, b.Name) })
	fields = sanitize(fields)
	r := w.req
	w.onLoop(func() { r.x.WriteInterim(r.gen, code, appendFields(nil, fields)) })
}

// snapshot takes the header as WriteHeader finds it: what goes on the
// wire, and what it says about the body (Content-Type, Content-Length,
// chunked coding, trailers), as net/http's chunkWriter reads it. One pass
// over the map does both.
func (w *responseWriter) snapshot() {
	h := w.header
	var haveType bool
	var encoding, te, cl string
	clKey := false
	w.head = w.fields[:0]
	if len(h) > 0 {
		var stack [16]string
		keys := stack[:0]
		for k := range h {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			vv := h[k]
			switch k {
			case "Content-Type":
				haveType = true
			case "Content-Encoding":
				encoding = firstOf(vv)
			case "Transfer-Encoding":
				te = firstOf(vv)
				continue // the server frames the body
			case "Content-Length":
				cl, clKey = firstOf(vv), true
			case "Trailer":
				for _, v := range vv {
					for _, name := range strings.Split(v, ",") {
						if name = strings.TrimSpace(name); name != "" {
							w.trailers = append(w.trailers, http.CanonicalHeaderKey(name))
						}
					}
				}
			}
			if strings.HasPrefix(k, http.TrailerPrefix) {
				w.prefixed = true
				continue
			}
			for _, v := range vv {
				w.head = append(w.head, Header{Name: k, Value: v})
			}
		}
	}
	w.snapKeys = len(h)
	code := w.status
	w.sniff = !haveType && encoding == "" && te == "" && bodyAllowed(code)
	w.chunkedTE = te != "" && !strings.EqualFold(te, "identity")
	switch {
	case clKey && cl == "":
		w.noLength = true // net/http: a nil Content-Length disables the default one
	case cl == "" || w.chunkedTE:
	default:
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v >= 0 {
			w.clen = v
		} else {
			w.logf("http: invalid Content-Length of " + strconv.Quote(cl))
			w.noLength = true // and none of ours (net/http chunks it)
		}
	}
	if !bodyAllowed(code) {
		w.clen = -1
		if code == http.StatusNotModified {
			w.head = dropField(w.head, "Content-Type")
		}
	}
	if clKey && (w.clen < 0 || cl != strconv.FormatInt(w.clen, 10)) {
		// The server writes the length, or none: the handler's is
		// invalid, bodyless, beside chunked coding, or spelt oddly.
		w.head = dropField(w.head, "Content-Length")
		if w.clen >= 0 {
			w.head = append(w.head, Header{Name: "Content-Length", Value: strconv.FormatInt(w.clen, 10)})
		}
	}
}

// bodyAllowed reports whether a response with this status may have a body.
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// firstOf returns the first of a field's values, or "".
func firstOf(vv []string) string {
	if len(vv) > 0 {
		return vv[0]
	}
	return ""
}

// dropField removes the fields named name (canonical) from h.
func dropField(h Headers, name string) Headers {
	kept := h[:0]
	for _, f := range h {
		if f.Name != name {
			kept = append(kept, f)
		}
	}
	return kept
}

// sanitize returns the fields of h that can be sent, as net/http's
// WriteSubset writes them: names that are not tokens are left out, line
// breaks in values become spaces, and values that still cannot be sent
// are left out. The connection refuses a head with such fields
// (ErrHeader), so the bridge passes the handler's header as it is, and
// sanitizes it only when refused: the usual header costs one check, the
// connection's.
func sanitize(h Headers) Headers {
	var out Headers
	for _, f := range h {
		if !parser.ValidToken(f.Name) {
			continue
		}
		if !parser.ValidFieldValue(f.Value) {
			f.Value = strings.TrimSpace(newlineToSpace.Replace(f.Value))
			if !parser.ValidFieldValue(f.Value) {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// newlineToSpace is net/http's headerNewlineToSpace.
var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// headFor returns the head's fields, with the Content-Type sniffed from
// the body's first bytes when the handler set none.
func (w *responseWriter) headFor(body []byte) Headers {
	h := w.head
	if w.sniff && len(body) > 0 {
		h = append(h[:len(h):len(h)], Header{Name: "Content-Type", Value: http.DetectContentType(body)})
	}
	return h
}

// finalTrailers returns the trailer fields the handler set: those it
// declared in the Trailer header, and those under http.TrailerPrefix.
//
// Keys under the prefix are set after WriteHeader, which changes the
// header's size; a header of the size it had then, without such keys
// then, is not searched again (a map's iteration is not free). Only a
// handler that deletes a field after WriteHeader and adds a prefixed
// trailer in its place would be missed.
func (w *responseWriter) finalTrailers() Headers {
	var t Headers
	if len(w.header) == w.snapKeys && !w.prefixed && len(w.trailers) == 0 {
		return nil
	}
	for k, vv := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			for _, v := range vv {
				t = append(t, Header{Name: name, Value: v})
			}
		}
	}
	for _, k := range w.trailers {
		for _, v := range w.header[k] {
			t = append(t, Header{Name: k, Value: v})
		}
	}
	return t
}
