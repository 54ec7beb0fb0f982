package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/machine"
)

func TestBenchMachineJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"machine", "--json", "--threads", "2", "--time", "20ms", "--triad-mib", "1", "--round-trips", "2"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("bench machine: %v (%s)", err, errOut.String())
	}
	var r struct {
		CPU    string
		Caches struct{ L1, L2 struct{ Size int } }
		Peaks  []struct {
			Kernel  string
			Threads int
			GFLOPS  float64
		} `json:"fma_peak"`
		AtOnce *struct {
			Kernel  string
			Threads int
			GFLOPS  float64
		} `json:"fma_at_once"`
		Triad []struct {
			Threads int
			GBs     float64 `json:"gb_per_s"`
		}
		Trip *struct {
			CPUs     [2]int  `json:"cpus"`
			BestNS   float64 `json:"best_ns"`
			MedianNS float64 `json:"median_ns"`
			WorstNS  float64 `json:"worst_ns"`
			Samples  int     `json:"samples"`
		} `json:"round_trip"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.CPU == "" || r.Caches.L1.Size <= 0 || r.Caches.L2.Size <= 0 {
		t.Errorf("no CPU or caches in %s", out.String())
	}
	if len(r.Peaks) != 2*len(machine.Kernels()) || len(r.Triad) != 2 {
		t.Fatalf("%d peaks and %d triads, want %d and 2: %s", len(r.Peaks), len(r.Triad), 2*len(machine.Kernels()), out.String())
	}
	for i, p := range r.Peaks {
		if p.Kernel != machine.Kernels()[i/2] || p.Threads != []int{1, 2}[i%2] || !(p.GFLOPS > 0) {
			t.Errorf("peak %d = %+v", i, p)
		}
	}
	if a := r.AtOnce; a == nil || a.Kernel != gemm.Kernel() || a.Threads != 2 || !(a.GFLOPS > 0) {
		t.Errorf("fma_at_once = %+v, want the %s loop on 2 threads: %s", a, gemm.Kernel(), out.String())
	}
	for i, b := range r.Triad {
		if b.Threads != i+1 || !(b.GBs > 0) {
			t.Errorf("triad %d = %+v", i, b)
		}
	}
	if r := r.Trip; r == nil || r.CPUs[0] == r.CPUs[1] || r.Samples != 2 || !(0 < r.BestNS && r.BestNS <= r.MedianNS && r.MedianNS <= r.WorstNS) {
		t.Errorf("round_trip = %+v: %s", r, out.String())
	}
	var bad bytes.Buffer
	if err := runBench(context.Background(), []string{"machine", "--time", "0s"}, &out, &bad); !errors.Is(err, errUsage) || !strings.Contains(bad.String(), "descent bench machine: ") {
		t.Errorf("--time 0s: %v, %q; want a usage error", err, bad.String())
	}
	bad.Reset()
	if err := runBench(context.Background(), []string{"machine", "--round-trips", "-1"}, &out, &bad); !errors.Is(err, errUsage) || !strings.Contains(bad.String(), "--round-trips") {
		t.Errorf("--round-trips -1: %v, %q; want a usage error", err, bad.String())
	}
}

func TestBenchConvJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"conv", "--json", "--batch-size", "2", "--reps", "1", "--min-time", "1ms"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("bench conv: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9 (3 passes of conv1, 6 of conv2):\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		var r struct {
			Conv, Pass               string
			Gflops, GemmGflops, Done float64
			PeakGflops               float64 `json:"peak_gflops"`
			PeakFraction             float64 `json:"peak_fraction"`
			GemmShape                string  `json:"gemm_shape"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if r.Conv == "" || r.Pass == "" || !(r.Gflops > 0) || r.GemmShape == "" {
			t.Errorf("line %s", l)
		}
		// The pooled gradients do a quarter of the flops at most (one position of each
		// 2×2 window), and their peak fraction is that of the flops they do.
		pooled := strings.HasSuffix(r.Pass, ", pooled")
		if pooled && !(r.Done > 0 && r.Done <= 0.25) || !pooled && r.Done != 1 {
			t.Errorf("%s %s: done %v", r.Conv, r.Pass, r.Done)
		}
		if want := r.Gflops * r.Done / r.PeakGflops; math.Abs(r.PeakFraction-want) > 0.002+0.002*want {
			t.Errorf("%s %s: peak fraction %v, want %v", r.Conv, r.Pass, r.PeakFraction, want)
		}
	}
}
