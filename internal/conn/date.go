package conn

import "time"

// dateCache holds a "Date: ...\r\n" line, rebuilt from the wall clock at
// most once per second of the loop's monotonic clock (RFC 9110 §6.6.1
// wants a Date on every response from a server with a clock; its
// resolution is a second, so a line up to a second old is as good).
type dateCache struct {
	until int64 // monotonic nanoseconds after which the line is rebuilt
	line  []byte
}

func (d *dateCache) get(mono int64) []byte {
	if mono >= d.until || d.line == nil {
		d.until = mono + int64(time.Second)
		d.line = time.Now().UTC().AppendFormat(append(d.line[:0], "Date: "...), "Mon, 02 Jan 2006 15:04:05 GMT")
		d.line = append(d.line, "\r\n"...)
	}
	return d.line
}
