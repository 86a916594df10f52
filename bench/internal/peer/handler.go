package peer

import "net/http"

// HelloHandler answers every request with 200 and Body, setting its
// headers directly (no content sniffing, no map allocation per request):
// the handler of the peers that serve an http.Handler (net/http, nbio).
func HelloHandler() http.Handler {
	body := []byte(Body)
	contentType := []string{"text/plain"}
	contentLength := []string{"11"}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		w.Write(body)
	})
}
