//go:build !parsercount

package parser

// counters count the parser's work for tests that prove it linear (bytes
// examined) and that the usual head takes the fast path (hand-offs). In
// production builds they are empty and their methods do nothing: the
// calls compile away. Built with -tags parsercount (make test does, for
// this package), they count; see counters_on.go.
type counters struct{}

// counting reports whether the build counts.
const counting = false

func (*counters) examined(int) {}
func (*counters) handedOff()   {}
func (*counters) work() int    { return 0 }
func (*counters) handOffs() int {
	return 0
}
