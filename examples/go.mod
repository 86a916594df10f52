module asynchttpserver.dev/examples

go 1.26.0

replace asynchttpserver.dev => ../

require (
	asynchttpserver.dev v0.0.0
	github.com/coder/websocket v1.8.15
	github.com/go-chi/chi/v5 v5.5.0
	github.com/gorilla/websocket v1.5.3
)

require golang.org/x/sys v0.50.0 // indirect
