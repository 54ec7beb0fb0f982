package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestBenchGemmJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"gemm", "--json", "--threads", "2", "--reps", "1", "--min-time", "1ms", "--shapes", "3x5x7,20x1x2", "--layouts", "NN,TT"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("bench gemm: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(lines), out.String())
	}
	want := []struct {
		m, k, n int
		layout  string
	}{{3, 5, 7, "NN"}, {3, 5, 7, "TT"}, {20, 1, 2, "NN"}, {20, 1, 2, "TT"}}
	for i, l := range lines {
		var r struct {
			M, K, N, Threads int
			Layout           string
			Gflops           float64
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		w := want[i]
		if r.M != w.m || r.K != w.k || r.N != w.n || r.Layout != w.layout || r.Threads != 2 || !(r.Gflops > 0) {
			t.Errorf("line %d = %s, want m=%d k=%d n=%d layout=%s threads=2 and gflops > 0", i, l, w.m, w.k, w.n, w.layout)
		}
	}
}

func TestBenchGemmBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"gemm", "--layouts", "NX"},
		{"gemm", "--shapes", "3x4"},
		{"gemm", "--shapes", "3x0x4"},
		{"gemm", "--threads", "0"},
	} {
		var out, errOut bytes.Buffer
		err := runBench(context.Background(), args, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "descent bench gemm: ") {
			t.Errorf("%v: error %v, stderr %q; want a usage error naming the problem", args, err, errOut.String())
		}
	}
}
