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

// headCache holds the start of the most common response head: the status
// line, the Date line and "Content-Length: ", for the last status code
// used, rebuilt with the Date line. Most responses then begin with one
// copy instead of three appends.
type headCache struct {
	code  int
	until int64
	b     []byte
}

func (h *headCache) get(code int, d *dateCache, mono int64) []byte {
	line := d.get(mono)
	if code != h.code || h.until != d.until || h.b == nil {
		h.code, h.until = code, d.until
		h.b = appendStatusLine(h.b[:0], code)
		h.b = append(h.b, line...)
		h.b = append(h.b, "Content-Length: "...)
	}
	return h.b
}
