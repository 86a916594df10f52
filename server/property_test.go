package server

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// TestPropertyAnswersReachTheirOwnRequests: handlers answer at random
// times, from the loop (at once, from a timer, streamed) and from
// goroutines, some only after HandlerTimeout has answered 503 for them,
// over pipelined keep-alive connections. Every response must be its own
// request's (or that request's 503), and a Respond that lost to the
// timeout must get ErrResponded; never may one request's answer reach
// another.
func TestPropertyAnswersReachTheirOwnRequests(t *testing.T) {
	const timeout = 40 * time.Millisecond
	type lateResult struct {
		id  string
		err error
	}
	lateResults := make(chan lateResult, 1024)
	ts := startServer(t, func(req *Request) *Future {
		id := req.URL.Query().Get("id")
		answer := "id=" + id
		switch req.Headers.Get("X-Mode") {
		case "timer":
			done := req.Loop().NewFuture()
			req.Loop().AddTimer(time.Millisecond, func() {
				req.Respond(200, answer, nil)
				done.Complete()
			})
			return done
		case "goroutine":
			go req.Respond(200, answer, nil)
			return nil
		case "late":
			go func() {
				time.Sleep(3 * timeout) // slow work: the timeout answers first, as a rule
				lateResults <- lateResult{id, req.Respond(200, answer, nil).Err()}
			}()
			return nil
		case "stream":
			done := req.Loop().NewFuture()
			req.SendHeaders(Headers{{"Content-Length", strconv.Itoa(len(answer))}}).AddCallback(func() {
				req.Client.SendString(answer[:2])
				req.Client.SendString(answer[2:]).AddCallback(done.Complete)
			})
			return done
		}
		return req.Respond(200, answer, nil)
	}, HandlerTimeout(timeout))

	modes := []string{"sync", "timer", "goroutine", "stream", "late"}
	rng := rand.New(rand.NewSource(20261205))
	var wg sync.WaitGroup
	lates := 0
	for c := 0; c < 4; c++ {
		type sent struct{ id, mode string }
		var batches [][]sent
		for b := 0; b < 6; b++ {
			var batch []sent
			for i := 0; i < 1+rng.Intn(8); i++ {
				m := modes[rng.Intn(len(modes))]
				if m == "late" {
					lates++
				}
				batch = append(batch, sent{fmt.Sprintf("c%db%di%d", c, b, i), m})
			}
			batches = append(batches, batch)
		}
		rc := dial(t, ts.addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, batch := range batches {
				var w strings.Builder
				for _, s := range batch {
					fmt.Fprintf(&w, "GET /?id=%s HTTP/1.1\r\nHost: x\r\nX-Mode: %s\r\n\r\n", s.id, s.mode)
				}
				rc.write(w.String())
				for _, s := range batch {
					resp, err := http.ReadResponse(rc.br, nil)
					if err != nil {
						t.Errorf("%s: %v", s.id, err)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					ok := resp.StatusCode == 200 && string(body) == "id="+s.id ||
						s.mode == "late" && resp.StatusCode == 503
					if !ok {
						t.Errorf("%s (%s): %d %q, not its own answer", s.id, s.mode, resp.StatusCode, body)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := 0; i < lates; i++ {
		r := <-lateResults
		if r.err != nil && !errors.Is(r.err, ErrResponded) {
			t.Errorf("late Respond of %s: %v, want nil or ErrResponded", r.id, r.err)
		}
	}
}
