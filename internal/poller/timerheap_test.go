package poller

import (
	"container/heap"
	"math/rand"
	"strconv"
	"testing"
)

// BenchmarkTimerHeap is the evidence for the 4-ary timer heap (timer.go):
// the same operations on the same *Timer values and deadlines, in a heap of
// n scheduled timers (a server has one per connection):
//
//	go test -run '^$' -bench BenchmarkTimerHeap -benchmem -count 10 ./internal/poller > /tmp/heap.bench
//	benchstat -col /impl /tmp/heap.bench
//
// The heaps compared:
//
//   - impl=4ary: the loop's timerHeap;
//   - impl=2ary: the same code with two children per node (binaryHeap
//     below), which isolates the arity;
//   - impl=container: container/heap's binary heap, the standard library's
//     answer, which also pays an interface call per comparison and swap.
//
// The operations, each of which leaves n timers in the heap:
//
//   - op=push-pop: schedule a timer, then take the earliest (a timer added,
//     one firing);
//   - op=remove-push: cancel a random timer, then schedule it again (Stop,
//     then AddTimer);
//   - op=fix: move a random timer to a new deadline (Reset of a pending
//     timer, as a connection moves its deadline).
func BenchmarkTimerHeap(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	deadlines := make([]int64, 1<<16)
	for i := range deadlines {
		deadlines[i] = rng.Int63n(1 << 40)
	}
	picks := make([]int, 1<<16)
	for i := range picks {
		picks[i] = rng.Int()
	}
	impls := []struct {
		name string
		make func() timerOps
	}{
		{"4ary", func() timerOps { return &fourAry{} }},
		{"2ary", func() timerOps { return &binaryHeap{} }},
		{"container", func() timerOps { return &containerHeap{} }},
	}
	for _, op := range []string{"push-pop", "remove-push", "fix"} {
		for _, n := range []int{1_000, 10_000, 100_000} {
			for _, im := range impls {
				b.Run("op="+op+"/n="+strconv.Itoa(n)+"/impl="+im.name, func(b *testing.B) {
					h := im.make()
					timers := make([]*Timer, n)
					for i := range timers {
						timers[i] = &Timer{index: notScheduled, when: deadlines[i&(len(deadlines)-1)]}
						h.push(timers[i])
					}
					spare := &Timer{index: notScheduled}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						d := deadlines[i&(len(deadlines)-1)]
						switch op {
						case "push-pop":
							spare.when = d
							h.push(spare)
							spare = h.pop()
						case "remove-push":
							t := timers[picks[i&(len(picks)-1)]%n]
							h.remove(t.index)
							t.when = d
							h.push(t)
						case "fix":
							t := timers[picks[i&(len(picks)-1)]%n]
							t.when = d
							h.fix(t.index)
						}
					}
					b.StopTimer()
					if h.len() != n {
						b.Fatalf("heap holds %d timers, want %d", h.len(), n)
					}
				})
			}
		}
	}
}

// timerOps is what the benchmark does to a heap of timers.
type timerOps interface {
	push(t *Timer)
	pop() *Timer
	remove(i int)
	fix(i int)
	len() int
}

// fourAry is the loop's own heap.
type fourAry struct{ h timerHeap }

func (f *fourAry) push(t *Timer) { f.h.push(t) }
func (f *fourAry) pop() *Timer {
	t := f.h[0]
	f.h.remove(0)
	return t
}
func (f *fourAry) remove(i int) { f.h.remove(i) }
func (f *fourAry) fix(i int)    { f.h.fix(i) }
func (f *fourAry) len() int     { return len(f.h) }

// binaryHeap is timerHeap's code with two children per node instead of
// four: the same comparisons and moves, a tree twice as deep.
type binaryHeap struct{ h []*Timer }

func (b *binaryHeap) len() int { return len(b.h) }

func (b *binaryHeap) push(t *Timer) {
	b.h = append(b.h, t)
	t.index = len(b.h) - 1
	b.up(t.index)
}

func (b *binaryHeap) pop() *Timer {
	t := b.h[0]
	b.remove(0)
	return t
}

func (b *binaryHeap) remove(i int) {
	s := b.h
	last := len(s) - 1
	s[i].index = notScheduled
	if i != last {
		s[i] = s[last]
		s[i].index = i
	}
	s[last] = nil
	b.h = s[:last]
	if i != last {
		b.fix(i)
	}
}

func (b *binaryHeap) fix(i int) {
	if !b.up(i) {
		b.down(i)
	}
}

func (b *binaryHeap) up(i int) bool {
	h := b.h
	t := h[i]
	start := i
	for i > 0 {
		p := (i - 1) / 2
		if h[p].when <= t.when {
			break
		}
		h[i] = h[p]
		h[i].index = i
		i = p
	}
	h[i] = t
	t.index = i
	return i != start
}

func (b *binaryHeap) down(i int) {
	h := b.h
	t := h[i]
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].when < h[c].when {
			c++
		}
		if t.when <= h[c].when {
			break
		}
		h[i] = h[c]
		h[i].index = i
		i = c
	}
	h[i] = t
	t.index = i
}

// containerHeap is container/heap over the same timers.
type containerHeap struct{ h timerSlice }

func (c *containerHeap) push(t *Timer) { heap.Push(&c.h, t) }
func (c *containerHeap) pop() *Timer   { return heap.Pop(&c.h).(*Timer) }
func (c *containerHeap) remove(i int)  { heap.Remove(&c.h, i) }
func (c *containerHeap) fix(i int)     { heap.Fix(&c.h, i) }
func (c *containerHeap) len() int      { return len(c.h) }

// timerSlice implements heap.Interface, keeping each timer's index.
type timerSlice []*Timer

func (s timerSlice) Len() int           { return len(s) }
func (s timerSlice) Less(i, j int) bool { return s[i].when < s[j].when }
func (s timerSlice) Swap(i, j int) {
	s[i], s[j] = s[j], s[i]
	s[i].index = i
	s[j].index = j
}

func (s *timerSlice) Push(x any) {
	t := x.(*Timer)
	t.index = len(*s)
	*s = append(*s, t)
}

func (s *timerSlice) Pop() any {
	old := *s
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = notScheduled
	*s = old[:len(old)-1]
	return t
}
