package conn

import "unsafe"

// This file is the only place in the package that uses unsafe: request
// fields are strings that share the connection's input buffer, so that a
// request costs no copy and no allocation.
//
// Invariant: the bytes of an exchange (Exchange.buf) are not written while
// the exchange is in flight, that is from its dispatch until it is
// released (its response written and its handler finished). The connection
// compacts or reuses an input buffer only when no exchange in flight
// refers to it (Conn.inRefs), and moves to a fresh buffer otherwise. After
// release the strings may change under a caller who kept them: the
// documented lifetime of a request's fields.

// unsafeString returns a string that shares b's memory.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
