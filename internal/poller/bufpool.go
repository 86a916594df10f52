package poller

// BufferSize is the size of the I/O buffers a loop lends out. 16 KiB holds
// a typical request head many times over, and a 16-deep pipeline of
// benchmark requests in one read.
const BufferSize = 16 << 10

// maxFreeBuffers bounds how many idle buffers a loop keeps (4 MiB): beyond
// that, returned buffers go to the garbage collector.
const maxFreeBuffers = 256

// bufPool is a LIFO free list of BufferSize buffers. LIFO hands out the
// buffer returned last, still warm in the cache; the pool is the loop's
// own, so it needs no locking (unlike sync.Pool).
type bufPool struct {
	free [][]byte
}

// GetBuffer lends a buffer of length 0 and capacity BufferSize.
func (l *Loop) GetBuffer() []byte {
	p := &l.bufs
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return b
	}
	return make([]byte, 0, BufferSize)
}

// PutBuffer returns a buffer obtained from GetBuffer. Buffers that have
// grown to another size are left to the garbage collector. The caller must
// not use b afterwards.
func (l *Loop) PutBuffer(b []byte) {
	p := &l.bufs
	if cap(b) != BufferSize || len(p.free) >= maxFreeBuffers {
		return
	}
	p.free = append(p.free, b[:0])
}
