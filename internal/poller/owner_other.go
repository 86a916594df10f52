//go:build !linux

package poller

import "runtime"

// callerID identifies the calling goroutine by the number runtime.Stack
// prints in its first line ("goroutine 18 [running]:"). macOS and the BSDs
// have no thread identity in golang.org/x/sys without cgo or deprecated
// raw system calls; a goroutine's number serves as well, because the loop's
// goroutine is the only one on its thread (about 1 µs a call).
func callerID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return -1
	}
	var id int64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}
