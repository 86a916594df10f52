package server

import (
	"fmt"
	"hash/crc32"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

// propertyHandler answers with a digest of the request, sometimes after a
// random delay, so that handlers finish out of order.
func propertyHandler(req *Request) *Future {
	answer := fmt.Sprintf("%s %s %d %08x", req.Method, req.URL.Path, len(req.Body), crc32.ChecksumIEEE([]byte(req.Body)))
	delay, _ := strconv.Atoi(req.Headers.Get("X-Delay"))
	if delay == 0 {
		return req.Respond(200, answer, Headers{{"X-Answer", answer}})
	}
	done := req.Loop().NewFuture()
	req.Loop().AddTimer(time.Duration(delay)*time.Millisecond, func() {
		req.Respond(200, answer, Headers{{"X-Answer", answer}})
		done.Complete()
	})
	return done
}

// TestPropertyRandomPipelines sends random pipelines (methods, bodies in
// both framings, delays) cut at random points, and checks that N requests
// give N correct responses, in order.
func TestPropertyRandomPipelines(t *testing.T) {
	ts := startServer(t, propertyHandler)
	rng := rand.New(rand.NewSource(20261125))
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
	for round := 0; round < 60; round++ {
		n := 1 + rng.Intn(24)
		var stream strings.Builder
		want := make([]string, n)
		sent := make([]string, n)
		for i := 0; i < n; i++ {
			method := methods[rng.Intn(len(methods))]
			path := fmt.Sprintf("/r%d/%d", round, i)
			body := strings.Repeat(string(rune('a'+rng.Intn(26))), rng.Intn(3)*rng.Intn(3000))
			delay := 0
			if rng.Intn(4) == 0 {
				delay = 1 + rng.Intn(3)
			}
			fmt.Fprintf(&stream, "%s %s HTTP/1.1\r\nHost: x\r\nX-Delay: %d\r\n", method, path, delay)
			switch {
			case body == "":
				stream.WriteString("\r\n")
			case rng.Intn(2) == 0:
				fmt.Fprintf(&stream, "Content-Length: %d\r\n\r\n%s", len(body), body)
			default:
				stream.WriteString("Transfer-Encoding: chunked\r\n\r\n")
				for rest := body; rest != ""; {
					k := min(len(rest), 1+rng.Intn(700))
					fmt.Fprintf(&stream, "%x\r\n%s\r\n", k, rest[:k])
					rest = rest[k:]
				}
				stream.WriteString("0\r\n\r\n")
			}
			want[i] = fmt.Sprintf("%s %s %d %08x", method, path, len(body), crc32.ChecksumIEEE([]byte(body)))
			sent[i] = method
		}
		rc := dial(t, ts.addr)
		go writeInPieces(rc, stream.String(), rng.Int63())
		for i := 0; i < n; i++ {
			resp := rc.response(sent[i])
			if got := resp.Header.Get("X-Answer"); got != want[i] {
				t.Fatalf("round %d, response %d: %q, want %q", round, i, got, want[i])
			}
			if body := bodyOf(t, resp); sent[i] != "HEAD" && body != want[i] {
				t.Fatalf("round %d, response %d body %q", round, i, body)
			}
		}
		rc.c.Close()
	}
}

// writeInPieces writes s cut at random points.
func writeInPieces(rc *rawConn, s string, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	for s != "" {
		k := min(len(s), 1+rng.Intn(400))
		if _, err := rc.c.Write([]byte(s[:k])); err != nil {
			return
		}
		s = s[k:]
	}
}
