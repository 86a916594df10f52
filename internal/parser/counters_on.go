//go:build parsercount

package parser

// counters, counting (see counters.go).
type counters struct{ bytes, handed int }

const counting = true

func (c *counters) examined(n int) { c.bytes += n }
func (c *counters) handedOff()     { c.handed++ }
func (c *counters) work() int      { return c.bytes }
func (c *counters) handOffs() int  { return c.handed }
