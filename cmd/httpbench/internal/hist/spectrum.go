package hist

import "math"

// The layout of a Histogram is HdrHistogram's with 256 sub-buckets (what
// HdrHistogram picks for two significant digits): bucket 0 holds 0 to 255
// one unit apart, and bucket k ≥ 1 the values from 128·2^k to 256·2^k − 1
// in 128 steps of 2^k. These constants let an export describe the layout
// in HdrHistogram's own words.
const (
	// HdrBuckets is HdrHistogram's bucketCount for this layout.
	HdrBuckets = maxBits - subBits
	// HdrSubBuckets is HdrHistogram's subBucketCount for this layout.
	HdrSubBuckets = 2 * subCount
)

// Step is one line of a percentile spectrum: at least Percentile of the
// values (a fraction, 0 to 1) are at or below Value, and Count values are
// at or below it.
type Step struct {
	Value      int64
	Percentile float64
	Count      uint64
}

// Spectrum returns the percentile distribution HdrHistogram's
// outputPercentileDistribution prints, step for step: percentile levels
// that close half the remaining distance to 100 % in ticksPerHalf steps
// each (0, 10, 20, ... 50, 55, ... 75, 77.5, ... for 5 ticks), each
// reported at the first bucket that reaches it, then a last step at 100 %.
// Like HdrHistogram, a step's value is the highest value its bucket
// stands for, so a plotter draws the same staircase from our file as from
// HdrHistogram's; unlike it, no value exceeds the exact maximum. An
// empty histogram has no steps.
func (h *Histogram) Spectrum(ticksPerHalf int) []Step {
	if h.n == 0 {
		return nil
	}
	ticksPerHalf = max(ticksPerHalf, 1)
	var steps []Step
	var seen uint64
	level := 0.0 // the next percentile level to report, in per cent
	last := 0
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		seen += c
		last = i
		// HdrHistogram reports one step per call while values remain
		// beyond this bucket, and only one more (before the 100 % step)
		// once this bucket holds the last of them.
		for 100*float64(seen)/float64(h.n) >= level {
			steps = append(steps, Step{h.top(i), level / 100, seen})
			level = nextLevel(level, ticksPerHalf)
			if seen == h.n {
				break
			}
		}
		if seen == h.n {
			break
		}
	}
	return append(steps, Step{h.top(last), 1, h.n})
}

// nextLevel is HdrHistogram's PercentileIterator.incrementIterationLevel:
// the distance to 100 % is cut in halves, each taking ticksPerHalf steps.
func nextLevel(level float64, ticksPerHalf int) float64 {
	halvings := int64(math.Log(100/(100-level))/math.Log(2)) + 1
	ticks := int64(ticksPerHalf) * int64(math.Pow(2, float64(halvings)))
	return level + 100/float64(ticks)
}

// top returns the highest value bucket i stands for (HdrHistogram's
// highestEquivalentValue), but no more than the exact maximum.
func (h *Histogram) top(i int) int64 {
	lo, width := bounds(i)
	return min(lo+width-1, h.max)
}

// StdDev returns the standard deviation of the recorded values, taking
// each at the middle of its bucket as HdrHistogram does (0 if none).
func (h *Histogram) StdDev() float64 {
	if h.n == 0 {
		return 0
	}
	mean := h.Mean()
	var sum float64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, width := bounds(i)
		d := float64(lo+width/2) - mean
		sum += d * d * float64(c)
	}
	return math.Sqrt(sum / float64(h.n))
}
