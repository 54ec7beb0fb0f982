package theory

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/descent-ml/descent/data/mnist"
)

// DefaultSeed is the seed of `descent theory` when none is given.
const DefaultSeed = 1

// Config says how Run runs the claims. The zero value runs them at full size with seed 0
// on all cores; the command uses DefaultSeed.
type Config struct {
	// Seed draws every instance: the same seed gives the same instances and figures.
	Seed uint64
	// Quick runs the reduced sizes of the tests.
	Quick bool
	// Workers is the number of claims run at once. If 0, it is runtime.GOMAXPROCS(0).
	// Results do not depend on it.
	Workers int
	// Data holds the shared datasets. If nil, NewData(mnist.Options{}) is used.
	Data *Data
	// Done, if not nil, is called once per claim as it finishes, never concurrently.
	Done func(*Outcome)
}

// Run runs the claims and returns their outcomes in the order given. Claims run Workers
// at a time, except the Exclusive ones (which measure wall-clock time), which run alone
// after the others. A claim that cannot run (missing data, interrupted) has the verdict
// Error; Run itself does not fail.
func Run(ctx context.Context, claims []Claim, cfg Config) []*Outcome {
	if cfg.Data == nil {
		cfg.Data = NewData(mnist.Options{})
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	outs := make([]*Outcome, len(claims))
	var shared, alone []int
	for i, c := range claims {
		if c.Exclusive {
			alone = append(alone, i)
		} else {
			shared = append(shared, i)
		}
	}
	var mu sync.Mutex
	finish := func(i int) {
		o := runOne(ctx, claims[i], cfg)
		mu.Lock()
		outs[i] = o
		if cfg.Done != nil {
			cfg.Done(o)
		}
		mu.Unlock()
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(shared)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				finish(i)
			}
		}()
	}
	for _, i := range shared {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, i := range alone {
		finish(i)
	}
	return outs
}

// claimRand returns the random source of a claim: a PCG keyed by the seed and a hash of the
// claim's ID, so that each claim draws its own instances whatever runs beside it.
func claimRand(seed uint64, id string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, hashString(id)))
}

// hashString returns the 64-bit FNV-1a hash of s, which keys random streams by name.
func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// runOne runs one claim and judges it. A panic in the experiment is reported as an error
// of the claim with its stack, so that one broken experiment does not lose the others.
func runOne(ctx context.Context, c Claim, cfg Config) (o *Outcome) {
	o = &Outcome{Claim: c}
	x := &Experiment{Ctx: ctx, Rand: claimRand(cfg.Seed, c.ID), Seed: cfg.Seed, Quick: cfg.Quick, Data: cfg.Data, out: o}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			o.Err = fmt.Errorf("theory: %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
		o.Elapsed = time.Since(start)
		o.judge()
	}()
	if err := ctx.Err(); err != nil {
		o.Err = err
		return o
	}
	if err := c.Run(x); err != nil {
		o.Err = err
	}
	return o
}
