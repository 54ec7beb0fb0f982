// Package results writes and reads the result files of a training run: results.jsonl, one
// JSON record per logged step, per epoch and per finished run.
//
// # Format
//
// Each line of results.jsonl is one JSON object with, in this order, the fixed keys
//
//	run      the run's name, e.g. "adam" (string)
//	seed     the seed of the run (integer); records that share run and differ in seed are repeats
//	kind     "step", "epoch" or "end" (string)
//	step     optimiser steps taken so far (integer)
//	epoch    epochs completed (epoch and end records) or the current epoch, from 1 (step records)
//	seconds  wall-clock seconds of the training loop so far (number)
//	status   end records only: "done", "diverged" or "interrupted"
//	note     end records only, optional: why the run ended, e.g. "train_loss = NaN"
//
// followed by the record's metrics as name: value pairs in the order they were given, e.g.
//
//	{"run":"adam","seed":1,"kind":"epoch","step":469,"epoch":1,"seconds":2.41,"train_loss":0.3012,"test_accuracy":0.9214}
//
// JSON has no NaN or infinity: a non-finite metric is written as the string "NaN", "+Inf" or
// "-Inf", which [Read] turns back into the float64 value. Everything else is plain JSON that
// jq, pandas.read_json(lines=True) or a spreadsheet import can read.
//
// # Values
//
// What a reader accepts is what a run writes, and [Read] refuses anything else with a
// [*SyntaxError] naming the file, the line and the key:
//
//   - seed is an integer; step and epoch are integers ≥ 0; seconds is a finite number ≥ 0.
//   - A metric is a JSON number within the float64 range (1e999 is refused, not read as
//     +Inf), or one of the strings "NaN", "+Inf", "-Inf" in a run that diverged: a record
//     of a run whose next end record says "diverged". A training loop stops a run at its
//     first non-finite loss and ends it "diverged", so a "NaN" in a run that ended "done" or
//     "interrupted" was not written by one: it is refused, not shown as a missing value. A
//     run with no end record yet (its process was killed) keeps such values.
//   - No key is ever null; status and note appear on end records only, and status is one of
//     "done", "diverged" and "interrupted".
//
// [Writer.Write] panics on a record whose step, epoch or seconds break these rules (a bug of
// the program that builds it); it writes any metric value.
//
// # Crashes and interrupts
//
// [Writer] hands each record to the file in one write call, so a record that was written
// survives a crash, a SIGKILL or Ctrl-C of the process (it sits in the kernel's page cache);
// [Writer.Sync] also makes it survive a power cut. [Read] accepts the file of a run killed
// mid-write: an incomplete last line, with no newline, is dropped.
//
// # Names
//
// Metric names are free, except the fixed keys above; the constants [TrainLoss],
// [TestLoss], [TestAccuracy], [LR] and the others name the metrics that descent's own
// commands log, so that the plots of package report find them.
package results
