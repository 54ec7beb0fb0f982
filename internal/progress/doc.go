// Package progress shows the progress of training runs on stderr: a live bar per run when
// stderr is a terminal, plain lines otherwise (a log file, CI, a pipe).
//
// # Use
//
//	d := progress.New(progress.Config{})      // stderr, bars or lines as it suits
//	defer d.Close()
//	run := d.Start("adam", epochs, len(train))
//	for e := 1; e <= epochs; e++ {
//		for each batch {
//			…
//			run.Step(batchSize, loss)         // every batch: a few atomic stores
//		}
//		run.Epoch(progress.EpochStats{Epoch: e, Seconds: s, TrainLoss: tl, TestLoss: vl, TestAccuracy: acc})
//	}
//	run.Done()                                // or run.Fail("diverged at step 412")
//
// # Cost
//
// [Run.Step] does not allocate, lock or print: it adds to atomic counters that a goroutine
// of the [Display] reads every Config.Refresh (150 ms) to redraw the bars with
// github.com/vbauerster/mpb, or every second to print the lines that are due. The training
// loop is never slowed by the terminal. The throughput is smoothed over about 3 seconds and
// the ETA is the samples left divided by it (evaluation time is not counted).
//
// # Lines
//
// When the output is not a terminal ([IsTerminal]), each run prints a line at the end of
// each epoch (at most one a second, [EpochGap], but the first and the last, for runs of
// short epochs), one every Config.Interval (10 s) within a long epoch, and one when it ends:
//
//	adam: epoch 3/10  41%  loss 0.2311  test acc 93.10%  12.3k samples/s  ETA 1m20s
//	adam: epoch 3/10 done in 2.41s  train loss 0.2311  test loss 0.25  test acc 93.10%  12.3k samples/s  ETA 1m20s
//	adam: done after 24.1s
package progress
