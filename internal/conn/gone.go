package conn

// PeerGone reports whether generation gen's client has gone away: its
// connection saw the end of its input or was closed. Watch does not fire
// for a client that went away before the watcher was registered (while
// the connection waits for the request's response), so a watcher
// registered late asks this first. On the loop.
func (x *Exchange) PeerGone(gen uint32) bool {
	c := x.conn
	return x.Gen() != gen || c.closed || c.eof
}
