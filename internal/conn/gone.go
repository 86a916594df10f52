package conn

// PeerGone reports whether generation gen's client has gone away: its
// connection saw the end of its input or was closed. On the loop.
func (x *Exchange) PeerGone(gen uint32) bool {
	c := x.conn
	return x.Gen() != gen || c.closed || c.eof
}
