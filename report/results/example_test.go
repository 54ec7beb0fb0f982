package results_test

import (
	"bytes"
	"fmt"
	"math"

	"github.com/descent-ml/descent/report/results"
)

// A training loop writes a record per logged step and per epoch, and an end record; the
// plots are rebuilt later from the file.
func Example() {
	var file bytes.Buffer // results.Create("out/results.jsonl") in a real run
	w := results.NewWriter(&file)
	metrics := make([]results.Metric, 2) // reused: writing does not allocate
	for step := 1; step <= 3; step++ {
		loss := 2.3 / float64(step)
		if step == 3 {
			loss = math.NaN()
		}
		metrics[0] = results.Metric{Name: results.TrainLoss, Value: loss}
		metrics[1] = results.Metric{Name: results.LR, Value: 0.1}
		w.Write(results.Record{Run: "sgd", Seed: 1, Kind: results.KindStep, Step: step, Epoch: 1,
			Seconds: 0.5 * float64(step), Metrics: metrics})
	}
	w.Write(results.Record{Run: "sgd", Seed: 1, Kind: results.KindEnd, Step: 3, Epoch: 1, Seconds: 1.5,
		Status: results.StatusDiverged, Note: "train_loss = NaN"})
	w.Close()
	fmt.Print(file.String())

	recs, err := results.Read(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, run := range results.Runs(recs) {
		last := run.Steps[len(run.Steps)-1]
		loss, _ := last.Metric(results.TrainLoss)
		fmt.Printf("%s seed %d: %d steps, %s, last loss %v\n", run.Name, run.Seed, len(run.Steps), run.Status(), loss)
	}
	// Output:
	// {"run":"sgd","seed":1,"kind":"step","step":1,"epoch":1,"seconds":0.5,"train_loss":2.3,"lr":0.1}
	// {"run":"sgd","seed":1,"kind":"step","step":2,"epoch":1,"seconds":1,"train_loss":1.15,"lr":0.1}
	// {"run":"sgd","seed":1,"kind":"step","step":3,"epoch":1,"seconds":1.5,"train_loss":"NaN","lr":0.1}
	// {"run":"sgd","seed":1,"kind":"end","step":3,"epoch":1,"seconds":1.5,"status":"diverged","note":"train_loss = NaN"}
	// sgd seed 1: 3 steps, diverged, last loss NaN
}
