// Command nethttpstream is the net/http side of the streaming
// measurements: /gen?n=N streams N bytes from the same generator with
// io.CopyN, /file serves -file with http.ServeFile (sendfile inside), and
// /upload hashes the body.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"

	"asynchttpserver.dev/examples/streams"
)

func main() {
	port := flag.Int("port", 8081, "port")
	file := flag.String("file", "", "file served at /file")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/gen", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		io.CopyN(w, &streams.Pattern{}, n)
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, *file) })
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%d %x\n", n, h.Sum(nil))
	})
	log.Fatal(http.ListenAndServe(fmt.Sprintf("127.0.0.1:%d", *port), mux))
}
