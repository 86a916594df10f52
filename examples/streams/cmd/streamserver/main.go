// Command streamserver serves large streams with asynchttpserver, for the
// streaming measurements (examples/streams/measure.sh):
//
//	/gen?n=N     N bytes from a generator, written by a goroutine through
//	             the Stream's io.Writer (io.CopyN), chunked
//	/loop?n=N    the same written on the loop, each write after the last
//	             one's future
//	/file        the file given by -file, with sendfile(2)
//	/upload      the body, streamed, hashed by a goroutine: "N sha256"
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"

	"asynchttpserver.dev/examples/streams"
	"asynchttpserver.dev/server"
)

func main() {
	port := flag.Int("port", 8080, "port")
	file := flag.String("file", "", "file served at /file")
	flag.Parse()
	srv := server.New(server.StreamBodies(func(req *server.Request) bool { return req.URL.Path == "/upload" }))
	cb := func(req *server.Request) *server.Future {
		n, _ := strconv.ParseInt(req.URL.Query().Get("n"), 10, 64)
		switch req.URL.Path {
		case "/gen":
			s, err := req.Stream(http.StatusOK, nil)
			if err != nil {
				return req.Loop().Failed(err)
			}
			done := req.Loop().NewFuture()
			go func() {
				defer done.Complete()
				if _, err := io.CopyN(s, &streams.Pattern{}, n); err == nil {
					s.Close()
				}
			}()
			return done
		case "/loop":
			return loopStream(req, n)
		case "/file":
			f, err := os.Open(*file)
			if err != nil {
				return req.Respond(http.StatusNotFound, err.Error(), nil)
			}
			sent := req.RespondFile(http.StatusOK, nil, f)
			sent.AddCallback(func() { f.Close() })
			return sent
		case "/upload":
			body := req.BodyReader()
			body.SetLimit(8 << 30)
			go func() {
				h := sha256.New()
				n, err := io.Copy(h, body)
				if err != nil {
					return
				}
				req.Respond(http.StatusOK, fmt.Sprintf("%d %x\n", n, h.Sum(nil)), nil)
			}()
			return nil
		}
		return req.Respond(http.StatusNotFound, "not found", nil)
	}
	if err := server.WaitFor(srv.Serve(*port, cb, "127.0.0.1")); err != nil {
		log.Fatal(err)
	}
}

// loopStream writes n bytes on the loop, 64 KiB at a time, each write
// after the previous one's future: the back-pressure chain.
func loopStream(req *server.Request, n int64) *server.Future {
	s, err := req.Stream(http.StatusOK, nil)
	if err != nil {
		return req.Loop().Failed(err)
	}
	done := req.Loop().NewFuture()
	src := &streams.Pattern{}
	buf := make([]byte, 64<<10)
	var next func()
	next = func() {
		if n == 0 {
			s.End(nil)
			done.Complete()
			return
		}
		k := min(int64(len(buf)), n)
		src.Read(buf[:k])
		n -= k
		f := s.Send(buf[:k])
		f.AddCallback(func() {
			if f.Failed() {
				done.Complete()
				return
			}
			next()
		})
	}
	next()
	return done
}
