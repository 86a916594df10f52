package conn

import "unsafe"

// This file is the only place in the package that uses unsafe: request
// fields are strings that share the connection's input buffer, so that a
// request costs no copy and no allocation.
//
// Invariant: input bytes that a request has been parsed from are never
// written again, for as long as anything refers to them (arena.go says how:
// connections read only into memory nobody has seen, never compact or
// reuse consumed input, and recycle only untouched tails). So a string
// made here is immutable, as Go promises, and may be kept forever.

// unsafeString returns a string that shares b's memory.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
