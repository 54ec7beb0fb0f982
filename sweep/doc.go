// Package sweep runs the trials of a sweep (or of a comparison) on the schedulers that
// clusters have, not on one of its own: the trials are written down as a [Plan], the
// tasks of a Slurm job array or the pods of a Kubernetes Indexed Job each train a
// [Shard] of them against a shared folder, and [Collect] gathers their results into the
// run folder a local descent sweep would have written.
//
//	descent sweep --grid lr=1e-4:1e-1:7 --model logreg --plan DIR   # plan.json, run.json
//	descent sweep run DIR --shard 0/2 & descent sweep run DIR --shard 1/2
//	descent sweep collect DIR                                       # results.jsonl, report.html
//
// # The plan folder
//
//	DIR/plan.json                  the Plan: command line, threads, data, trials
//	DIR/run.json                   the run folder's train.Meta, for the report
//	DIR/trials/ID/.lock            the trial's lock (internal/runlock), while it trains
//	DIR/trials/ID/checkpoint.ckpt  after every epoch, and when interrupted
//	DIR/trials/ID/records.jsonl    the records of every attempt, appended
//	DIR/trials/ID/result.json      its records, once it has ended (done or diverged)
//	DIR/trials/ID/failed.json      the error its training last stopped on
//	DIR/results.jsonl, summary.csv, report.html, figures: from Collect and train.WriteReport
//
// A trial's ID is a SHA-256 of its configuration, seed and data ([TrialID]). A task
// rebuilds the trials from the plan's command line, as the command would have, and
// [Plan.Check] refuses a plan whose trials are not what its command line makes (edited by
// hand, or another version of descent). A plan file of another format version is refused.
// [WritePlan] never replaces a plan by another one.
//
// # Running a shard
//
// [Runner.Run] trains the trials of a shard, on data loaded once for all of them, each
// under its lock: a trial with a result is skipped; a trial with a checkpoint is resumed
// from it, bit for bit, as descent train --resume does; a trial another process holds is
// waited for, until that process ends it or dies. A process killed with SIGKILL leaves
// its lock stale (at once on its own machine, after runlock's StaleAfter on another), and
// the next task to reach the trial resumes it from its last epoch. So a trial is trained
// to its end once, and its result is written once, atomically and durably (the file and
// its folder are synced; [ResultError] refuses a damaged one, and it is never
// overwritten): a result carries the SHA-256 of the plan it was trained for, and a plan
// changed since is refused. A trial's records are synced before each of its checkpoints,
// so that a trial resumed after a crash of the machine has every record up to its
// checkpoint.
//
// Trials give the results they give in a local sweep when trained with the same number
// of threads (GOMAXPROCS), which the plan records: the records of a trial are those of
// the same trial of descent sweep but for their times.
//
// # Shards
//
// Shard I of N holds the trials whose index in the plan is I modulo N. [ShardFromEnv]
// reads it from a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job's pod
// (JOB_COMPLETION_INDEX). [WriteSlurm] writes the sbatch script of a job array, several
// trials a task; package sweep/kube makes the Indexed Job.
package sweep
