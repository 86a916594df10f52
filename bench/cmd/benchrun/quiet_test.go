package main

import (
	"context"
	"testing"
	"time"

	"asynchttpserver.dev/bench/internal/report"
)

func TestQuietGateRepeat(t *testing.T) {
	q := &quietGate{maxOther: 0.25}
	noisy, quiet := report.Run{OtherCPU: 0.5}, report.Run{OtherCPU: 0.1}
	if q.repeat(quiet, 0, time.Second) {
		t.Error("repeat of a quiet run")
	}
	if !q.repeat(noisy, 0, time.Second) || !q.repeat(noisy, 1, time.Second) {
		t.Error("no repeat of a noisy run")
	}
	if q.repeat(noisy, quietRepeats, time.Second) {
		t.Error("repeat beyond quietRepeats")
	}
	if q.repeat(noisy, 0, quietBudget) {
		t.Error("repeat beyond the budget")
	}
	if q.repeats != 2 || q.spent != 2*time.Second {
		t.Errorf("repeats %d, spent %v; want 2, 2s", q.repeats, q.spent)
	}
	var off *quietGate
	if off.repeat(noisy, 0, time.Second) || off.waitQuiet(context.Background()) != nil {
		t.Error("a nil gate must do nothing")
	}
}

func TestMachineBusy(t *testing.T) {
	busy, err := machineBusy(context.Background(), 20*time.Millisecond)
	if err != nil || busy < 0 {
		t.Errorf("machineBusy = %v, %v", busy, err)
	}
}
