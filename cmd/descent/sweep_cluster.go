package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/idx"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/sweep"
	"github.com/descent-ml/descent/sweep/kube"
	"github.com/descent-ml/descent/train"
)

// This file holds the sweeps that outgrow one machine (package sweep): the --plan of
// sweep and compare, and descent sweep run, status, collect and emit.

// sweepCommands are the subcommands of descent sweep that work on a plan folder.
func sweepCommands() []command {
	return []command{
		{"run", "train the trials of a shard of a plan", runSweepRun},
		{"status", "print the state of each trial of a plan", runSweepStatus},
		{"collect", "gather the results of a plan into its report", runSweepCollect},
		{"emit", "print the sbatch script or Kubernetes Job of a plan", runSweepEmit},
	}
}

// A jobSet is what a command line of compare or sweep trains: its runs and their data,
// its run folder's meta, and where to plan them (--plan) if not trained here.
type jobSet struct {
	command string
	args    []string
	rf      *runFlags
	js      *train.Jobs
	meta    *train.Meta
	what    string   // what is trained, for the first line on stderr
	data    planData // the data, as the plan records it
	plan    string   // --plan DIR, or ""
	rd      *runDir  // the run folder, locked, when trained here (no plan)
	restore func()   // restores the threads (GOMAXPROCS)
}

// openSet begins a job set of command (compare or sweep) once its flags are checked: it
// sets the kernels' threads and loads the data. A set trained here (neither a plan nor a
// plan's tasks made again, replay) has its run folder locked first, so that a folder in use
// is refused before the data is loaded; a plan loads only what it records, as it trains
// nothing. The set returned holds command, rf, plan, rd and restore; on an error the threads
// are restored and the folder released.
func openSet(ctx context.Context, command string, rf *runFlags, cfg *train.Config, plan string, replay bool, stderr io.Writer) (*jobSet, *dataset, error) {
	set := &jobSet{command: command, rf: rf, plan: plan, restore: setThreads(rf.threads)}
	load := rf.loadData
	if !replay {
		if plan == "" {
			var err error
			if set.rd, err = rf.runFolder(command); err != nil {
				set.restore()
				return nil, nil, err
			}
		} else {
			load = rf.planData
		}
	}
	d, err := load(ctx, cfg, stderr)
	if err != nil {
		return nil, nil, set.fail(err)
	}
	return set, d, nil
}

// fail restores the threads of a set being opened and releases its run folder, and returns
// err with the folder's own error, if any.
func (s *jobSet) fail(err error) error {
	s.restore()
	if s.rd != nil {
		err = errors.Join(err, s.rd.close())
	}
	return err
}

// registerPlan adds the --plan flag.
func registerPlan(fs *flag.FlagSet) *string {
	return fs.String("plan", "", "write the runs to `DIR`/plan.json without training them, for descent sweep run (see descent sweep -h)")
}

// planData is the data of a plan's runs, as a task checks it loaded the same: the
// dataset, the task, the sizes, the standardisation statistics (of the user's files).
type planData struct {
	Dataset         string                `json:"dataset,omitempty"` // MNIST's, by name
	Task            data.Task             `json:"task"`
	Train           int                   `json:"train"`
	Eval            int                   `json:"eval"`
	Val             bool                  `json:"val"`
	Standardization *data.Standardization `json:"standardization,omitempty"`
}

func planDataOf(d *dataset, td train.Data) planData {
	p := planData{Task: d.task, Train: td.Train.Len(), Val: td.Val, Standardization: d.standardization()}
	if td.Eval != nil {
		p.Eval = td.Eval.Len()
	}
	if d.mnist != nil {
		p.Dataset = d.mnist.Spec.Name
	}
	return p
}

// planDataset is loadDataset for a plan: it finds (or fetches) the four files of the
// dataset of --dataset and checks them against the published sizes and SHA-256, as
// loadDataset does (mnist.Fetch: in the cache, a file hashed before and unchanged since is
// not hashed again), then reads the labels and the images' headers, not the images.
// Decoding the images is most of the time loading takes, and a plan needs only the sets'
// sizes, shapes and classes; the checksums identify the data, whose name the plan
// records (every task checks them again, and loads the data once for all its trials).
// The returned Data has no sets.
func planDataset(ctx context.Context, df dataFlags, stderr io.Writer) (*mnist.Data, *headerSet, *headerSet, error) {
	var (
		spec mnist.Spec
		dir  string
		err  error
	)
	if _, lerr := mnist.Lookup(df.dataset); lerr != nil {
		if fi, serr := os.Stat(df.dataset); serr == nil && fi.IsDir() {
			var first error
			for _, name := range mnist.Names() {
				spec, _ = mnist.Lookup(name)
				if dir, err = mnist.Fetch(ctx, spec, mnist.Options{Dir: df.dataset}); err == nil {
					break
				}
				first = cmp.Or(first, err)
			}
			if err != nil {
				return nil, nil, nil, fmt.Errorf("--dataset %s: the folder holds the files of none of %s (%v)", df.dataset, strings.Join(mnist.Names(), ", "), first)
			}
		}
	}
	if dir == "" {
		var opts mnist.Options
		if spec, opts, err = df.resolve(stderr); err != nil {
			return nil, nil, nil, err
		}
		if dir, err = mnist.Fetch(ctx, spec, opts); err != nil {
			return nil, nil, nil, err
		}
	}
	tr, err := readHeaderSet(dir, spec, spec.TrainImages, spec.TrainLabels)
	if err != nil {
		return nil, nil, nil, err
	}
	te, err := readHeaderSet(dir, spec, spec.TestImages, spec.TestLabels)
	if err != nil {
		return nil, nil, nil, err
	}
	if !slices.Equal(tr.shape, te.shape) {
		return nil, nil, nil, fmt.Errorf("mnist: %s: images of shape %v, but the training images are %v",
			filepath.Join(dir, spec.TestImages.Name), te.shape[1:], tr.shape[1:])
	}
	return &mnist.Data{Spec: spec, Dir: dir}, tr, te, nil
}

// A headerSet is a split of a dataset of the MNIST format known by its labels and the
// header of its images, as a plan knows it: its examples cannot be read (Example panics).
type headerSet struct {
	labels []uint8
	shape  []int // [1, rows, cols], as mnist.Set's
}

var _ data.ClassCounter = (*headerSet)(nil)

// readHeaderSet reads the labels and the images' header of a split, with the checks of
// mnist.LoadDir but for the images' payload.
func readHeaderSet(dir string, spec mnist.Spec, images, labels mnist.File) (*headerSet, error) {
	ip, lp := filepath.Join(dir, images.Name), filepath.Join(dir, labels.Name)
	im, err := idx.ReadFileHeader(ip)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	lb, err := idx.ReadFile(lp)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	switch {
	case im.Type != idx.Uint8 || len(im.Dims) != 3 || im.Dims[1] == 0 || im.Dims[2] == 0:
		return nil, fmt.Errorf("mnist: %s: %s %v, want images: u8 [N rows cols]", ip, im.Type, im.Dims)
	case lb.Type != idx.Uint8 || len(lb.Dims) != 1:
		return nil, fmt.Errorf("mnist: %s: %s %v, want labels: u8 [N]", lp, lb.Type, lb.Dims)
	case lb.Dims[0] != im.Dims[0]:
		return nil, fmt.Errorf("mnist: %s has %d labels for the %d images of %s", lp, lb.Dims[0], im.Dims[0], ip)
	}
	for i, l := range lb.U8 {
		if int(l) >= len(spec.Classes) {
			return nil, fmt.Errorf("mnist: %s: label %d of image %d is not below %d", lp, l, i, len(spec.Classes))
		}
	}
	return &headerSet{labels: lb.U8, shape: []int{1, im.Dims[1], im.Dims[2]}}, nil
}

func (s *headerSet) Len() int     { return len(s.labels) }
func (s *headerSet) Shape() []int { return s.shape }

// NumClasses returns the largest label plus one, as mnist.Set's.
func (s *headerSet) NumClasses() int {
	m := -1
	for _, l := range s.labels {
		m = max(m, int(l))
	}
	return m + 1
}

// Example panics: a plan trains nothing.
func (s *headerSet) Example(dst []float32, i int) int {
	panic("descent: the images of a planned dataset are not loaded")
}

// writePlan writes the plan of set to its --plan folder, with the folder's run.json.
func writePlan(set *jobSet, stderr io.Writer) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	p, err := sweep.NewPlan(set.command, set.args, cwd, set.rf.threads, set.data, set.js.Jobs)
	if err != nil {
		return err
	}
	dir := set.plan
	if err := sweep.WritePlan(dir, p); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, train.MetaFile)); errors.Is(err, os.ErrNotExist) {
		if err := train.WriteMeta(dir, set.meta); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "descent %s: %d runs planned in %s (not trained): descent sweep run %s --shard I/N trains shard I of N; "+
		"descent sweep emit %s --slurm (or --kubernetes) prints a job that trains them all\n",
		set.command, len(p.Trials), filepath.Join(dir, sweep.PlanFile), dir, dir)
	return nil
}

// planSet makes again the runs of the plan p of folder dir from its command line, with
// threads threads (0: the plan's), and checks that they are its trials.
func planSet(ctx context.Context, p *sweep.Plan, threads int, stderr io.Writer) (*jobSet, error) {
	if threads == 0 {
		threads = p.Threads
	}
	adjust := func(fs *flag.FlagSet) error {
		// Relative paths are relative to the folder the plan was made in.
		for _, name := range []string{"data", "test", "dir", "cache", "dataset", "init-weights"} {
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			v := f.Value.String()
			if v == "" || filepath.IsAbs(v) {
				continue
			}
			if _, err := mnist.Lookup(v); name == "dataset" && err == nil {
				continue
			}
			if err := fs.Set(name, filepath.Join(p.Dir, v)); err != nil {
				return err
			}
		}
		return fs.Set("threads", strconv.Itoa(threads))
	}
	var (
		set *jobSet
		err error
	)
	args := p.Args
	switch p.Command {
	case "sweep":
		set, err = sweepSet(ctx, args, stderr, adjust)
	case "compare":
		set, err = compareSet(ctx, args, stderr, adjust)
	default:
		return nil, fmt.Errorf("sweep: a plan of descent %s", p.Command)
	}
	if errors.Is(err, errUsage) {
		return nil, fmt.Errorf("sweep: the command line of the plan does not parse: descent %s %s", p.Command, strings.Join(args, " "))
	}
	if err != nil {
		return nil, err
	}
	if err := p.Check(set.js.Jobs, set.data); err != nil {
		set.restore()
		return nil, err
	}
	return set, nil
}

// parseDir parses args of a subcommand that takes one plan folder, before or after its
// flags, and returns the folder.
func parseDir(fs *flag.FlagSet, args []string) (string, error) {
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", errHelp
		}
		return "", errUsage
	}
	if dir == "" && fs.NArg() > 0 {
		dir = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", errUsage
		}
	}
	switch {
	case dir == "":
		return "", usageError(fs, "want a plan folder")
	case fs.NArg() > 0:
		return "", usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	return dir, nil
}

const sweepRunDescription = `Trains the trials of shard I of N of the plan folder DIR (descent sweep --plan DIR):
the trials whose index in the plan is I modulo N. Without --shard, the shard is the
scheduler's task: $SLURM_ARRAY_TASK_ID of --shards (else of $SLURM_ARRAY_TASK_COUNT) in
a Slurm job array, $JOB_COMPLETION_INDEX of --shards in a Kubernetes Indexed Job.

A trial with a result is skipped; one that was stopped resumes from its checkpoint, bit
for bit (written after an epoch every --checkpoint-every, and on SIGTERM); one that
another process is training is waited for. Several tasks may run the
same shard, or shards of different counts, at once: each trial has a lock in its
folder, which works on a shared filesystem and is taken over when its holder dies.
SIGTERM (Ctrl-C) stops the trials after their batch, with a checkpoint, and exits with
status 130.`

func runSweepRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep run", "DIR [flags]", sweepRunDescription, stderr)
	shardFlag := fs.String("shard", "", "the shard to train, `I/N` (default: the scheduler's task)")
	shards := fs.Int("shards", 0, "the number of shards, with the index of the scheduler's task")
	parallel := fs.Int("parallel", 1, "trials trained at once")
	threads := fs.Int("threads", 0, "threads of the kernels (default: the plan's, with which every sum is that of a local sweep)")
	every := fs.Duration("checkpoint-every", 10*time.Second, "least time between two checkpoints of a trial, after an epoch (0: after every epoch); a trial interrupted by a signal always saves one")
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *parallel < 1:
		return usageError(fs, "--parallel must be at least 1")
	case *threads < 0:
		return usageError(fs, "--threads must be at least 1")
	case *every < 0:
		return usageError(fs, "--checkpoint-every cannot be negative")
	case *shardFlag != "" && *shards != 0:
		return usageError(fs, "--shard I/N gives the shards: no --shards")
	}
	var shard sweep.Shard
	if *shardFlag != "" {
		shard, err = sweep.ParseShard(*shardFlag)
	} else {
		shard, err = sweep.ShardFromEnv(os.Getenv, *shards)
	}
	if err != nil {
		return usageError(fs, "%v", err)
	}
	p, err := sweep.ReadPlan(dir)
	if err != nil {
		return err
	}
	set, err := planSet(ctx, p, *threads, stderr)
	if err != nil {
		return err
	}
	defer set.restore()
	indices := shard.Indices(len(p.Trials))
	disp := progress.New(progress.Config{Out: stderr})
	fmt.Fprintf(stderr, "descent sweep run: shard %s of %s: %d of its %d trials, %d at once\n", shard, dir, len(indices), len(p.Trials), *parallel)
	r := &sweep.Runner{Dir: dir, Plan: p, Jobs: set.js.Jobs, Data: set.js.Data, Parallel: *parallel, Progress: disp,
		CheckpointEvery: *every}
	if *every == 0 {
		r.CheckpointEvery = -1
	}
	rep, err := r.Run(ctx, indices)
	disp.Close()
	fmt.Fprintf(stderr, "descent sweep run: shard %s: %d trained, %d ended before, %d failed, %d held by other processes\n",
		shard, len(rep.Trained), len(rep.Skipped), len(rep.Failed), len(rep.Held))
	return err
}

const sweepStatusDescription = `Prints the state of each trial of the plan folder DIR: done (its result is written),
running (its lock is held: by which process, on which host), failed (the error its
training stopped on), or missing (not started, or stopped and not running: it resumes
from its checkpoint when its shard runs again).`

func runSweepStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep status", "DIR", sweepStatusDescription, stderr)
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	sts, err := sweep.Status(dir)
	if sts == nil {
		return err
	}
	count := map[sweep.State]int{}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "trial\tid\tstate\tdetail")
	for _, s := range sts {
		count[s.State]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Trial.Name, s.Trial.ID, s.State, s.Detail)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d trials: %d done, %d running, %d failed, %d missing\n", len(sts),
		count[sweep.Done], count[sweep.Running], count[sweep.Failed], count[sweep.Missing])
	return err
}

const sweepCollectDescription = `Gathers the results of the trials of the plan folder DIR into DIR/results.jsonl and
writes what descent sweep (or compare) writes: the summary table, summary.csv, the
figures and report.html. The trials without a result are listed, and the exit status is
then 1; the report shows them as not run.`

func runSweepCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep collect", "DIR", sweepCollectDescription, stderr)
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	c, err := sweep.Collect(dir)
	if err != nil {
		return err
	}
	if c.Done == 0 {
		return fmt.Errorf("sweep: none of the %d trials of %s has a result yet (descent sweep status %s)", c.Trials, dir, dir)
	}
	if err := finish(dir, false, stdout, stderr, nil); err != nil {
		return err
	}
	if len(c.Missing) == 0 {
		return nil
	}
	for _, s := range c.Missing {
		fmt.Fprintf(stderr, "descent sweep collect: no result: %s (%s): %s", s.Trial.Name, s.Trial.ID, s.State)
		if s.Detail != "" {
			fmt.Fprintf(stderr, ": %s", s.Detail)
		}
		fmt.Fprintln(stderr)
	}
	return fmt.Errorf("sweep: %d of the %d trials of %s have no result", len(c.Missing), c.Trials, dir)
}

const sweepEmitDescription = `Prints the job that trains every trial of the plan folder DIR on a cluster.

--slurm: an sbatch script of a job array, --per-task trials a task, --parallel tasks at
once (--array=0-M%P). Each task runs descent sweep run on its shard in a job step; a
task stopped by SIGTERM (scancel --signal=TERM, or before its --time runs out) saves
the checkpoint of its trial and requeues itself. DIR and the descent executable must be
on a filesystem the nodes share, at the same paths.

  descent sweep emit DIR --slurm --parallel 8 --time 1:00:00 > job.sh && sbatch job.sh

--kubernetes: the manifest of an Indexed Job (batch/v1), one pod per shard,
--parallelism at once, each retried --backoff-limit-per-index times (a pod evicted or
preempted is not counted). The run folder is on the volume of the claim --pvc, mounted
at --mount, where DIR's name is the folder (copy DIR there first); the image --image
holds descent. The pods run the plan's command line: the paths in it (--dir, --data)
must exist in them; MNIST is looked for in $DESCENT_DATA, set to .descent-data on the
volume (descent data fetch --cache puts it there).

  descent sweep emit DIR --kubernetes --image registry/descent:1 --pvc runs | kubectl apply -f -`

func runSweepEmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep emit", "DIR --slurm|--kubernetes [flags]", sweepEmitDescription, stderr)
	slurm := fs.Bool("slurm", false, "print an sbatch script of a Slurm job array")
	k8s := fs.Bool("kubernetes", false, "print a Kubernetes Indexed Job (YAML)")
	perTask := fs.Int("per-task", 1, "trials a task (or a pod) trains")
	parallel := fs.Int("parallel", 0, "--slurm: tasks running at once, the %P of --array (default: Slurm's choice)")
	partition := fs.String("partition", "", "--slurm: the partition")
	timeLimit := fs.String("time", "", "--slurm: the time limit of a task, e.g. 2:00:00 (SIGTERM 120 s before it)")
	cpus := fs.Int("cpus-per-task", 0, "--slurm: CPUs a task (default: the plan's threads)")
	jobName := fs.String("name", "", "the job's name (default descent-DIRNAME)")
	exe := fs.String("descent", "", "--slurm: the descent executable on the nodes (default: this one); --kubernetes: in the image (default descent)")
	parallelism := fs.Int("parallelism", 0, "--kubernetes: pods running at once (default: all)")
	image := fs.String("image", "", "--kubernetes: the container image, which holds descent")
	pvc := fs.String("pvc", "", "--kubernetes: the PersistentVolumeClaim holding the run folder")
	mount := fs.String("mount", "/runs", "--kubernetes: where the volume is mounted")
	backoff := fs.Int("backoff-limit-per-index", 3, "--kubernetes: retries of a pod that fails")
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	if *slurm == *k8s {
		return usageError(fs, "want one of --slurm and --kubernetes")
	}
	if *perTask < 1 {
		return usageError(fs, "--per-task must be at least 1")
	}
	p, err := sweep.ReadPlan(dir)
	if err != nil {
		return err
	}
	if *slurm {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		path := *exe
		if path == "" {
			if path, err = os.Executable(); err != nil {
				return err
			}
		}
		o := sweep.SlurmOptions{Descent: path, Dir: abs, PerTask: *perTask, Parallel: *parallel, CPUsPerTask: *cpus,
			Partition: *partition, Time: *timeLimit, JobName: *jobName}
		if err := sweep.WriteSlurm(stdout, p, o); err != nil {
			return usageError(fs, "%v", err)
		}
		return nil
	}
	if *image == "" || *pvc == "" {
		return usageError(fs, "--kubernetes needs --image and --pvc")
	}
	o := kube.Options{Image: *image, PVC: *pvc, Mount: *mount, Dir: filepath.Base(filepath.Clean(dir)), PerTask: *perTask,
		Parallelism: *parallelism, BackoffLimitPerIndex: *backoff, Name: *jobName, Descent: *exe}
	job, err := kube.IndexedJob(p, o)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	return kube.Write(stdout, job)
}
