package conn

import "time"

// dateCache holds the "Date: ...\r\n" line of the current second, rebuilt
// at most once a second from the loop's cached clock (RFC 9110 §6.6.1
// wants a Date on every response from a server with a clock).
type dateCache struct {
	sec  int64
	line []byte
}

func (d *dateCache) get(now time.Time) []byte {
	if sec := now.Unix(); sec != d.sec || d.line == nil {
		d.sec = sec
		d.line = now.UTC().AppendFormat(append(d.line[:0], "Date: "...), "Mon, 02 Jan 2006 15:04:05 GMT")
		d.line = append(d.line, "\r\n"...)
	}
	return d.line
}
