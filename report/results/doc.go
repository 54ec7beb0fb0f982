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
