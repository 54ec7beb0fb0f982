package sweep

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
)

// SlurmOptions shape the sbatch script of a plan. Their zero value (but Descent and Dir)
// works.
type SlurmOptions struct {
	// Descent is the path of the descent executable on the cluster's nodes, and Dir the
	// plan folder, as the nodes see it (a shared filesystem). Both are required, absolute.
	Descent, Dir string
	// PerTask is the number of trials a task trains (one after the other): the array has
	// ⌈trials/PerTask⌉ tasks. If PerTask is 0, it is 1.
	PerTask int
	// Parallel is the number of tasks running at once (the %P of --array); 0 leaves it to
	// Slurm.
	Parallel int
	// CPUsPerTask is sbatch's --cpus-per-task. If it is 0, it is the plan's threads.
	CPUsPerTask int
	// Partition and Time are sbatch's --partition and --time, left out if "".
	Partition, Time string
	// JobName is sbatch's --job-name. If it is "", it is "descent-" and the plan
	// folder's name.
	JobName string
}

// Tasks returns the number of tasks of the array of a plan of n trials, at perTask
// trials a task (1 if perTask is 0).
func Tasks(n, perTask int) int {
	k := max(perTask, 1)
	return (n + k - 1) / k
}

var slurmWord = regexp.MustCompile(`^[A-Za-z0-9_.,:+=@/-]+$`)

// WriteSlurm writes the sbatch script of the plan p: a job array of Tasks(len(p.Trials),
// o.PerTask) tasks, task I running descent sweep run DIR as shard I (--shards). The
// trials of a task are trained in a job step (srun), which a signal (scancel --signal=TERM,
// the --signal sent before the time limit) interrupts: descent then saves the checkpoint
// of the trial in progress and exits with status 130, and the script requeues its task,
// which resumes the trial when it starts again. The tasks' output goes to
// DIR/slurm-JOB_TASK.out, appended to across requeues.
func WriteSlurm(w io.Writer, p *Plan, o SlurmOptions) error {
	switch {
	case !filepath.IsAbs(o.Descent) || !filepath.IsAbs(o.Dir):
		return fmt.Errorf("sweep: the descent executable (%q) and the plan folder (%q) must be absolute paths", o.Descent, o.Dir)
	case o.PerTask < 0 || o.Parallel < 0 || o.CPUsPerTask < 0:
		return fmt.Errorf("sweep: negative trials per task, tasks at once or CPUs per task")
	}
	name := o.JobName
	if name == "" {
		name = "descent-" + filepath.Base(o.Dir)
	}
	cpus := o.CPUsPerTask
	if cpus == 0 {
		cpus = p.Threads
	}
	for _, v := range []string{o.Descent, o.Dir, name, o.Partition, o.Time} {
		if v != "" && !slurmWord.MatchString(v) {
			return fmt.Errorf("sweep: %q: a path or name of the sbatch script may hold only letters, digits and _.,:+=@/-", v)
		}
	}
	n := Tasks(len(p.Trials), o.PerTask)
	array := fmt.Sprintf("0-%d", n-1)
	if o.Parallel > 0 {
		array += fmt.Sprintf("%%%d", o.Parallel)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", name)
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n")
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", cpus)
	if o.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", o.Partition)
	}
	if o.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", o.Time)
		fmt.Fprintf(&b, "#SBATCH --signal=TERM@120\n")
	}
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(o.Dir, "slurm-%A_%a.out"))
	fmt.Fprintf(&b, "#SBATCH --open-mode=append\n")
	fmt.Fprintf(&b, "#SBATCH --requeue\n")
	fmt.Fprintf(&b, `
# %d trials of the plan %s (SHA-256 %.12s…), %d a task: task I trains the
# trials I, I+%d, I+%d, ... A task stopped by SIGTERM (scancel --signal=TERM, or the
# --signal before --time) checkpoints its trial and requeues itself; the trials it
# finished are kept, the one it was training resumes from its checkpoint.
# descent sweep status %s shows the trials; descent sweep collect %s
# gathers them into the report.
set -u
echo "descent: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} (job ${SLURM_JOB_ID}) on $(hostname), restart ${SLURM_RESTART_COUNT:-0}"
srun --ntasks=1 --cpus-per-task=%d %s sweep run %s --shards %d
status=$?
if [ "$status" -eq 130 ]; then
	echo "descent: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} interrupted: requeueing job ${SLURM_JOB_ID}"
	scontrol requeue "$SLURM_JOB_ID"
fi
exit "$status"
`, len(p.Trials), o.Dir, p.Digest(), max(o.PerTask, 1), n, 2*n, o.Dir, o.Dir, cpus, o.Descent, o.Dir, n)
	_, err := io.WriteString(w, b.String())
	return err
}
