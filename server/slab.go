package server

// Slab sizes: a request slab is about 13 KiB, a header slab 8 KiB.
const (
	requestsPerSlab = 64
	headersPerSlab  = 256
)

// requestSlab hands out Requests and header lists carved from larger
// allocations, so that a request costs a fraction of an allocation. A
// piece is handed out once and never reused: the collector frees a slab
// when nothing refers to any of its pieces. A slab belongs to one server,
// and so to one loop: no locking.
type requestSlab struct {
	reqs []Request
	hdrs []Header
	nreq int // reqs[nreq:] are still to be handed out
	nhdr int // hdrs[nhdr:] likewise
}

func (s *requestSlab) request() *Request {
	if s.nreq == len(s.reqs) {
		s.reqs, s.nreq = make([]Request, requestsPerSlab), 0
	}
	r := &s.reqs[s.nreq]
	s.nreq++
	return r
}

// headers returns a list of n fields whose capacity is n, so that a
// handler's append copies instead of writing into the next request's.
func (s *requestSlab) headers(n int) Headers {
	if n > len(s.hdrs)-s.nhdr {
		if n > headersPerSlab/4 {
			return make(Headers, n)
		}
		s.hdrs, s.nhdr = make([]Header, headersPerSlab), 0
	}
	h := s.hdrs[s.nhdr : s.nhdr+n : s.nhdr+n]
	s.nhdr += n
	return h
}
