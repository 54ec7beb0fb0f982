package progress_test

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/descent-ml/descent/internal/progress"
)

// A training loop reports each batch and each epoch. On a writer that is not a terminal
// the display prints lines; on stderr in a terminal it draws a bar.
func Example() {
	var out strings.Builder // os.Stderr in a command
	d := progress.New(progress.Config{Out: &out})
	run := d.Start("adam", 2, 0)
	for e := 1; e <= 2; e++ {
		for range 100 {
			run.Step(64, 0.5/float64(e)) // every batch: no allocation, no output
		}
		run.Epoch(progress.EpochStats{Epoch: e, TrainLoss: 0.5 / float64(e), TestLoss: 0.6 / float64(e),
			TestAccuracy: 0.9 + 0.03*float64(e), Seconds: math.NaN()})
	}
	run.Done()
	d.Close()
	// Timings vary from run to run: hide them.
	s := regexp.MustCompile(`  [0-9.]+[kM]? samples/s`).ReplaceAllString(out.String(), "")
	fmt.Print(regexp.MustCompile(` after .*`).ReplaceAllString(s, " after …"))
	// Output:
	// adam: epoch 1/2 done  train loss 0.5  test loss 0.6  test acc 93.00%
	// adam: epoch 2/2 done  train loss 0.25  test loss 0.3  test acc 96.00%
	// adam: done after …
}
