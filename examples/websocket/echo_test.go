package websocket

import (
	"fmt"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"asynchttpserver.dev/server"
)

// A real WebSocket client (gorilla/websocket) echoes messages through the
// upgrade; when the server closes, every open client gets a close frame,
// 1001 going away, not an abnormal 1006, and Close waits for it.
func TestEchoAndCleanCloseWithGorilla(t *testing.T) {
	l, err := server.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := server.New(server.OnLoop(l), server.ShutdownGrace(5*time.Second))
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	serving := srv.Serve(0, Handler(srv), "")
	done := make(chan error, 1)
	go func() { done <- l.WaitFor(serving) }()

	url := fmt.Sprintf("ws://127.0.0.1:%d/echo", srv.Port())
	const clients = 20
	conns := make([]*gorilla.Conn, clients)
	for i := range conns {
		c, _, err := gorilla.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		msg := fmt.Sprintf("hello %d %s", i, make([]byte, i*1000))
		if err := c.WriteMessage(gorilla.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.ReadMessage(); err != nil || string(got) != msg {
			t.Fatalf("client %d: echo %d bytes, %v", i, len(got), err)
		}
		conns[i] = c
	}
	srv.Close()
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := c.ReadMessage()
		if !gorilla.IsCloseError(err, gorilla.CloseGoingAway) {
			t.Fatalf("client %d at the server's close: %v, want close 1001", i, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
