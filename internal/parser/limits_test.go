package parser

import (
	"strings"
	"testing"
)

func TestLimitsDefaults(t *testing.T) {
	got := New(Limits{}).Limits()
	want := Limits{MaxHeadBytes: 64 << 10, MaxHeaders: 100, MaxTargetLen: 8 << 10, MaxBody: 8388608}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
	if got := New(Limits{MaxHeadBytes: -1, MaxHeaders: -5}).Limits(); got != want {
		t.Fatalf("negative fields: %+v", got)
	}
	if got := New(Limits{MaxHeadBytes: 1 << 40}).Limits().MaxHeadBytes; got != maxHeadCap {
		t.Fatalf("MaxHeadBytes not capped: %d", got)
	}
	// A zero Parser is not documented as ready, but must not misbehave.
	var p Parser
	var r Head
	if n, err := p.Parse([]byte(wrkRequest), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("zero Parser: n=%d err=%v", n, err)
	}
}

// Parse never looks past MaxHeadBytes, however much the caller has read.
func TestHeadLimitWithBodyBytes(t *testing.T) {
	in := wrkRequest + strings.Repeat("x", 1000)
	p := New(Limits{MaxHeadBytes: len(wrkRequest)})
	var r Head
	if n, err := p.Parse([]byte(in), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("n=%d err=%v", n, err)
	}
}
