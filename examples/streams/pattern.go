// Package streams holds what the streaming measurements share: a
// generator of deterministic bytes, the same for every server measured.
package streams

// Pattern is an endless, deterministic byte stream, cheap to produce: the
// body every streaming server sends, so that a client can check it.
type Pattern struct{ off int64 }

// Read fills b with the next bytes of the pattern.
func (p *Pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 2654435761 >> 13)
	}
	p.off += int64(len(b))
	return len(b), nil
}
