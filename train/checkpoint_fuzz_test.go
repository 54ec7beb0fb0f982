package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report/results"
)

// fuzzData is the small problem of FuzzCheckpoint: 16 examples of 4 features, 3 classes.
func fuzzData() Data {
	rng := rand.New(rand.NewPCG(5, 5))
	set := func(n int) *data.Dense {
		x := make([]float32, n*4)
		y := make([]int, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = i % 3
		}
		return data.NewDense(x, y, 4)
	}
	return Data{Train: set(16), Eval: set(8)}
}

// fuzzConfig is the run of FuzzCheckpoint: a linear model, Adam with a step schedule, two
// epochs of 4 batches.
func fuzzConfig(t testing.TB) Config {
	sched, err := lr.ParseSpec("step:1:0.5")
	if err != nil {
		t.Fatal(err)
	}
	return Config{Model: "linear", Optimizer: "adam", Epochs: 2, BatchSize: 4, Seed: 3, LogEvery: 3, Schedule: sched}
}

// fuzzSeeds returns checkpoints of the run of fuzzConfig: interrupted in epoch 1, at the
// end of epoch 1, at the end of the run.
func fuzzSeeds(t testing.TB) [][]byte {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint")
	var seeds [][]byte
	save := func() {
		b, err := os.ReadFile(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{n: 1, cancel: cancel}
	r, err := New("run", fuzzConfig(t), fuzzData())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Train(ctx, Output{Results: results.NewWriter(w), Checkpoint: ckpt}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	r.Close()
	save()
	r, _ = New("run", fuzzConfig(t), fuzzData())
	defer r.Close()
	_, err = r.Train(context.Background(), Output{Results: results.NewWriter(io.Discard), Checkpoint: ckpt,
		OnEpoch: func(e Epoch) {
			if e.Epoch == 1 {
				save()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	save()
	return seeds
}

// withChecksum returns b with its last 32 bytes replaced by the SHA-256 of the rest, so
// that the fuzzer's changes reach the sections behind the checksum.
func withChecksum(b []byte) []byte {
	if len(b) < sha256.Size {
		return b
	}
	c := bytes.Clone(b)
	sum := sha256.Sum256(c[:len(c)-sha256.Size])
	copy(c[len(c)-sha256.Size:], sum[:])
	return c
}

// FuzzCheckpoint reads arbitrary bytes as a checkpoint, as given and with a valid
// checksum: reading never panics, every refusal is a *CheckpointError, what Resume accepts
// ReadCheckpointInfo describes alike, and a run resumed from it trains to its end (or
// refuses to, having ended) without panicking. Run it with
//
//	go test -run XXX -fuzz FuzzCheckpoint -fuzzminimizetime 0 ./train
//
// (minimising each new input as large as a checkpoint takes the fuzzer minutes).
func FuzzCheckpoint(f *testing.F) {
	seeds := fuzzSeeds(f)
	for _, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, file := range [][]byte{b, withChecksum(b)} {
			info, ierr := checkpointInfo("fuzz", file)
			r, err := New("run", fuzzConfig(t), fuzzData())
			if err != nil {
				t.Fatal(err)
			}
			err = r.resume("fuzz", file)
			if err != nil {
				if !errors.As(err, new(*CheckpointError)) {
					t.Errorf("Resume: %v is not a *CheckpointError", err)
				}
				r.Close()
				continue
			}
			switch {
			case ierr != nil:
				t.Errorf("Resume accepts a checkpoint ReadCheckpointInfo refuses: %v", ierr)
			case info.Epoch != r.Epochs() || info.Step != r.pos.Step || info.Status != string(r.pos.Status):
				t.Errorf("ReadCheckpointInfo says epoch %d step %d %q, Resume %d %d %q",
					info.Epoch, info.Step, info.Status, r.Epochs(), r.pos.Step, r.pos.Status)
			}
			res, err := r.Train(context.Background(), Output{Results: results.NewWriter(io.Discard)})
			if err == nil && res.Epochs != fuzzConfig(t).Epochs && res.Status != results.StatusDiverged {
				t.Errorf("a resumed run ended after %d epochs of %d: %+v", res.Epochs, fuzzConfig(t).Epochs, res)
			}
			r.Close()
		}
	})
}

// TestCheckpointSeeds checks that the seeds of FuzzCheckpoint are accepted: the fuzz
// target's checks are not all made on refusals.
func TestCheckpointSeeds(t *testing.T) {
	for i, s := range fuzzSeeds(t) {
		r, _ := New("run", fuzzConfig(t), fuzzData())
		if err := r.resume("seed", s); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
		r.Close()
	}
}
