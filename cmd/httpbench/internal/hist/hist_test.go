package hist

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// exactQuantile is the nearest-rank quantile of sorted values, the
// definition Quantile approximates.
func exactQuantile(sorted []int64, q float64) int64 {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// withinPrecision reports whether got is as close to want as the package
// documentation promises: exact below 256, else within want/256.
func withinPrecision(got, want int64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	if want < exactLimit {
		return d == 0
	}
	return float64(d) <= float64(want)/256
}

var quantiles = []float64{0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999}

func TestQuantilesOfKnownDistributions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() int64{
		"constant 100µs":  func() int64 { return 100_000 },
		"small exact":     func() int64 { return r.Int64N(300) },
		"uniform 1ns-1s":  func() int64 { return 1 + r.Int64N(1e9) },
		"exponential 1ms": func() int64 { return int64(r.ExpFloat64() * 1e6) },
		// A log-normal spans several powers of two, like real latencies.
		"log-normal": func() int64 { return int64(math.Exp(12 + 1.5*r.NormFloat64())) },
		// Two modes far apart: a fast path and a stall.
		"bimodal": func() int64 {
			if r.IntN(100) == 0 {
				return 40e6 + r.Int64N(1e6)
			}
			return 50e3 + r.Int64N(10e3)
		},
	}
	for name, next := range dists {
		t.Run(name, func(t *testing.T) {
			var h Histogram
			vals := make([]int64, 200_000)
			for i := range vals {
				vals[i] = next()
				h.Record(vals[i])
			}
			slices.Sort(vals)
			for _, q := range quantiles {
				want := exactQuantile(vals, q)
				if got := h.Quantile(q); !withinPrecision(got, want) {
					t.Errorf("Quantile(%v) = %d, want %d ± %.2f%%", q, got, want, 100.0/256)
				}
			}
			if h.Min() != vals[0] || h.Max() != vals[len(vals)-1] {
				t.Errorf("Min, Max = %d, %d; want %d, %d", h.Min(), h.Max(), vals[0], vals[len(vals)-1])
			}
			if h.Quantile(1) != h.Max() || h.Quantile(0) != h.Min() {
				t.Errorf("Quantile(1), Quantile(0) = %d, %d; want Max, Min", h.Quantile(1), h.Quantile(0))
			}
			var sum float64
			for _, v := range vals {
				sum += float64(v)
			}
			if mean := sum / float64(len(vals)); math.Abs(h.Mean()-mean) > 1e-9*mean {
				t.Errorf("Mean = %v, want %v", h.Mean(), mean)
			}
		})
	}
}

// TestEveryValueInItsBucket checks index and bounds against each other
// across the whole range, including every bucket boundary.
func TestEveryValueInItsBucket(t *testing.T) {
	check := func(v int64) {
		i := index(v)
		lo, w := bounds(i)
		if v < lo || v >= lo+w || i < 0 || i >= Buckets {
			t.Fatalf("value %d: bucket %d covers [%d, %d)", v, i, lo, lo+w)
		}
		if v >= exactLimit && float64(w) > float64(lo)/subCount {
			t.Fatalf("value %d: bucket width %d exceeds 1/%d of %d", v, w, subCount, lo)
		}
	}
	for v := int64(0); v < 1<<14; v++ {
		check(v)
	}
	for b := 14; b <= maxBits; b++ {
		p := int64(1) << b
		for _, v := range []int64{p - 2, p - 1, p, p + 1} {
			if v <= MaxValue {
				check(v)
			}
		}
	}
	// Buckets are contiguous: each starts where the previous ends.
	prevLo, prevW := bounds(0)
	for i := 1; i < Buckets; i++ {
		lo, w := bounds(i)
		if lo != prevLo+prevW {
			t.Fatalf("bucket %d starts at %d, previous ends at %d", i, lo, prevLo+prevW)
		}
		prevLo, prevW = lo, w
	}
	if prevLo+prevW-1 != MaxValue {
		t.Fatalf("top bucket ends at %d, want MaxValue %d", prevLo+prevW-1, MaxValue)
	}
}

func TestOutOfRangeValues(t *testing.T) {
	var h Histogram
	h.Record(-5)
	h.Record(math.MaxInt64)
	if h.Min() != 0 || h.Max() != math.MaxInt64 || h.Count() != 2 {
		t.Fatalf("Min, Max, Count = %d, %d, %d", h.Min(), h.Max(), h.Count())
	}
	if q := h.Quantile(0.5); q != 0 {
		t.Errorf("median of {0, huge} = %d, want 0", q)
	}
	if q := h.Quantile(0.99); q < MaxValue/2 {
		t.Errorf("p99 of {0, huge} = %d, want the top bucket", q)
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a, b, all Histogram
	for i := 0; i < 50_000; i++ {
		v := int64(r.ExpFloat64() * 5e5)
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	m.Merge(new(Histogram)) // merging an empty histogram changes nothing
	if m != all {
		t.Fatal("merged histogram differs from one that recorded every value")
	}
}

func TestEmpty(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Mean() != 0 || h.Count() != 0 {
		t.Fatal("empty histogram reports values")
	}
}

// TestBoundedMemory: the histogram is one fixed-size value, and recording
// millions of values allocates nothing.
func TestBoundedMemory(t *testing.T) {
	if size := unsafe.Sizeof(Histogram{}); size > 40<<10 {
		t.Fatalf("Histogram is %d bytes, want at most 40 KiB", size)
	}
	h := new(Histogram)
	v := int64(1)
	allocs := testing.AllocsPerRun(5, func() {
		for i := 0; i < 1_000_000; i++ {
			v = v*6364136223846793005 + 1442695040888963407
			h.Record(v & (1<<40 - 1))
		}
	})
	if allocs != 0 {
		t.Fatalf("Record allocated %v times per million values", allocs)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(int64(i&0xffff) * 977)
	}
}

func BenchmarkQuantile(b *testing.B) {
	var h Histogram
	for i := 0; i < 100_000; i++ {
		h.Record(int64(i) * 1000)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.Quantile(0.99)
	}
}
