package sweep_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/sweep"
	"github.com/descent-ml/descent/train"
)

// A plan of three trials, trained by two shards one after the other (on a cluster, two
// tasks at once), then collected.
func Example() {
	x := make([]float32, 200*2)
	y := make([]int, 200)
	for i := range y {
		y[i] = i % 2
		x[2*i], x[2*i+1] = float32(y[i])+float32(i%7)/7, float32(i%5)/5
	}
	d := train.Data{Train: data.NewDense(x[:300], y[:150], 2), Eval: data.NewDense(x[300:], y[150:], 2), Val: true}
	axes := []train.Axis{{Key: "lr", Values: []float64{0.01, 0.1, 1}}}
	jobs := train.SweepJobs(train.Config{Model: "linear", Optimizer: "sgd", Epochs: 2, BatchSize: 10, Seed: 1}, axes)

	dir, err := os.MkdirTemp("", "plan")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// The command line and data description are what a task would rebuild the trials from.
	plan, err := sweep.NewPlan("sweep", []string{"--grid", "lr=0.01,0.1,1"}, dir, 1, "two blobs", jobs)
	if err != nil {
		log.Fatal(err)
	}
	if err := sweep.WritePlan(dir, plan); err != nil {
		log.Fatal(err)
	}
	if err := train.WriteMeta(dir, &train.Meta{Command: "sweep", Evaluation: "val", Axes: axes, Trials: train.Grid(axes)}); err != nil {
		log.Fatal(err)
	}
	for i := range 2 {
		shard := sweep.Shard{Index: i, Count: 2}
		r := &sweep.Runner{Dir: dir, Plan: plan, Jobs: jobs, Data: d}
		rep, err := r.Run(context.Background(), shard.Indices(len(plan.Trials)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("shard %s trained %d trials\n", shard, len(rep.Trained))
	}
	c, err := sweep.Collect(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d trials collected into %s\n", c.Done, c.Trials, train.ResultsFile)
	// Output:
	// shard 0/2 trained 2 trials
	// shard 1/2 trained 1 trials
	// 3 of 3 trials collected into results.jsonl
}
