// Package hist is a latency histogram with bounded memory: log-linear
// buckets in the manner of HdrHistogram, sized once and never grown, so
// that recording costs a few instructions and no allocation however many
// values a run records.
//
// # Precision
//
// Values are non-negative integers (httpbench records nanoseconds). Values
// below 256 have a bucket each and are exact. Above that, every power of
// two is split into 128 equal buckets, so a bucket is at most 1/128 of its
// lower bound wide; a quantile is reported as the middle of its bucket,
// which is within 1/256 (0.39 %) of the recorded value it stands for.
// Values of 2^44 and more (about 4.9 hours in nanoseconds) share the top
// bucket; Min and Max are kept exactly.
//
// In nanoseconds that is far finer than the 1 µs / 1 % a load generator
// needs, at a fixed cost of 4,864 counters (38 KiB) per histogram.
package hist

import (
	"math"
	"math/bits"
)

const (
	// subBits is log2 of the buckets per power of two: 128 buckets give
	// a relative bucket width of at most 1/128.
	subBits  = 7
	subCount = 1 << subBits
	// exactLimit is where the buckets stop being one unit wide: below it
	// every value has its own bucket.
	exactLimit = 2 * subCount
	// maxBits bounds the values with buckets of their own: 2^44 ns is
	// about 4.9 hours, beyond any sane request latency.
	maxBits = 44
	// Buckets is the number of counters a Histogram holds.
	Buckets = subCount * (maxBits - subBits + 1)
	// MaxValue is the largest value with a bucket of its own; larger
	// values are counted in the top bucket.
	MaxValue = 1<<maxBits - 1
)

// Histogram counts values in log-linear buckets. The zero value is an empty
// histogram ready to use. It is not safe for concurrent use: httpbench
// keeps one per event loop and merges them at the end.
type Histogram struct {
	counts [Buckets]uint64
	n      uint64
	sum    float64 // for Mean; float so that it cannot overflow
	min    int64
	max    int64
}

// index returns the bucket of v, which must be in [0, MaxValue].
func index(v int64) int {
	if v < exactLimit {
		return int(v)
	}
	// v has subBits+1+g significant bits; its top subBits+1 bits, v>>g,
	// lie in [subCount, 2*subCount) and pick the bucket within group g.
	g := bits.Len64(uint64(v)) - (subBits + 1)
	return g*subCount + int(v>>g)
}

// bounds returns the smallest value of bucket i and the bucket's width.
func bounds(i int) (lo, width int64) {
	if i < exactLimit {
		return int64(i), 1
	}
	g := i/subCount - 1
	return int64(i-g*subCount) << g, 1 << g
}

// Record counts one value. Negative values count as 0 (a clock that
// steps backwards must not corrupt the histogram).
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
	h.counts[index(min(v, MaxValue))]++
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min returns the smallest value recorded, exactly (0 if none).
func (h *Histogram) Min() int64 { return h.min }

// Max returns the largest value recorded, exactly (0 if none).
func (h *Histogram) Max() int64 { return h.max }

// Mean returns the arithmetic mean of the recorded values (0 if none).
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Quantile returns the value below or at which a fraction q of the
// recorded values lie: the value of nearest rank ceil(q·Count), to within
// the precision in the package documentation. Quantile(1) is Max exactly;
// Quantile(0) is Min. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	switch {
	case !(q > 0): // also NaN
		return h.min
	case q >= 1:
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			lo, width := bounds(i)
			// The middle of the bucket halves the worst-case error; the
			// exact extremes are better still when they fall inside it.
			return min(max(lo+(width-1)/2, h.min), h.max)
		}
	}
	return h.max // unreachable: the counts sum to n
}
